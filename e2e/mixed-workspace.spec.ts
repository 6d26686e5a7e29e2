import { existsSync, readdirSync, rmSync } from 'node:fs';
import { TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';

// The bundled example, copied to a temp dir, driven by real nx and cargo.
let ws: TempWorkspace;
beforeAll(() => {
  ws = TempWorkspace.fromExample();
});
afterAll(() => ws.dispose());

/** Runs nx and expects success; on failure the assertion shows the end of what nx printed. */
const ok = (args: string[]) => {
  const r = ws.nx(args);
  expect({ code: r.code, tail: r.code === 0 ? '' : r.output.slice(-4000) }).toEqual({ code: 0, tail: '' });
  return r;
};

const crates = ['app', 'basis', 'codegen', 'heavy', 'testkit', 'util'];
// The second, independent Cargo workspace under tools/.
const toolCrates = ['rulebook', 'rules-naming', 'rules-style'];

describe('the bundled example', () => {
  it('lists every crate and the TS package as Nx projects', () => {
    const r = ws.nx(['show', 'projects', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as string[]).sort()).toEqual(['@mixed/web', ...crates, ...toolCrates].sort());
  });

  it('shows inferred, cacheable cargo targets on a crate', () => {
    const r = ws.nx(['show', 'project', 'heavy', '--json']);
    const project = JSON.parse(r.stdout);
    expect(Object.keys(project.targets).sort()).toEqual(['build', 'check', 'fmt', 'lint', 'nx-release-publish', 'test']);
    expect(project.targets.build).toMatchObject({ executor: 'fine-threads:build', cache: true });
    expect(Object.keys(JSON.parse(ws.nx(['show', 'project', 'app', '--json']).stdout).targets)).toContain('run');
  });

  it('writes crate edges of every kind and the TS edge into the graph', () => {
    const r = ws.nx(['graph', '--file=graph.json']);
    expect(r.code).toBe(0);
    const deps = JSON.parse(ws.read('graph.json')).graph.dependencies as Record<string, { target: string }[]>;
    const targets = (p: string) => deps[p].map((d) => d.target).sort();
    expect(targets('app')).toEqual(['heavy']);
    expect(targets('heavy')).toEqual(['basis', 'testkit', 'util']); // testkit: dev-dependency
    expect(targets('util')).toEqual(['basis', 'codegen']); // codegen: build-dependency
    expect(targets('@mixed/web')).toEqual(['app']); // package.json "fine-threads": { "crates": ["app"] }
    expect(targets('rulebook')).toEqual(['rules-naming', 'rules-style']); // the other Cargo workspace
  });

  it('builds heavy with cargo, then serves it from the Nx cache, restoring its artifacts', () => {
    const first = ws.nx(['build', 'heavy']);
    expect(first.code).toBe(0);
    expect(first.output).toContain('> cargo build -p heavy');
    expect(first.output).toMatch(/Compiling\s+heavy v0\.1\.0/);
    const rlib = () => readdirSync(ws.path('target/debug/deps')).filter((f) => /^libheavy-.*\.rlib$/.test(f));
    expect(rlib()).toHaveLength(1);

    const second = ws.nx(['build', 'heavy']);
    expect(second.code).toBe(0);
    expect(second.output).toMatch(/Nx read the output from the cache|existing outputs match the cache/);
    expect(second.output).toMatch(/Cache:\s+1\/1 hit/);

    rmSync(ws.path('target'), { recursive: true, force: true });
    const third = ws.nx(['build', 'heavy']);
    expect(third.code).toBe(0);
    expect(third.output).toMatch(/Cache:\s+1\/1 hit/);
    expect(rlib()).toHaveLength(1);
  });

  it('misses the cache when a crate it depends on, even transitively, changes', () => {
    ok(['build', 'app']);
    expect(ok(['build', 'app']).output).toMatch(/Cache:\s+1\/1 hit/);
    // app -> heavy -> basis (crates/core)
    ws.write('crates/core/src/lib.rs', `${ws.read('crates/core/src/lib.rs')}\n// touched by the e2e test\n`);
    const after = ok(['build', 'app']);
    expect(after.output).toMatch(/Cache:\s+0\/1 hit/);
    expect(after.output).toMatch(/Compiling\s+basis/);
  });

  it('checks every crate of both Cargo workspaces with run-many, and the second run is all cache hits', () => {
    const all = [...crates, ...toolCrates];
    const first = ok(['run-many', '-t', 'check']);
    for (const c of all) expect(first.output).toContain(`nx run ${c}:check`);
    const second = ok(['run-many', '-t', 'check']);
    expect(second.output).toMatch(new RegExp(`Cache:\\s+${all.length}/${all.length} hit`));
  });

  it('runs the app binary and the tests', () => {
    const run = ok(['run', 'app:run']);
    expect(run.output).toContain('> cargo run -p app');
    const test = ok(['test', 'util']);
    expect(test.output).toMatch(/test result: ok\./);
  });

  it('builds the TS package beside the crates', () => {
    const r = ws.nx(['build', '@mixed/web']);
    expect(r.code).toBe(0);
    expect(existsSync(ws.path('packages/web/dist/index.js'))).toBe(true);
  });
});
