import { crateNameOf, formatThreadTable, resolveThreadTable, ThreadOptionError, type ThreadSource } from './options';

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
    expect(() => resolveThreadTable([src('nx.json', ['syn'], { laptop: 2 })], 2)).toThrow(/key "laptop" is not a core count/);
  });
});

describe('formatThreadTable', () => {
  it('writes sorted name=count pairs with underscores', () => {
    const threads = new Map([[crateNameOf('toml-edit'), 2], ['cargo', 4]]);
    expect(formatThreadTable(threads)).toBe('cargo=4 toml_edit=2');
  });
});
