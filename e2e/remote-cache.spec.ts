import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';
import { readFlagSpy, writeFlagSpy } from './flag-spy';

// Nx's remote cache across machines: clone A builds three crates (top -> mid -> base) and fills a
// remote cache (a server that follows Nx's self-hosted cache API, on 127.0.0.1); clone B, another
// checkout at another absolute path, made after A's build and with a thread table of its own,
// restores from it. A rustc spy on PATH says what cargo compiled.
const TOKEN = 'e2e-token';
let server: ChildProcess;
let port = 0;
const serverLog = join(mkdtempSync(join(tmpdir(), 'ft-cache-server-')), 'requests.jsonl');
/** What the server was asked, in order. */
const requests = (): { method: string; hash: string; status: number }[] =>
  readFileSync(serverLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
let a: TempWorkspace;
const disposables: TempWorkspace[] = [];

function startServer(): Promise<void> {
  server = spawn(process.execPath, [join(__dirname, 'nx-cache-server.cjs'), TOKEN, serverLog], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    server.stdout?.once('data', (d: Buffer) => {
      port = JSON.parse(d.toString()).port;
      resolve();
    });
  });
}

function git(ws: TempWorkspace, args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: ws.root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const spyLog = (ws: TempWorkspace) => ws.path('spy.log');
const env = (ws: TempWorkspace): NodeJS.ProcessEnv => ({
  PATH: `${ws.path('spy')}${delimiter}${process.env.PATH}`,
  SPY_LOG: spyLog(ws),
  // Each checkout its own local cache, as on another machine: Nx 24 would otherwise share one
  // among the checkouts of a repository on this machine (under ~/.nx), and hit locally.
  NX_CACHE_DIRECTORY: ws.path('.nx/cache'),
  NX_WORKSPACE_DATA_DIRECTORY: ws.path('.nx/workspace-data'),
  NX_SELF_HOSTED_REMOTE_CACHE_SERVER: `http://127.0.0.1:${port}`,
  NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: TOKEN,
});
/** nx, expecting success (on failure the assertion shows what nx printed); the crates rustc compiled meanwhile. */
function nx(ws: TempWorkspace, args: string[]) {
  rmSync(spyLog(ws), { force: true });
  const r = ws.nx(args, env(ws));
  expect({ code: r.code, tail: r.code === 0 ? '' : r.output.slice(-4000) }).toEqual({ code: 0, tail: '' });
  return { output: r.output, compiled: readFlagSpy(spyLog(ws)).map((c) => c.crate).sort() };
}
/** A plain `cargo build -v` in the checkout: what cargo compiles, and why (its Dirty lines). */
function cargoBuild(ws: TempWorkspace) {
  rmSync(spyLog(ws), { force: true });
  const r = spawnSync('cargo', ['build', '-v', '--offline'], { cwd: ws.root, env: { ...process.env, ...env(ws) }, encoding: 'utf8' });
  expect(r.status).toBe(0);
  return { compiled: readFlagSpy(spyLog(ws)).map((c) => c.crate).sort(), dirty: r.stderr.split('\n').filter((l) => /^\s*Dirty /.test(l)) };
}
/** B: a clone of A, with the spy; `old`: every file's mtime set to A's commit time, as git-restore-mtime would. */
function cloneB(old: boolean): TempWorkspace {
  const b = TempWorkspace.cloneOf(a, 'ft-cache-b-');
  disposables.push(b);
  writeFlagSpy(b.path('spy'));
  if (old) {
    const at = Number(git(b, ['log', '-1', '--format=%ct']).trim());
    for (const f of git(b, ['ls-files', '-z']).split('\0').filter(Boolean)) utimesSync(b.path(f), at, at);
  }
  return b;
}

beforeAll(async () => {
  await startServer();
  a = TempWorkspace.empty('ft-cache-a-');
  disposables.push(a);
  a.write('Cargo.toml', '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n');
  a.crate('crates/base', 'base', 'pub fn one() -> u32 {\n    1\n}\n');
  a.crate('crates/mid', 'mid', 'pub fn two() -> u32 {\n    base::one() + 1\n}\n', '\n[dependencies]\nbase = { path = "../base" }\n');
  a.write('crates/top/Cargo.toml', '[package]\nname = "top"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nmid = { path = "../mid" }\n');
  a.write('crates/top/src/main.rs', 'fn main() {\n    println!("top says {}", mid::two());\n}\n');
  a.write('.gitignore', 'target/\n.nx/\nnode_modules\n.fine-threads/\nspy/\nspy.log\n');
  expect(spawnSync('cargo', ['generate-lockfile', '--offline'], { cwd: a.root }).status).toBe(0);
  git(a, ['init', '-q']);
  git(a, ['add', '-A']);
  git(a, ['commit', '-qm', 'three crates']);
  writeFlagSpy(a.path('spy'));
}, 120_000);
afterAll(() => {
  server?.stdin?.end();
  rmSync(dirname(serverLog), { recursive: true, force: true });
  for (const ws of disposables) ws.dispose();
});

describe('the remote cache across two checkouts', () => {
  it('clone A builds every crate and stores each build in the remote cache', () => {
    const r = nx(a, ['run-many', '-t', 'build']);
    expect(r.compiled).toEqual(['base', 'mid', 'top']);
    const stored = new Set(requests().filter((q) => q.method === 'PUT' && q.status === 202).map((q) => q.hash));
    expect(stored.size).toBe(3);
  }, 300_000);

  it('clone B (another path, its own thread table) restores all three builds: no rustc runs, the binary works', () => {
    const b = cloneB(false);
    // B's thread table differs from A's (none): counts and the wrapper are no part of a cache key.
    b.write('crates/top/project.json', JSON.stringify({ metadata: { frontendThreads: { '2': 2 } } }));
    const before = requests().length;
    const r = nx(b, ['run-many', '-t', 'build']);
    expect(r.output).toMatch(/Cache:\s+3\/3 hit/);
    expect(r.output.match(/\[remote cache\]/g)).toHaveLength(3);
    expect(r.compiled).toEqual([]);
    expect(requests().slice(before).filter((q) => q.method === 'GET' && q.status === 200)).toHaveLength(3);
    expect(spawnSync(b.path('target/debug/top'), { encoding: 'utf8' }).stdout).toBe('top says 2\n');
  }, 300_000);

  it("cargo after the restore: a checkout newer than the cached build recompiles all three (cargo's mtime check)", () => {
    const b = cloneB(false);
    nx(b, ['run-many', '-t', 'build']);
    const after = cargoBuild(b);
    expect(after.compiled).toEqual(['base', 'mid', 'top']);
    expect(after.dirty[0]).toMatch(/Dirty base v0\.1\.0 .*: the file `crates\/base\/src\/lib\.rs` has changed/);
  }, 300_000);

  it('cargo after the restore: with sources at their commit time (git-restore-mtime), nothing is compiled', () => {
    const b = cloneB(true);
    const r = nx(b, ['run-many', '-t', 'build']);
    expect(r.output).toMatch(/Cache:\s+3\/3 hit/);
    expect(cargoBuild(b)).toEqual({ compiled: [], dirty: [] });
  }, 300_000);
});

describe('a cache directory that two checkouts share', () => {
  it("is no shared cache in Nx 24: each checkout keeps its own index of it, so the second misses", () => {
    const shared = mkdtempSync(join(tmpdir(), 'ft-cache-shared-'));
    try {
      const [c, d] = [cloneB(false), cloneB(false)];
      // No remote cache: the shared directory alone.
      const dirOnly = (ws: TempWorkspace) => ({ ...env(ws), NX_CACHE_DIRECTORY: shared, NX_SELF_HOSTED_REMOTE_CACHE_SERVER: undefined });
      expect(c.nx(['run-many', '-t', 'build'], dirOnly(c)).code).toBe(0);
      const second = d.nx(['run-many', '-t', 'build'], dirOnly(d));
      expect(second.code).toBe(0);
      expect(second.output).toMatch(/Cache:\s+0\/3 hit/);
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  }, 300_000);
});

describe("restoring a crate's dependencies in one checkout", () => {
  it('nx build top after rm -rf target restores top alone: cargo then compiles its dependencies, and top again', () => {
    rmSync(a.path('target'), { recursive: true, force: true });
    const r = nx(a, ['build', 'top']);
    expect(r.output).toMatch(/Cache:\s+1\/1 hit/);
    expect(cargoBuild(a).compiled).toEqual(['base', 'mid', 'top']);
  }, 300_000);

  it('with build depending on ^build (targetDefaults), it restores the dependencies too, and cargo compiles nothing', () => {
    const nxJson = JSON.parse(a.read('nx.json'));
    a.write('nx.json', JSON.stringify({ ...nxJson, targetDefaults: { build: { dependsOn: ['^build'] } } }));
    nx(a, ['build', 'top']);
    rmSync(a.path('target'), { recursive: true, force: true });
    const r = nx(a, ['build', 'top']);
    expect(r.output).toMatch(/Cache:\s+3\/3 hit/);
    expect(cargoBuild(a)).toEqual({ compiled: [], dirty: [] });
  }, 300_000);
});
