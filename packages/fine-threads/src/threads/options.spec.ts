import { crateNameOf, formatThreadTable, resolveThreadTable, ThreadOptionError, threadsFor, type ThreadSource } from './options';

const src = (origin: string, crateNames: string[], setting: unknown): ThreadSource => ({ origin, crateNames, setting });

describe('resolveThreadTable', () => {
  it('keeps counts above 1 and drops 1', () => {
    const t = resolveThreadTable([src('project heavy', ['heavy'], 2), src('project util', ['util'], 1)], 4);
    expect([...t.threads]).toEqual([['heavy', 2]]);
    expect(t.notes).toEqual([]);
  });

  it('reads 0 as all cores', () => {
    expect(resolveThreadTable([src('p', ['heavy'], 0)], 8).threads.get('heavy')).toBe(8);
  });

  it('clamps a count above the cores with one note', () => {
    const t = resolveThreadTable([src('project heavy', ['heavy'], 16)], 2);
    expect(t.threads.get('heavy')).toBe(2);
    expect(t.notes).toEqual([
      'fine-threads: project heavy asks for 16 front-end threads; this machine has 2 cores, using 2.',
    ]);
  });

  it('picks the entry of a per-core-count table for this machine, and none when it has no entry', () => {
    const table = { '2': 2, '64': 8 };
    expect(resolveThreadTable([src('p', ['cargo'], table)], 64).threads.get('cargo')).toBe(8);
    expect(resolveThreadTable([src('p', ['cargo'], table)], 2).threads.get('cargo')).toBe(2);
    expect(resolveThreadTable([src('p', ['cargo'], table)], 16).threads.size).toBe(0);
  });

  it('lets later sources override earlier ones, down to 1', () => {
    const t = resolveThreadTable(
      [src('nx.json', ['heavy', 'syn'], 2), src('project heavy', ['heavy'], 4), src('--frontendThreads', ['heavy'], 1)],
      4,
    );
    expect([...t.threads]).toEqual([['syn', 2]]);
  });

  it.each([[-1], [1.5], ['2'], [null], [[2]], [{ '2': 'x' }]])('rejects %j in one line', (value) => {
    expect(() => resolveThreadTable([src('project heavy', ['heavy'], value)], 2)).toThrow(ThreadOptionError);
    try {
      resolveThreadTable([src('project heavy', ['heavy'], value)], 2);
    } catch (e) {
      expect((e as Error).message).toMatch(/^project heavy: frontendThreads must be an integer ≥ 0/);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('rejects a table key that is not a core count', () => {
    expect(() => resolveThreadTable([src('nx.json', ['syn'], { laptop: 2 })], 2)).toThrow(/key "laptop" is neither a core count nor a mode/);
    expect(() => resolveThreadTable([src('nx.json', ['syn'], { check: { laptop: 2 } })], 2)).toThrow(/nx.json \(check\): frontendThreads key "laptop" is not a core count/);
    expect(() => resolveThreadTable([src('nx.json', ['syn'], { build: 'x' })], 2, 'check')).toThrow(/nx.json \(build\): frontendThreads must be/);
  });

  it('applies the table of its own mode, and core-count keys beside the modes to the other modes', () => {
    const setting = { check: { '2': 2 }, build: { '2': 1 }, '4': 4 };
    const at = (cores: number, mode?: 'build' | 'check' | 'test') => resolveThreadTable([src('p', ['cargo'], setting)], cores, mode).threads.get('cargo');
    expect(at(2, 'check')).toBe(2);
    expect(at(2, 'build')).toBeUndefined();
    expect(at(2, 'test')).toBeUndefined();
    expect(at(4, 'check')).toBe(4); // check has no entry for 4 cores: the general one applies
    expect(at(4, 'test')).toBe(4);
    expect(at(2)).toBeUndefined(); // no mode: only the general keys
    // A plain count per mode reads too.
    expect(resolveThreadTable([src('p', ['cargo'], { check: 2 })], 2, 'check').threads.get('cargo')).toBe(2);
    // Old single tables (no mode) apply to every mode.
    expect(resolveThreadTable([src('p', ['cargo'], { '2': 2 })], 2, 'build').threads.get('cargo')).toBe(2);
  });

  it('lets name@version win over the name, and keeps a version set to 1 only where it overrides', () => {
    const t = resolveThreadTable([src('nx.json', ['clap'], 2), src('nx.json', ['clap@2.34.0'], 1), src('nx.json', ['syn@2.0.1'], 1)], 2);
    expect([...t.threads].sort()).toEqual([['clap', 2], ['clap@2.34.0', 1]]);
    expect(threadsFor(t.threads, 'clap', '2.34.0')).toBe(1);
    expect(threadsFor(t.threads, 'clap', '3.2.23')).toBe(2);
    expect(threadsFor(t.threads, 'syn', '2.0.1')).toBeUndefined();
    expect(crateNameOf('toml-edit@0.15.0')).toBe('toml_edit@0.15.0');
  });

  it('lists the crates set to 1 that the table leaves out, for a toolchain whose default is more', () => {
    const t = resolveThreadTable(
      [
        src('project heavy', ['heavy'], 2),
        src('project util', ['util'], { check: { '2': 1 }, build: { '2': 2 } }), // the tuner decided against, for check
        src('nx.json', ['clap'], 2),
        src('nx.json', ['clap@2.34.0'], 1), // kept in the table: it overrides clap's 2
        src('nx.json', ['syn@2.0.1'], 1),
        src('project none', ['none'], { '64': 8 }), // no entry for this machine: in no list
      ],
      2,
      'check',
    );
    expect([...t.ones].sort()).toEqual(['syn@2.0.1', 'util']);
    expect([...t.threads.keys()].sort()).toEqual(['clap', 'clap@2.34.0', 'heavy']);
    expect(resolveThreadTable([src('p', ['solo'], 0)], 1).ones).toEqual(new Set(['solo'])); // all of one core
    expect(resolveThreadTable([src('p', ['util'], 1), src('cli', ['util'], 2)], 2).ones.size).toBe(0); // later wins
  });
});

describe('formatThreadTable', () => {
  it('writes sorted name=count pairs with underscores', () => {
    const threads = new Map([[crateNameOf('toml-edit'), 2], ['cargo', 4]]);
    expect(formatThreadTable(threads)).toBe('cargo=4 toml_edit=2');
  });
});
