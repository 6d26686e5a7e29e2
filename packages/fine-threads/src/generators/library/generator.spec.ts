import { addProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { libraryGenerator } from './generator';

// What `cargo new --lib mylib` (cargo 1.95) writes, outside a workspace with [workspace.package].
const CARGO_NEW_LIB_RS = `pub fn add(left: u64, right: u64) -> u64 {
    left + right
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_works() {
        let result = add(2, 2);
        assert_eq!(result, 4);
    }
}
`;

const WORKSPACE = `# The Cargo workspace: keep this comment
[workspace]
resolver = "2"   # resolver comment
members = [
    # core crates
    "crates/app",  # the app
]

# release profile
[profile.release]
lto = true
`;

describe('library generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    tree.delete('.oxfmtrc.json');
  });

  const withWorkspace = (manifest = WORKSPACE) => {
    tree.write('Cargo.toml', manifest);
    tree.write('crates/app/Cargo.toml', '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n');
    tree.write('crates/app/src/main.rs', 'fn main() {}\n');
  };

  it('lays the crate out as cargo new --lib does, beside the workspace members', async () => {
    withWorkspace();
    await libraryGenerator(tree, { name: 'mylib' });
    expect(tree.read('crates/mylib/Cargo.toml', 'utf8')).toBe('[package]\nname = "mylib"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n');
    expect(tree.read('crates/mylib/src/lib.rs', 'utf8')).toBe(CARGO_NEW_LIB_RS);
    expect(tree.exists('crates/mylib/src/main.rs')).toBe(false);
    expect(tree.exists('crates/mylib/project.json')).toBe(false);
  });

  it('adds the member and keeps every comment and the layout of the manifest', async () => {
    withWorkspace();
    await libraryGenerator(tree, { name: 'mylib' });
    const manifest = tree.read('Cargo.toml', 'utf8');
    expect(manifest).toBe(`# The Cargo workspace: keep this comment
[workspace]
resolver = "2"   # resolver comment
members = [
    # core crates
    "crates/app",  # the app
    "crates/mylib",
]

# release profile
[profile.release]
lto = true
`);
  });

  it('keeps a one-line members list on one line, sorted when it was', async () => {
    withWorkspace('[workspace]\nmembers = ["crates/app", "crates/zed"] # both\n');
    tree.write('crates/zed/Cargo.toml', '[package]\nname = "zed"\nversion = "0.1.0"\n');
    await libraryGenerator(tree, { name: 'mylib' });
    expect(tree.read('Cargo.toml', 'utf8')).toBe('[workspace]\nmembers = ["crates/app", "crates/mylib", "crates/zed"] # both\n');
  });

  it('adds no member that a glob already covers', async () => {
    const manifest = '[workspace]\n# every crate\nmembers = ["crates/*"]\n';
    withWorkspace(manifest);
    await libraryGenerator(tree, { name: 'mylib' });
    expect(tree.read('Cargo.toml', 'utf8')).toBe(manifest);
    expect(tree.exists('crates/mylib/src/lib.rs')).toBe(true);
  });

  it('adds a member that a glob does not cover (a glob never crosses a /)', async () => {
    withWorkspace('[workspace]\nmembers = ["crates/*"]\n');
    await libraryGenerator(tree, { name: 'mylib', directory: 'crates/nested/mylib' });
    expect(tree.read('Cargo.toml', 'utf8')).toBe('[workspace]\nmembers = ["crates/*", "crates/nested/mylib"]\n');
  });

  it('creates the members list when the workspace has none', async () => {
    tree.write('Cargo.toml', '[workspace]\nresolver = "2"\n');
    await libraryGenerator(tree, { name: 'mylib' });
    expect(tree.read('Cargo.toml', 'utf8')).toBe('[workspace]\nresolver = "2"\nmembers = ["mylib"]\n');
    expect(tree.exists('mylib/src/lib.rs')).toBe(true);
  });

  it('adds the member to the workspace that encloses --directory, relative to it', async () => {
    withWorkspace();
    tree.write('tools/Cargo.toml', '[workspace]\nmembers = []\n');
    await libraryGenerator(tree, { name: 'rules', directory: 'tools/rules/' });
    expect(tree.read('tools/Cargo.toml', 'utf8')).toBe('[workspace]\nmembers = ["rules"]\n');
    expect(tree.read('Cargo.toml', 'utf8')).toBe(WORKSPACE);
    expect(tree.exists('tools/rules/Cargo.toml')).toBe(true);
  });

  it('with several Cargo workspaces and no --directory, puts the crate at the Nx root', async () => {
    tree.write('a/Cargo.toml', '[workspace]\nmembers = ["crates/*"]\n');
    tree.write('b/Cargo.toml', '[workspace]\nmembers = ["crates/*"]\n');
    await libraryGenerator(tree, { name: 'mylib' });
    expect(tree.exists('mylib/Cargo.toml')).toBe(true);
  });

  it('inherits [workspace.package] keys and lints as cargo new does; --edition wins over the inherited one', async () => {
    withWorkspace('[workspace]\nmembers = ["crates/*"]\n\n[workspace.package]\nedition = "2024"\nversion = "1.2.0"\nlicense = "MIT"\n\n[workspace.lints.rust]\nunsafe_code = "forbid"\n');
    await libraryGenerator(tree, { name: 'inherits' });
    expect(tree.read('crates/inherits/Cargo.toml', 'utf8')).toBe(
      '[package]\nname = "inherits"\nedition.workspace = true\nversion.workspace = true\nlicense.workspace = true\n\n[dependencies]\n\n[lints]\nworkspace = true\n',
    );
    await libraryGenerator(tree, { name: 'old', edition: 2018 });
    expect(tree.read('crates/old/Cargo.toml', 'utf8')).toBe(
      '[package]\nname = "old"\nedition = "2018"\nversion.workspace = true\nlicense.workspace = true\n\n[dependencies]\n\n[lints]\nworkspace = true\n',
    );
  });

  it('writes a stand-alone package when no Cargo workspace encloses it', async () => {
    await libraryGenerator(tree, { name: 'alone', directory: 'rust/alone', edition: 2024 });
    expect(tree.read('rust/alone/Cargo.toml', 'utf8')).toBe('[package]\nname = "alone"\nversion = "0.1.0"\nedition = "2024"\n\n[dependencies]\n');
    expect(tree.exists('Cargo.toml')).toBe(false);
  });

  it.each([
    ['', /cannot be empty/],
    ['1abc', /cannot start with a digit/],
    ['a.b', /invalid character `\.`/],
    ['café', /invalid character `é`/],
    ['-x', /must start with a letter/],
    ['fn', /Rust keyword/],
    ['async', /Rust keyword/],
    ['test', /standard library/],
    ['core', /standard library/],
    ['std', /standard library/],
    ['deps', /build directory/],
    ['nul', /Windows/],
  ])('refuses the crate name %j', async (name, why) => {
    withWorkspace();
    const before = tree.listChanges().length;
    await expect(libraryGenerator(tree, { name })).rejects.toThrow(why);
    expect(tree.listChanges()).toHaveLength(before);
  });

  it('refuses a name a crate of the workspace already has, also spelt with - for _', async () => {
    withWorkspace();
    tree.write('other/Cargo.toml', '[package]\nname = "my_lib"\nversion = "0.1.0"\n');
    await expect(libraryGenerator(tree, { name: 'app' })).rejects.toThrow('crate name `app` is taken: crates/app/Cargo.toml has `app`');
    await expect(libraryGenerator(tree, { name: 'my-lib' })).rejects.toThrow('crate name `my-lib` is taken: other/Cargo.toml has `my_lib`');
  });

  it('refuses a name an Nx project already has', async () => {
    addProjectConfiguration(tree, 'web', { root: 'apps/web' });
    await expect(libraryGenerator(tree, { name: 'web', directory: 'rust/web' })).rejects.toThrow('an Nx project is already named `web`');
  });

  it('refuses a directory that exists and is not empty, and accepts an empty one', async () => {
    withWorkspace();
    tree.write('crates/mylib/notes.md', 'mine');
    await expect(libraryGenerator(tree, { name: 'mylib' })).rejects.toThrow(/crates\/mylib already exists and is not an empty directory/);
    expect(tree.read('Cargo.toml', 'utf8')).toBe(WORKSPACE);
    tree.delete('crates/mylib/notes.md');
    await libraryGenerator(tree, { name: 'mylib' });
    expect(tree.exists('crates/mylib/src/lib.rs')).toBe(true);
  });

  it('refuses an edition cargo does not know (a caller that skips the schema)', async () => {
    await expect(libraryGenerator(tree, { name: 'x', edition: 2027 as never })).rejects.toThrow('fine-threads: unknown edition 2027: use one of 2015, 2018, 2021, 2024');
  });

  it('refuses a directory outside the Nx workspace', async () => {
    await expect(libraryGenerator(tree, { name: 'away', directory: '../away' })).rejects.toThrow(/outside the Nx workspace/);
  });

  it('refuses a path that the workspace excludes, and writes nothing', async () => {
    withWorkspace('[workspace]\nmembers = ["crates/*"]\nexclude = ["crates/legacy"]\n');
    await expect(libraryGenerator(tree, { name: 'old', directory: 'crates/legacy/old' })).rejects.toThrow(
      'fine-threads: crates/legacy/old is excluded from the Cargo workspace Cargo.toml (exclude: "crates/legacy"): pass another --directory',
    );
    expect(tree.exists('crates/legacy/old/Cargo.toml')).toBe(false);
  });

  it('refuses when the enclosing workspace manifest is not valid TOML', async () => {
    tree.write('Cargo.toml', '[workspace\nmembers = []\n');
    await expect(libraryGenerator(tree, { name: 'mylib', directory: 'mylib' })).rejects.toThrow(/cannot read Cargo.toml/);
  });
});
