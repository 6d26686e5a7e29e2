import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { delimiter } from 'node:path';
import { parentOf, processesUnder, TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';

// Nx's batch mode (`--batch` or NX_BATCH_MODE=true): `run-many` over the example's crates starts
// one cargo per Cargo workspace and still reports, caches and replays every task on its own.
// A cargo spy on PATH logs every cargo the plugin starts.
let ws: TempWorkspace;
const spyLog = () => ws.path('spy.log');
const ROOT_CRATES = ['app', 'basis', 'codegen', 'heavy', 'testkit', 'util'];
const TOOLS_CRATES = ['rulebook', 'rules-naming', 'rules-style'];

beforeAll(() => {
  ws = TempWorkspace.fromExample('ft-batch-');
  const real = execFileSync('sh', ['-c', 'command -v cargo'], { encoding: 'utf8' }).trim();
  ws.write('spy/cargo', `#!/bin/sh\necho "$PWD $*" >> "$SPY_LOG"\nexec '${real}' "$@"\n`);
  chmodSync(ws.path('spy/cargo'), 0o755);
});
afterAll(() => ws.dispose());

const spyEnv = (): NodeJS.ProcessEnv => ({ PATH: `${ws.path('spy')}${delimiter}${process.env.PATH}`, SPY_LOG: spyLog() });

/** The cargo invocations the spy saw for one subcommand: where and which packages. */
function cargos(subcommand: string): { cwd: string; packages: string[] }[] {
  let text = '';
  try {
    text = readFileSync(spyLog(), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((l) => l.split(' '))
    .filter((w) => w.length > 1 && (w[1] === subcommand || (w[1].startsWith('+') && w[2] === subcommand)))
    .map((w) => ({ cwd: w[0], packages: w.flatMap((a, i) => (w[i - 1] === '-p' ? [a] : [])).sort() }));
}

/** Nx's summary: the tasks it lists as failed. */
function failedTasks(output: string): string[] {
  const m = /Failed tasks:\s*\n\s*\n((?:- \S+\n?)+)/.exec(output);
  return m ? m[1].trim().split('\n').map((l) => l.replace(/^- /, '').trim()).sort() : [];
}

function records(): { project: string; projects?: string[]; cargoWorkspace: string; mode: string }[] {
  try {
    return readFileSync(ws.path('.fine-threads/records.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

function fresh(): void {
  rmSync(spyLog(), { force: true });
  rmSync(ws.path('.fine-threads'), { recursive: true, force: true });
}

describe('run-many in batch mode', () => {
  it('checks every crate with one cargo per Cargo workspace, and reports every task', () => {
    fresh();
    // A fresh workspace: nothing in Nx's cache yet, and what runs now is cached for the next test.
    const r = ws.nx(['run-many', '-t', 'check', '--batch'], spyEnv());
    expect(r.code).toBe(0);
    expect(r.output).toContain('Successfully ran target check for 9 projects');
    expect(cargos('check')).toEqual(
      expect.arrayContaining([
        { cwd: ws.root, packages: ROOT_CRATES },
        { cwd: ws.path('tools'), packages: TOOLS_CRATES },
      ]),
    );
    expect(cargos('check')).toHaveLength(2);
    // One record per cargo, naming every project it checked.
    const recs = records();
    expect(recs.map((x) => [x.cargoWorkspace, x.mode, [...(x.projects ?? [])].sort()]).sort()).toEqual([
      ['.', 'check', ROOT_CRATES],
      ['tools', 'check', TOOLS_CRATES],
    ]);
    expect(recs.every((x) => x.projects?.[0] === x.project)).toBe(true);
  }, 600_000);

  it("then replays every task from Nx's cache, each with its own crate's output, without cargo", () => {
    fresh();
    const r = ws.nx(['run-many', '-t', 'check', '--batch', '--output-style=static'], spyEnv());
    expect(r.code).toBe(0);
    expect(r.output).toContain('Nx read the output from the cache instead of running the command for 9 out of 9 tasks');
    expect(cargos('check')).toEqual([]);
    // heavy's replayed output is heavy's, not its neighbours'.
    const heavy = r.output.slice(r.output.indexOf('nx run heavy:check'));
    const section = heavy.slice(0, heavy.indexOf('nx run', 10) > 0 ? heavy.indexOf('nx run', 10) : undefined);
    expect(section).toMatch(/Checking heavy v0\.1\.0/);
    expect(section).not.toMatch(/Checking (basis|testkit|app) /);
  }, 600_000);

  it('a broken crate fails itself and the crates that depend on it; the others in its cargo succeed', () => {
    const file = 'crates/util/src/lib.rs';
    const original = ws.read(file);
    ws.write(file, `${original}\npub fn broken() -> u32 { "not a number" }\n`);
    try {
      fresh();
      const r = ws.nx(['run-many', '-t', 'check', '--skip-nx-cache'], { ...spyEnv(), NX_BATCH_MODE: 'true' });
      expect(r.code).not.toBe(0);
      expect(failedTasks(r.output)).toEqual(['app:check', 'heavy:check', 'util:check']);
      expect(r.output).toContain('Running target check for 9 projects failed');
      // basis, codegen and testkit were checked by the very cargo that failed on util.
      expect(cargos('check')).toHaveLength(2);
      expect(cargos('check')).toContainEqual({ cwd: ws.root, packages: ROOT_CRATES });
      expect(r.output).toContain('expected `u32`, found `&str`');
      expect(r.output).toContain('fine-threads: heavy was not built: it depends on util, which failed.');
    } finally {
      ws.write(file, original);
    }
  }, 600_000);

  it('a failing test fails its own crate; a compile error fails its crate, and cargo test runs again without it', () => {
    const test = 'crates/codegen/src/lib.rs';
    const lib = 'crates/testkit/src/lib.rs';
    const originals = [test, lib].map((f) => ws.read(f));
    ws.write(test, originals[0].split('"pub const SQUARES: [u64; 4] = [0, 1, 4, 9];"').join('"no such table"'));
    expect(ws.read(test)).not.toBe(originals[0]);
    ws.write(lib, `${originals[1]}\npub fn broken() -> u32 { "not a number" }\n`);
    try {
      fresh();
      const r = ws.nx(['run-many', '-t', 'test', '--projects=codegen,basis,util,testkit', '--batch', '--skip-nx-cache'], spyEnv());
      expect(r.code).not.toBe(0);
      expect(failedTasks(r.output)).toEqual(['codegen:test', 'testkit:test']);
      // cargo test has no --keep-going: it stops at testkit's error, so it runs once more without testkit.
      expect(cargos('test')).toEqual([
        { cwd: ws.root, packages: ['basis', 'codegen', 'testkit', 'util'] },
        { cwd: ws.root, packages: ['basis', 'codegen', 'util'] },
      ]);
      expect(r.output).toContain('test tests::renders_a_const_array ... FAILED');
    } finally {
      [test, lib].forEach((f, i) => ws.write(f, originals[i]));
    }
  }, 600_000);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

// As for one task (cancel.spec.ts): a signal to nx, or to the batch's own process alone; or to
// one rustc only, which is how Nx's tree kill starts (leaves first, parents once those are gone):
// cargo's --keep-going would start the next crates meanwhile, and the batch stops them instead.
describe.each([
  ['SIGINT', 'nx'],
  ['SIGTERM', 'nx'],
  ['SIGINT', 'batch'],
  ['SIGTERM', 'batch'],
  ['SIGTERM', 'rustc'],
] as const)('%s to the %s process during a batch build', (signal, target) => {
  const compilers = () => processesUnder(ws.root).filter((p) => /\b(cargo|rustc)\b/.test(p.cmd));
  // A case that failed must not hand its orphans to the next one (which would find and signal them).
  afterEach(() => {
    for (const p of compilers()) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('leaves no cargo or rustc behind after 2 s', async () => {
    expect(compilers()).toEqual([]);
    rmSync(ws.path('target'), { recursive: true, force: true });
    rmSync(ws.path('tools/target'), { recursive: true, force: true });
    const nx = ws.spawnNx(['run-many', '-t', 'build', '--batch', '--skip-nx-cache']);
    let said = '';
    nx.stdout?.on('data', (d: Buffer) => (said += d.toString()));
    nx.stderr?.on('data', (d: Buffer) => (said += d.toString()));
    // A compile of a crate of this workspace (cargo's own `rustc - --crate-name ___` probe is not one).
    // For one rustc's own signal, heavy's: the tools workspace's crates are still to come.
    const crate = target === 'rustc' ? 'heavy ' : '(?!___)\\S+ ';
    const compiling = () => processesUnder(ws.root).find((p) => new RegExp(`\\brustc\\b.*--crate-name ${crate}.*--out-dir`).test(p.cmd));
    let rustc: { pid: number } | undefined;
    for (let i = 0; i < 1200 && !rustc; i++) {
      await sleep(50);
      rustc = compiling();
    }
    expect(rustc).toBeDefined();
    // The batch process started cargo (a shell that exec'd into it).
    const cargo = parentOf((rustc as { pid: number }).pid);
    expect(readFileSync(`/proc/${cargo}/cmdline`, 'utf8')).toMatch(/cargo/);
    const batch = parentOf(cargo);
    expect(readFileSync(`/proc/${batch}/cmdline`, 'utf8')).toMatch(/run-batch/);
    const sent = Date.now();
    if (target === 'nx') nx.kill(signal);
    else process.kill(target === 'batch' ? batch : (rustc as { pid: number }).pid, signal);
    const alive = () => processesUnder(ws.root).filter((p) => /\b(cargo|rustc)\b/.test(p.cmd) || p.pid === batch);
    let left = alive();
    while (left.length > 0 && Date.now() - sent < 2000) {
      await sleep(50);
      left = alive();
    }
    const code = await exited(nx);
    // What nx printed, on failure only: the one thing that tells a slow stop from a lost signal.
    expect({ left, after: left.length > 0 ? `${Date.now() - sent} ms, nx said:\n${said}` : '' }).toEqual({ left: [], after: '' });
    expect(code).not.toBe(0);
  }, 300_000);
});
