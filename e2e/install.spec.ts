import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../packages/fine-threads/src/testing/temp-workspace';

// The README's "Use it in your workspace", as a user does it: `npm pack` of the package, then a new
// Nx workspace with its own node_modules (nx, @nx/devkit and the tarball installed by npm, not the
// repository's node_modules linked in), and the plugin installed a second way, linked from the
// checkout, in a workspace whose Nx root is also a crate's root.
const pkgDir = join(repoRoot, 'packages', 'fine-threads');
const versionOf = (name: string) => JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')).version as string;

let tmp: string;
let tarball: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ft-install-'));
  const r = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: pkgDir, encoding: 'utf8', env: cleanEnv() });
  expect(r.status).toBe(0);
  tarball = join(tmp, (JSON.parse(r.stdout) as { filename: string }[])[0].filename);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }));

/** This process's environment without what `npm test` adds (npm_config_local_prefix would send npm to the repository). */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', CI: 'true', ...extra };
}

function write(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

const pkg = (name: string, extra = '') => `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n${extra}`;

/**
 * A new Nx workspace: a Cargo workspace at the Nx root whose root is also a crate (`front`, which
 * uses `calc`), a second one under rust/ (`rtool`), and a TS package. No node_modules yet.
 */
function newWorkspace(name: string): string {
  const root = join(tmp, name);
  write(root, 'package.json', JSON.stringify({ name, private: true, workspaces: ['packages/*'] }, null, 2));
  write(root, 'nx.json', '{}\n');
  write(root, '.gitignore', 'node_modules/\n.nx/\ntarget/\n');
  write(root, 'Cargo.toml', `[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n\n${pkg('front', '\n[dependencies]\ncalc = { path = "crates/calc" }\n')}`);
  write(root, 'src/lib.rs', 'pub fn twice(x: u32) -> u32 {\n    calc::add(x, x)\n}\n');
  write(root, 'crates/calc/Cargo.toml', pkg('calc'));
  write(root, 'crates/calc/src/lib.rs', 'pub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n');
  write(root, 'rust/Cargo.toml', '[workspace]\nmembers = ["rtool"]\nresolver = "2"\n');
  write(root, 'rust/rtool/Cargo.toml', pkg('rtool'));
  write(root, 'rust/rtool/src/main.rs', 'fn main() {\n    println!("rtool");\n}\n');
  write(root, 'packages/web/package.json', JSON.stringify({ name: '@ws/web', version: '0.0.0', private: true }, null, 2));
  return root;
}

/** npm install from the local cache: offline when it holds every package's metadata, else fetching only what it lacks. */
function npmInstall(root: string, spec: string): { code: number | null; output: string } {
  const args = ['install', '-D', '--no-audit', '--no-fund', '--ignore-scripts', `nx@${versionOf('nx')}`, `@nx/devkit@${versionOf('@nx/devkit')}`, spec];
  let r = spawnSync('npm', [...args, '--offline'], { cwd: root, encoding: 'utf8', env: cleanEnv(), timeout: 120_000 });
  if (r.status !== 0) r = spawnSync('npm', [...args, '--prefer-offline'], { cwd: root, encoding: 'utf8', env: cleanEnv(), timeout: 120_000 });
  return { code: r.status, output: `${r.stdout}\n${r.stderr}` };
}

/** The workspace's own nx (from its node_modules), to completion. */
function nx(root: string, args: string[]): { code: number | null; output: string } {
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: cleanEnv(),
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  });
  return { code: r.status, output: `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '') };
}

/** Every file but node_modules, Nx's cache and cargo's output, with its content. */
function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (['node_modules', '.nx', 'target', 'rust/target'].includes(path)) continue;
      if (entry.isDirectory()) walk(path);
      else files.set(path, readFileSync(join(root, path), 'utf8'));
    }
  };
  walk('');
  return files;
}

function projects(root: string): string[] {
  const r = nx(root, ['show', 'projects', '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.output.slice(r.output.indexOf('['), r.output.lastIndexOf(']') + 1)) as string[];
}

describe('installed from the packed tarball into a new Nx workspace', () => {
  let root: string;
  beforeAll(() => {
    root = newWorkspace('packed');
  });

  it('installs with npm into a node_modules of its own: a real copy, no TypeScript source', () => {
    const r = npmInstall(root, tarball);
    expect(r.output).not.toMatch(/ERESOLVE|npm error/);
    expect(r.code).toBe(0);
    const installed = join(root, 'node_modules', 'fine-threads');
    expect(realpathSync(installed)).toBe(installed);
    expect(existsSync(join(installed, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(installed, 'src', 'executors', 'build', 'executor.ts'))).toBe(false);
  }, 300_000);

  it('nx g fine-threads:init registers the plugin and ignores the records', () => {
    const r = nx(root, ['g', 'fine-threads:init']);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')).plugins).toEqual(['fine-threads']);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toMatch(/^\.fine-threads\/$/m);
  }, 120_000);

  it('nx show projects lists the crates of both Cargo workspaces and the TS package', () => {
    expect(projects(root).sort()).toEqual(['@ws/web', 'calc', 'front', 'rtool']);
  }, 120_000);

  it('nx build runs real cargo for the crate and its dependency, and records the build', () => {
    const r = nx(root, ['build', 'front']);
    expect(r.code).toBe(0);
    expect(r.output).toContain('cargo build -p front');
    expect(existsSync(join(root, 'target', 'debug', 'libfront.rlib'))).toBe(true);
    expect(readdirSync(join(root, 'target', 'debug', 'deps')).filter((f) => /^libcalc-.*\.rlib$/.test(f))).toHaveLength(1);
    const records = readFileSync(join(root, '.fine-threads', 'records.jsonl'), 'utf8').trim().split('\n');
    expect(records).toHaveLength(1);
    expect(JSON.parse(records[0])).toMatchObject({ project: 'front', success: true });
  }, 300_000);

  it('nx g fine-threads:tune --dry-run tunes from that record and writes nothing', () => {
    const before = snapshot(root);
    const r = nx(root, ['g', 'fine-threads:tune', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/fine-threads: tuning build \(dev\) for \d+ cores from 1 record\(s\)/);
    expect(r.output).toMatch(/^\s+front: /m);
    expect(snapshot(root)).toEqual(before);
  }, 300_000);
});

describe('linked from the checkout (npm install <dir>) where the Nx root is also a crate', () => {
  let root: string;
  beforeAll(() => {
    root = newWorkspace('linked');
  });

  it('npm makes node_modules/fine-threads a symlink to the checkout', () => {
    const r = npmInstall(root, pkgDir);
    expect(r.code).toBe(0);
    expect(realpathSync(join(root, 'node_modules', 'fine-threads'))).toBe(realpathSync(pkgDir));
  }, 300_000);

  // Nx looks for a linked plugin's source first (src/*.ts by a guess from the entry's path) unless
  // the entry names its compiled .js file; the checkout has both.
  it('the executors and generators run from the compiled dist, not src/*.ts', () => {
    expect(nx(root, ['g', 'fine-threads:init']).code).toBe(0);
    expect(projects(root).sort()).toEqual(['@ws/web', 'calc', 'front', 'rtool']);
    for (const [target, project] of [['check', 'front'], ['build', 'rtool']]) {
      const r = nx(root, [target, project]);
      expect(r.output).not.toMatch(/loadTsFile|tsconfig/);
      expect(r).toMatchObject({ code: 0 }); // shows the output when it fails
      expect(r.output).toContain(`cargo ${target} -p ${project}`);
    }
    expect(existsSync(join(root, 'rust', 'target', 'debug', 'rtool'))).toBe(true);
  }, 300_000);
});
