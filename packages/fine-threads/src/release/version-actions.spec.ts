import type { ProjectGraph, ProjectGraphProjectNode, Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import CargoVersionActions from './version-actions';

function node(name: string, root: string, workspaceRoot = ''): ProjectGraphProjectNode {
  return {
    name,
    type: 'lib',
    data: { root, metadata: { cargo: { package: name, manifestPath: `${root}/Cargo.toml`, workspaceRoot } } as never },
  };
}

const graph = (nodes: ProjectGraphProjectNode[]): ProjectGraph => ({
  nodes: Object.fromEntries(nodes.map((n) => [n.name, n])),
  dependencies: {},
});

function actions(n: ProjectGraphProjectNode) {
  return new CargoVersionActions({ name: 'g' } as never, n, { manifestRootsToUpdate: [] } as never);
}

describe('CargoVersionActions', () => {
  let tree: Tree;
  const a = node('a', 'crates/a');
  const b = node('b', 'crates/b');
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    tree.write('Cargo.toml', '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n\n[workspace.package]\nversion = "1.4.0" # shared\n\n[workspace.dependencies]\na = { path = "crates/a", version = "0.1.0" }\n');
    tree.write('crates/a/Cargo.toml', '# crate a\n[package]\nname = "a"\nversion = "0.1.0" # keep me\nedition = "2021"\n');
    tree.write(
      'crates/b/Cargo.toml',
      '[package]\nname = "b"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\na = { path = "../a", version = "0.1.0" } # the lib\n\n[dev-dependencies]\na2 = { package = "a", path = "../a", version = "=0.1.0" }\n\n[build-dependencies]\na = { path = "../a" }\n',
    );
  });

  it('reads and writes [package] version, keeping comments and layout', async () => {
    const va = actions(a);
    expect(await va.readCurrentVersionFromSourceManifest(tree)).toEqual({ currentVersion: '0.1.0', manifestPath: 'crates/a/Cargo.toml' });
    await va.updateProjectVersion(tree, '0.2.0');
    expect(tree.read('crates/a/Cargo.toml', 'utf8')).toBe('# crate a\n[package]\nname = "a"\nversion = "0.2.0" # keep me\nedition = "2021"\n');
  });

  it('reads and writes [workspace.package] version for version.workspace = true', async () => {
    tree.write('crates/c/Cargo.toml', '[package]\nname = "c"\nversion.workspace = true\n');
    const va = actions(node('c', 'crates/c'));
    expect(await va.readCurrentVersionFromSourceManifest(tree)).toEqual({ currentVersion: '1.4.0', manifestPath: 'Cargo.toml' });
    await va.updateProjectVersion(tree, '1.5.0');
    expect(tree.read('Cargo.toml', 'utf8')).toContain('[workspace.package]\nversion = "1.5.0" # shared\n');
    expect(tree.read('crates/c/Cargo.toml', 'utf8')).toBe('[package]\nname = "c"\nversion.workspace = true\n');
  });

  it('updates the requirement of dependents that carry one (renamed too), not path-only entries', async () => {
    const vb = actions(b);
    const g = graph([a, b]);
    expect(await vb.readCurrentVersionOfDependency(tree, g, 'a')).toEqual({ currentVersion: '0.1.0', dependencyCollection: 'dependencies' });
    const logs = await vb.updateProjectDependencies(tree, g, { a: '0.2.0' });
    expect(logs).toHaveLength(1);
    const text = tree.read('crates/b/Cargo.toml', 'utf8');
    expect(text).toContain('[dependencies]\na = { path = "../a", version = "0.2.0" } # the lib\n');
    expect(text).toContain('a2 = { package = "a", path = "../a", version = "0.2.0" }');
    expect(text).toContain('[build-dependencies]\na = { path = "../a" }\n');
    expect(text).toContain('version = "0.1.0"\nedition'); // b's own version untouched
  });

  it('updates target-specific tables and plain string requirements', async () => {
    tree.write('crates/e/Cargo.toml', "[package]\nname = \"e\"\nversion = \"0.1.0\"\n\n[target.'cfg(unix)'.dependencies]\na = \"0.1.0\"\n");
    const ve = actions(node('e', 'crates/e'));
    await ve.updateProjectDependencies(tree, graph([a, node('e', 'crates/e')]), { a: '0.2.0' });
    expect(tree.read('crates/e/Cargo.toml', 'utf8')).toBe("[package]\nname = \"e\"\nversion = \"0.1.0\"\n\n[target.'cfg(unix)'.dependencies]\na = \"0.2.0\"\n");
  });

  it('updates [workspace.dependencies] when the dependent inherits the entry', async () => {
    tree.write('crates/d/Cargo.toml', '[package]\nname = "d"\nversion = "0.1.0"\n\n[dependencies]\na.workspace = true\n');
    const vd = actions(node('d', 'crates/d'));
    await vd.updateProjectDependencies(tree, graph([a, node('d', 'crates/d')]), { a: '0.3.0' });
    expect(tree.read('Cargo.toml', 'utf8')).toContain('a = { path = "crates/a", version = "0.3.0" }');
    expect(tree.read('crates/d/Cargo.toml', 'utf8')).toContain('a.workspace = true');
  });

  it('fails in one line when the version is missing, not a string, or the manifest is missing', async () => {
    tree.write('crates/a/Cargo.toml', '[package]\nname = "a"\n');
    await expect(actions(a).readCurrentVersionFromSourceManifest(tree)).rejects.toThrow(/^crates\/a\/Cargo.toml has no \[package\] version$/);
    tree.write('crates/a/Cargo.toml', '[package]\nname = "a"\nversion = 3\n');
    await expect(actions(a).updateProjectVersion(tree, '0.2.0')).rejects.toThrow(/^crates\/a\/Cargo.toml: \[package\] version is not a string$/);
    await expect(actions(node('x', 'crates/x')).readCurrentVersionFromSourceManifest(tree)).rejects.toThrow(/^crates\/x\/Cargo.toml does not exist$/);
  });
});
