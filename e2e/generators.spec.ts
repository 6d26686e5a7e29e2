import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';

// Real `nx g fine-threads:library|binary` in a fresh Nx workspace holding a one-crate Cargo
// workspace, then real Nx inference and a real (offline) cargo check of the result.
const MANIFEST = `# Our Cargo workspace: this comment must survive
[workspace]
resolver = "2" # the resolver
members = [
    # the first crate
    "crates/base", # base
]
`;

let ws: TempWorkspace;
beforeAll(() => {
  ws = TempWorkspace.empty();
  ws.write('Cargo.toml', MANIFEST);
  ws.crate('crates/base', 'base', 'pub fn base() -> u32 {\n    1\n}\n');
});
afterAll(() => ws.dispose());

/** Every file under the workspace with its content, but Nx's own cache and the node_modules link. */
function snapshot(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(ws.root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (['node_modules', '.nx', 'target'].includes(path)) continue;
      if (entry.isDirectory()) walk(path);
      else files.set(path, readFileSync(join(ws.root, path), 'utf8'));
    }
  };
  walk('');
  return files;
}

const STACK = /^\s+at .+\(.+:\d+:\d+\)$/m;

describe('crate generators through real nx', () => {
  it('--dry-run lists what it would write and writes nothing', () => {
    const before = snapshot();
    const r = ws.nx(['g', 'fine-threads:library', 'mylib', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/CREATE crates\/mylib\/Cargo\.toml/);
    expect(r.output).toMatch(/CREATE crates\/mylib\/src\/lib\.rs/);
    expect(r.output).toMatch(/UPDATE Cargo\.toml/);
    const after = snapshot();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect(after).toEqual(before);
  });

  it('creates a library and a binary, added to the members with the comments kept', () => {
    const lib = ws.nx(['g', 'fine-threads:library', 'mylib']);
    expect(lib.code).toBe(0);
    const bin = ws.nx(['g', 'fine-threads:binary', 'mybin', '--edition=2024']);
    expect(bin.code).toBe(0);

    expect(ws.read('crates/mylib/Cargo.toml')).toBe('[package]\nname = "mylib"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n');
    expect(ws.read('crates/mylib/src/lib.rs')).toMatch(/^pub fn add\(left: u64, right: u64\) -> u64 \{/);
    expect(ws.read('crates/mybin/Cargo.toml')).toBe('[package]\nname = "mybin"\nversion = "0.1.0"\nedition = "2024"\n\n[dependencies]\n');
    expect(ws.read('crates/mybin/src/main.rs')).toBe('fn main() {\n    println!("Hello, world!");\n}\n');
    expect(ws.read('Cargo.toml')).toBe(`# Our Cargo workspace: this comment must survive
[workspace]
resolver = "2" # the resolver
members = [
    # the first crate
    "crates/base", # base
    "crates/mybin",
    "crates/mylib",
]
`);
    expect(snapshot().has('crates/mylib/project.json')).toBe(false);
  });

  it('Nx infers both as projects, and cargo checks the whole workspace', () => {
    const r = ws.nx(['show', 'projects', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as string[]).sort()).toEqual(['base', 'mybin', 'mylib']);
    const mybin = JSON.parse(ws.nx(['show', 'project', 'mybin', '--json']).stdout);
    expect(Object.keys(mybin.targets)).toContain('run');

    const check = spawnSync('cargo', ['check', '--workspace', '--offline'], { cwd: ws.root, encoding: 'utf8' });
    expect(check.stderr).toMatch(/Checking mylib v0\.1\.0/);
    expect(check.stderr).toMatch(/Checking mybin v0\.1\.0/);
    expect(check.status).toBe(0);
  });

  it('refuses a bad name and a taken one in one line, writing nothing', () => {
    const before = snapshot();
    const bad = ws.nx(['g', 'fine-threads:library', 'fn']);
    expect(bad.code).not.toBe(0);
    expect(bad.output).toContain('fine-threads: invalid crate name `fn`: it is a Rust keyword');
    expect(bad.output).not.toMatch(STACK);
    const taken = ws.nx(['g', 'fine-threads:binary', 'mylib', '--directory=apps/mylib']);
    expect(taken.code).not.toBe(0);
    expect(taken.output).toContain('fine-threads: crate name `mylib` is taken: crates/mylib/Cargo.toml has `mylib`');
    expect(snapshot()).toEqual(before);
  });
});

describe('init --cargoWorkspace, then a crate, in a repository without Cargo', () => {
  let bare: TempWorkspace;
  beforeAll(() => {
    bare = TempWorkspace.empty();
  });
  afterAll(() => bare.dispose());

  it('makes a virtual workspace the library generator adds its crate to', () => {
    const hint = bare.nx(['g', 'fine-threads:init']);
    expect(hint.code).toBe(0);
    expect(hint.output).toContain('fine-threads: no Cargo workspace found: `nx g fine-threads:init --cargoWorkspace` makes a virtual one (Cargo.toml) at the root.');
    expect(existsSync(bare.path('Cargo.toml'))).toBe(false);

    expect(bare.nx(['g', 'fine-threads:init', '--cargoWorkspace']).code).toBe(0);
    expect(bare.read('Cargo.toml')).toBe('[workspace]\nresolver = "2"\nmembers = []\n');
    expect(bare.nx(['g', 'fine-threads:library', 'first']).code).toBe(0);
    expect(bare.read('Cargo.toml')).toBe('[workspace]\nresolver = "2"\nmembers = ["first"]\n');
    expect(JSON.parse(bare.nx(['show', 'projects', '--json']).stdout)).toEqual(['first']);
    const check = spawnSync('cargo', ['check', '--workspace', '--offline'], { cwd: bare.root, encoding: 'utf8' });
    expect(check.status).toBe(0);
  });
});
