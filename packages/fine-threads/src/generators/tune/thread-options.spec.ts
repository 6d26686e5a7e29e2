import { readJson, readNxJson, updateNxJson, writeJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { applyChanges, tunedCrates } from './thread-options';

describe('writing tuned thread counts', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: 'fine-threads', options: { jobs: 2 } }] });
  });
  const heavy = { kind: 'project' as const, project: 'heavy', root: 'crates/heavy' };

  it('creates a project.json holding only the option for an inferred crate', () => {
    applyChanges(tree, [{ crate: 'heavy', owner: heavy, threads: 2 }], 'check', 2);
    const json = readJson(tree, 'crates/heavy/project.json');
    expect(json.name).toBe('heavy');
    expect(json.metadata).toEqual({ frontendThreads: { check: { '2': 2 } } });
    expect(json.targets ?? {}).toEqual({});
  });

  it('touches only its own core-count key and keeps a person\'s edits', () => {
    writeJson(tree, 'crates/heavy/project.json', {
      name: 'heavy',
      tags: ['scope:rust'],
      metadata: { owner: 'me', frontendThreads: { '64': 8 } },
      targets: { extra: { command: 'echo hi' } },
    });
    const [applied] = applyChanges(tree, [{ crate: 'heavy', owner: heavy, threads: 2 }], 'check', 2);
    expect(applied).toMatchObject({ from: undefined, to: 2 });
    const json = readJson(tree, 'crates/heavy/project.json');
    expect(json.tags).toEqual(['scope:rust']);
    expect(json.targets).toEqual({ extra: { command: 'echo hi' } });
    expect(json.metadata).toEqual({ owner: 'me', frontendThreads: { '64': 8, check: { '2': 2 } } });
    // Removing its key leaves the other machine profile's.
    applyChanges(tree, [{ crate: 'heavy', owner: heavy, threads: undefined }], 'check', 2);
    expect(readJson(tree, 'crates/heavy/project.json').metadata).toEqual({ owner: 'me', frontendThreads: { '64': 8 } });
  });

  it('leaves a plain count set by hand alone, and says so', () => {
    writeJson(tree, 'crates/heavy/project.json', { name: 'heavy', metadata: { frontendThreads: 4 } });
    const [applied] = applyChanges(tree, [{ crate: 'heavy', owner: heavy, threads: 2 }], 'check', 2);
    expect(applied.skipped).toBe('set by hand as a plain count');
    expect(readJson(tree, 'crates/heavy/project.json').metadata).toEqual({ frontendThreads: 4 });
  });

  it('writes crates that are not Nx projects into nx.json, keeping the other options', () => {
    applyChanges(tree, [{ crate: 'toml_edit', owner: { kind: 'nx.json' }, threads: 2 }, { crate: 'syn', owner: { kind: 'nx.json' }, threads: 1 }], 'check', 2);
    expect(readNxJson(tree)?.plugins).toEqual([{ plugin: 'fine-threads', options: { jobs: 2, frontendThreads: { toml_edit: { check: { '2': 2 } }, syn: { check: { '2': 1 } } } } }]);
    expect([...tunedCrates(tree, [], 'check', 2).keys()].sort()).toEqual(['syn', 'toml_edit']);
    expect(tunedCrates(tree, [], 'check', 4).size).toBe(0);
  });

  it('changes nothing when asked for what is there (idempotent)', () => {
    applyChanges(tree, [{ crate: 'heavy', owner: heavy, threads: 2 }, { crate: 'syn', owner: { kind: 'nx.json' }, threads: 2 }], 'check', 2);
    const before = [tree.read('crates/heavy/project.json', 'utf8'), tree.read('nx.json', 'utf8')];
    const again = applyChanges(tree, [{ crate: 'heavy', owner: heavy, threads: 2 }, { crate: 'syn', owner: { kind: 'nx.json' }, threads: 2 }], 'check', 2);
    expect(again.every((a) => a.from === a.to)).toBe(true);
    expect([tree.read('crates/heavy/project.json', 'utf8'), tree.read('nx.json', 'utf8')]).toEqual(before);
  });

  it('keeps check and build apart: each mode its own table, the other untouched', () => {
    applyChanges(tree, [{ crate: 'heavy', owner: heavy, threads: 2 }], 'check', 2);
    applyChanges(tree, [{ crate: 'heavy', owner: heavy, threads: 1 }], 'build', 2);
    expect(readJson(tree, 'crates/heavy/project.json').metadata).toEqual({ frontendThreads: { check: { '2': 2 }, build: { '2': 1 } } });
    const projects = [{ project: 'heavy', root: 'crates/heavy', crates: ['heavy'] }];
    expect([...tunedCrates(tree, projects, 'build', 2).keys()]).toEqual(['heavy']);
    // Removing build's key leaves check's.
    applyChanges(tree, [{ crate: 'heavy', owner: heavy, threads: undefined }], 'build', 2);
    expect(readJson(tree, 'crates/heavy/project.json').metadata).toEqual({ frontendThreads: { check: { '2': 2 } } });
    expect(tunedCrates(tree, projects, 'build', 2).size).toBe(0);
  });

  it('writes an explicit 1 where an older table without modes would still thread the crate', () => {
    writeJson(tree, 'crates/heavy/project.json', { name: 'heavy', metadata: { frontendThreads: { '2': 2 } } });
    applyChanges(tree, [{ crate: 'heavy', owner: heavy, threads: undefined }], 'build', 2);
    expect(readJson(tree, 'crates/heavy/project.json').metadata).toEqual({ frontendThreads: { '2': 2, build: { '2': 1 } } });
  });

  it("leaves a person's plain count for a mode alone", () => {
    writeJson(tree, 'crates/heavy/project.json', { name: 'heavy', metadata: { frontendThreads: { check: 4 } } });
    const [applied] = applyChanges(tree, [{ crate: 'heavy', owner: heavy, threads: 2 }], 'check', 2);
    expect(applied.skipped).toBe('set by hand as a plain count');
    // The other mode is still the tune's to write.
    applyChanges(tree, [{ crate: 'heavy', owner: heavy, threads: 2 }], 'build', 2);
    expect(readJson(tree, 'crates/heavy/project.json').metadata).toEqual({ frontendThreads: { check: 4, build: { '2': 2 } } });
  });
});
