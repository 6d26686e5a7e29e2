import { blockedTasks, buildsDevTargets, failureReach, lanesOf, readyTasks, resolveGraphOf, type PlannedTask } from './plan';

const task = (id: string, key: string, dependsOn: string[] = [], lane = key.split(':')[0]): PlannedTask => ({ id, key, lane, dependsOn });

describe('readyTasks', () => {
  it('starts every independent task at once', () => {
    const tasks = [task('a:check', 'ws:check'), task('b:check', 'ws:check'), task('c:check', 'tools:check')];
    expect(readyTasks(tasks, new Set()).map((t) => t.id)).toEqual(['a:check', 'b:check', 'c:check']);
  });

  it('starts a dependent with its dependency when both run in the same cargo, in any order of the list', () => {
    const tasks = [task('app', 'ws:build', ['heavy']), task('heavy', 'ws:build', ['util']), task('util', 'ws:build')];
    expect(readyTasks(tasks, new Set()).map((t) => t.id)).toEqual(['app', 'heavy', 'util']);
  });

  it('holds a dependent back until a dependency in another cargo has finished', () => {
    const tasks = [task('app', 'ws:build', ['gen']), task('gen', 'tools:build'), task('lib', 'ws:build')];
    expect(readyTasks(tasks, new Set()).map((t) => t.id)).toEqual(['gen', 'lib']);
    expect(readyTasks(tasks.filter((t) => t.id === 'app'), new Set(['gen', 'lib'])).map((t) => t.id)).toEqual(['app']);
  });

  it('ignores dependencies outside the batch (Nx ran them before)', () => {
    expect(readyTasks([task('a', 'k', ['elsewhere'])], new Set()).map((t) => t.id)).toEqual(['a']);
  });
});

describe('blockedTasks', () => {
  it('skips the dependents of a failed task, transitively, and nothing else', () => {
    const tasks = [task('a', 'k'), task('b', 'x', ['a']), task('c', 'y', ['b']), task('d', 'y')];
    expect(blockedTasks(tasks, new Set(['a']), new Set(['a'])).sort()).toEqual(['b', 'c']);
  });
});

describe('lanesOf', () => {
  it('puts groups of one target dir in one lane, one group per key', () => {
    const lanes = lanesOf([task('a', 'ws:check'), task('b', 'ws:check'), task('r', 'ws:check-release', [], 'ws'), task('t', 'tools:check')]);
    expect(lanes.map((groups) => groups.map((g) => g.map((t) => t.id)))).toEqual([[['a', 'b'], ['r']], [['t']]]);
  });
});

// The example's root workspace, as `cargo metadata` resolves it.
const metadata = {
  packages: ['app', 'heavy', 'basis', 'util', 'codegen', 'testkit'].map((name) => ({ id: `path+file:///ws/crates/${name}#${name}@0.1.0`, name })),
  resolve: {
    nodes: [
      { id: 'app', deps: [{ pkg: 'heavy', dep_kinds: [{ kind: null }] }] },
      {
        id: 'heavy',
        deps: [
          { pkg: 'basis', dep_kinds: [{ kind: null }] },
          { pkg: 'util', dep_kinds: [{ kind: null }] },
          { pkg: 'testkit', dep_kinds: [{ kind: 'dev' }] },
        ],
      },
      { id: 'util', deps: [{ pkg: 'basis', dep_kinds: [{ kind: null }] }, { pkg: 'codegen', dep_kinds: [{ kind: 'build' }] }] },
      { id: 'basis', deps: [] },
      { id: 'codegen', deps: [] },
      { id: 'testkit', deps: [] },
    ].map((n) => ({ id: `path+file:///ws/crates/${n.id}#${n.id}@0.1.0`, deps: n.deps.map((d) => ({ ...d, pkg: `path+file:///ws/crates/${d.pkg}#${d.pkg}@0.1.0` })) })),
  },
};
const graph = resolveGraphOf(metadata);
const all = ['app', 'heavy', 'basis', 'util', 'codegen', 'testkit'];

describe('failureReach', () => {
  it('fails a crate and whatever needs it, and no other crate', () => {
    expect(Object.fromEntries(failureReach(all, new Set(['util']), graph, false))).toEqual({ util: 'util', heavy: 'util', app: 'util' });
  });

  it('follows build-dependencies', () => {
    expect([...failureReach(all, new Set(['codegen']), graph, false).keys()].sort()).toEqual(['app', 'codegen', 'heavy', 'util']);
  });

  it("counts the crate's own dev-dependencies only when its tests are built, and never a dependency's", () => {
    expect([...failureReach(all, new Set(['testkit']), graph, false).keys()]).toEqual(['testkit']);
    expect([...failureReach(all, new Set(['testkit']), graph, true).keys()].sort()).toEqual(['heavy', 'testkit']);
  });

  it('blames a crate outside the requested ones', () => {
    expect(failureReach(['app'], new Set(['basis']), graph, false).get('app')).toBe('basis');
  });
});

describe('buildsDevTargets', () => {
  it('sees the flags that build tests, benches or examples', () => {
    expect(buildsDevTargets(['--all-targets'])).toBe(true);
    expect(buildsDevTargets(['--tests'])).toBe(true);
    expect(buildsDevTargets(['--example=x'])).toBe(true);
    expect(buildsDevTargets(['--locked', '--lib'])).toBe(false);
  });
});
