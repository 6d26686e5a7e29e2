import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { log } from '../utils/log';
import { cachePath, createNodesV2, loadCrates } from './nodes';

// Real cargo on real manifests in a temporary Nx workspace.
let root: string;
let warn: jest.SpyInstance;

function write(path: string, text: string) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function crate(dir: string, name: string, extra = '') {
  write(`${dir}/Cargo.toml`, `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n${extra}`);
  write(`${dir}/src/lib.rs`, '');
}

const manifests = [
  'rust/Cargo.toml',
  'rust/crates/a/Cargo.toml',
  'rust/crates/b/Cargo.toml',
  'other/Cargo.toml',
  'other/core/Cargo.toml',
  'solo/Cargo.toml',
];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ft-nodes-'));
  write('rust/Cargo.toml', '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n');
  crate('rust/crates/a', 'a');
  crate('rust/crates/b', 'b', '[dependencies]\na = { path = "../a" }\n');
  write('other/Cargo.toml', '[workspace]\nmembers = ["core"]\nresolver = "2"\n');
  crate('other/core', 'other-core');
  crate('solo', 'solo');
  warn = jest.spyOn(log, 'warn').mockImplementation(() => undefined);
});

afterEach(() => {
  warn.mockRestore();
  rmSync(root, { recursive: true, force: true });
});

async function withoutCargo<T>(fn: () => Promise<T>): Promise<T> {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    return await fn();
  } finally {
    process.env.PATH = path;
  }
}

const names = (crates: { packageName: string }[]) => crates.map((c) => c.packageName).sort();

describe('loadCrates', () => {
  it('finds the members of every Cargo workspace and stand-alone packages, not virtual roots', async () => {
    const crates = await loadCrates(root, manifests);
    expect(names(crates)).toEqual(['a', 'b', 'other-core', 'solo']);
    expect(crates.find((c) => c.packageName === 'b')?.dependencies).toEqual([{ root: 'rust/crates/a', kind: 'normal' }]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('serves a second run from its cache without starting cargo', async () => {
    const first = await loadCrates(root, manifests);
    const second = await withoutCargo(() => loadCrates(root, manifests));
    expect(second).toEqual(first);
    expect(warn).not.toHaveBeenCalled();
  });

  it('runs cargo again for a workspace whose manifest changed, and only for it', async () => {
    await loadCrates(root, manifests);
    write('rust/crates/a/Cargo.toml', '[package]\nname = "a"\nversion = "0.2.0"\nedition = "2021"\n');
    const crates = await withoutCargo(() => loadCrates(root, manifests));
    // Without cargo the changed workspace cannot be read: the plugin says so in one line.
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/cargo was not found on PATH/);
    expect(crates).toEqual([]);
    const again = await loadCrates(root, manifests);
    expect(names(again)).toEqual(['a', 'b', 'other-core', 'solo']);
  });

  it('notices a crate added under a workspace glob', async () => {
    await loadCrates(root, manifests);
    crate('rust/crates/c', 'c');
    const crates = await loadCrates(root, [...manifests, 'rust/crates/c/Cargo.toml']);
    expect(names(crates)).toContain('c');
  });

  it('drops only the crate whose manifest is malformed, in one warning line naming it', async () => {
    // a depends on b by path, so cargo fails while loading a, naming b's file only in its location.
    write('rust/crates/b/Cargo.toml', '[package]\nname = "b"\nversion = 0.1.0"\n');
    crate('rust/crates/a', 'a', '[dependencies]\nb = { path = "../b" }\n');
    const crates = await loadCrates(root, manifests);
    expect(names(crates)).toEqual(['a', 'other-core', 'solo']);
    const a = crates.find((c) => c.packageName === 'a');
    expect(a).toMatchObject({ root: 'rust/crates/a', manifestPath: 'rust/crates/a/Cargo.toml', cargoWorkspaceRoot: 'rust' });
    expect(a?.targetDirectory).toBe('rust/target');
    expect(a?.dependencies).toEqual([{ root: 'rust/crates/b', kind: 'normal' }]);
    expect(warn).toHaveBeenCalledTimes(1);
    const line = warn.mock.calls[0][0] as string;
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^fine-threads: skipped rust\/crates\/b\/Cargo.toml /);
    expect(line).toMatch(/invalid float/);
    expect(line).not.toMatch(/fine-threads-metadata-|placeholder/); // no trace of the temporary copy
  });

  it('drops every malformed member, and an explicitly listed one too', async () => {
    write('rust/Cargo.toml', '[workspace]\nmembers = ["crates/a", "crates/b", "crates/c"]\nresolver = "2"\n');
    crate('rust/crates/c', 'c');
    write('rust/crates/a/Cargo.toml', '[package\n');
    write('rust/crates/b/Cargo.toml', '[package]\nname = "b"\nversion = 1\n');
    const crates = await loadCrates(root, [...manifests, 'rust/crates/c/Cargo.toml']);
    expect(names(crates)).toEqual(['c', 'other-core', 'solo']);
    expect(warn.mock.calls.map((c) => (c[0] as string).split(' ').slice(0, 3).join(' ')).sort()).toEqual([
      'fine-threads: skipped rust/crates/a/Cargo.toml',
      'fine-threads: skipped rust/crates/b/Cargo.toml',
    ]);
  });

  it('warns again on a warm run, and lists the crate once its manifest is fixed', async () => {
    const good = '[package]\nname = "b"\nversion = "0.1.0"\nedition = "2021"\n';
    write('rust/crates/b/Cargo.toml', '[package\n');
    await loadCrates(root, manifests);
    const warm = await withoutCargo(() => loadCrates(root, manifests));
    expect(names(warm)).toEqual(['a', 'other-core', 'solo']);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1][0]).toBe(warn.mock.calls[0][0]);
    write('rust/crates/b/Cargo.toml', good);
    expect(names(await loadCrates(root, manifests))).toEqual(['a', 'b', 'other-core', 'solo']);
  });

  it('skips the whole workspace, in one line, when its root manifest is malformed', async () => {
    write('rust/Cargo.toml', '[workspace\nmembers = ["crates/*"]\n');
    const crates = await loadCrates(root, manifests);
    expect(names(crates)).toEqual(['other-core', 'solo']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/^fine-threads: skipped rust\/Cargo.toml \(the whole Cargo workspace\): .*unclosed table/);
  });

  it('treats a corrupt cache file as empty', async () => {
    await loadCrates(root, manifests);
    writeFileSync(cachePath(root), '{"version":1,"workspaces":[{"trunc');
    expect(names(await loadCrates(root, manifests))).toEqual(['a', 'b', 'other-core', 'solo']);
  });
});

describe('createNodesV2', () => {
  it('names projects after crates; of two crates with one name, the deeper one is named by its path', async () => {
    crate('other/a', 'a');
    write('other/Cargo.toml', '[workspace]\nmembers = ["core", "a"]\nresolver = "2"\n');
    const [, create] = createNodesV2;
    const results = await create([...manifests, 'other/a/Cargo.toml'], {}, { workspaceRoot: root, nxJsonConfiguration: {} });
    const projects = results.flatMap(([, r]) => Object.values(r.projects ?? {}));
    expect(projects.map((p) => p.name).sort()).toEqual(['a', 'b', 'other-core', 'rust/crates/a', 'solo']);
    expect(projects.find((p) => p.name === 'a')?.root).toBe('other/a');
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/both named "a"/));
  });
});
