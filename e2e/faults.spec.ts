import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';
import { maxConcurrent, readSpyLog, waitUntil, writeRustcSpy, type Compile } from './jobserver-spy';

// Faults the other e2e specs do not cause (README, "What a fault does to a run"), on a copy of the
// example through real nx and cargo. A rustc spy on PATH logs each compile with the jobserver it
// got as fd 3, which tells the compiles of one run's pool from another's.
let ws: TempWorkspace;
const spyLog = () => ws.path('spy.log');
const poolDir = () => ws.path('.nx/workspace-data/fine-threads-jobserver');

beforeAll(() => {
  ws = TempWorkspace.fromExample('ft-faults-');
  writeRustcSpy(ws.path('spy'));
});
afterAll(() => ws.dispose());

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: `${ws.path('spy')}${delimiter}${process.env.PATH}`, SPY_LOG: spyLog(), MAKEFLAGS: undefined, CARGO_MAKEFLAGS: undefined, ...extra };
}

function setJobs(jobs: number): void {
  ws.write('nx.json', JSON.stringify({ plugins: [{ plugin: 'fine-threads', options: { jobs } }] }));
}

/** A spawned nx's exit code and output, once it has exited; it is SIGKILLed after `ms` (a deadlock). */
function finished(child: ChildProcess, ms: number): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

const fifos = () => (existsSync(poolDir()) ? readdirSync(poolDir()).filter((n) => n.endsWith('.fifo')) : []);

describe('two nx runs at once in one workspace', () => {
  it('each keeps its own cap of J, and both finish: no deadlock on the shared target dirs', async () => {
    setJobs(1);
    rmSync(spyLog(), { force: true });
    rmSync(ws.path('target'), { recursive: true, force: true });
    rmSync(ws.path('tools/target'), { recursive: true, force: true });
    // Each run checks one crate of each Cargo workspace, two at once were it not for J=1; the two
    // runs' cargos share both target dirs, so one may wait on the other run's lock holding its token.
    const run = (projects: string) =>
      ws.spawnNx(['run-many', '-t', 'check', `--projects=${projects}`, '--parallel=2', '--skip-nx-cache', '--output-style=static'], env({ SPY_SLEEP: '3' }));
    const a = run('testkit,rules-naming');
    const b = run('codegen,rules-style');
    const [ra, rb] = await Promise.all([finished(a, 240_000), finished(b, 240_000)]);
    expect(ra).toMatchObject({ code: 0 });
    expect(rb).toMatchObject({ code: 0 });

    // Compiles by the pool they got: one fifo per run, named after that run's nx.
    const byPool = new Map<string, Compile[]>();
    for (const c of readSpyLog(spyLog())) byPool.set(c.fd3, [...(byPool.get(c.fd3) ?? []), c]);
    const owner = (fifo: string) => Number(/fine-threads-jobserver\/run-(\d+)-\d+\.fifo$/.exec(fifo)?.[1]);
    expect([...byPool.keys()].map(owner).sort()).toEqual([a.pid, b.pid].sort());
    const crates = (pid: number) => [...byPool.entries()].find(([fifo]) => owner(fifo) === pid)?.[1] ?? [];
    expect(crates(a.pid as number).map((c) => c.name).sort()).toEqual(['rules_naming', 'testkit']);
    expect(crates(b.pid as number).map((c) => c.name).sort()).toEqual(['codegen', 'rules_style']);
    // Each run alone never ran more than its J; the two together did: their caps are their own.
    for (const compiles of byPool.values()) expect(maxConcurrent(compiles)).toBe(1);
    expect(maxConcurrent([...byPool.values()].flat())).toBe(2);
    // Each run's holder removed its own fifo.
    expect(await waitUntil(() => fifos().length === 0)).toBe(true);
  }, 300_000);
});

/**
 * A process to stand for the run's nx: Nx passes NX_INVOCATION_ANCESTOR_PIDS to its tasks and the
 * plugin names the run's pool after the outermost (as for an nx started by a task), so the test
 * knows the fifo's path before nx starts and can put something else there first.
 */
function standIn(): { pid: number; fifo: string; stop: () => void } {
  const sleeper = spawn('sleep', ['600'], { stdio: 'ignore' });
  const pid = sleeper.pid as number;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  return { pid, fifo: join(poolDir(), `run-${pid}-${start}.fifo`), stop: () => sleeper.kill('SIGKILL') };
}

function checkWithPoolOf(pid: number) {
  rmSync(spyLog(), { force: true });
  return ws.nx(['check', 'basis', '--skip-nx-cache', '--output-style=static'], env({ NX_INVOCATION_ANCESTOR_PIDS: String(pid) }));
}

const refusals = (output: string) => output.split('\n').filter((l) => l.includes('no shared jobserver')).map((l) => l.trim());

describe("a jobserver fifo that is not this user's own, at the run's path", () => {
  beforeEach(() => {
    setJobs(2);
    rmSync(poolDir(), { recursive: true, force: true });
    mkdirSync(poolDir(), { recursive: true, mode: 0o700 });
    rmSync(ws.path('target'), { recursive: true, force: true });
  });

  it('a symlink there (to a fifo elsewhere) is refused in one line and not used; the build goes on', () => {
    const owner = standIn();
    try {
      const elsewhere = ws.path('elsewhere.fifo');
      rmSync(elsewhere, { force: true });
      execFileSync('mkfifo', ['-m', '600', elsewhere]);
      symlinkSync(elsewhere, owner.fifo);
      const r = checkWithPoolOf(owner.pid);
      expect(r).toMatchObject({ code: 0 });
      expect(new Set(refusals(r.output))).toEqual(new Set([`fine-threads: no shared jobserver for this task (${owner.fifo} is a symlink: refused as a jobserver).`]));
      const compiles = readSpyLog(spyLog());
      expect(compiles.map((c) => c.name)).toContain('basis');
      expect(compiles.filter((c) => c.fd3 === elsewhere || c.fd3 === owner.fifo)).toEqual([]);
      expect(lstatSync(owner.fifo).isSymbolicLink()).toBe(true);
    } finally {
      owner.stop();
    }
  }, 180_000);

  (process.getuid?.() === 0 ? it : it.skip)('a fifo another user made there is refused in one line and not used; the build goes on', () => {
    const owner = standIn();
    try {
      execFileSync('mkfifo', ['-m', '600', owner.fifo]);
      chownSync(owner.fifo, 12345, 12345);
      const r = checkWithPoolOf(owner.pid);
      expect(r).toMatchObject({ code: 0 });
      expect(new Set(refusals(r.output))).toEqual(
        new Set([`fine-threads: no shared jobserver for this task (${owner.fifo} belongs to uid 12345, not to this user (uid 0): refused as a jobserver).`]),
      );
      const compiles = readSpyLog(spyLog());
      expect(compiles.map((c) => c.name)).toContain('basis');
      expect(compiles.filter((c) => c.fd3 === owner.fifo)).toEqual([]);
      expect(lstatSync(owner.fifo).uid).toBe(12345);
    } finally {
      owner.stop();
    }
  }, 180_000);

  it('control: with nothing there, the same run makes its pool at that path and its compiles use it', () => {
    const owner = standIn();
    try {
      const r = checkWithPoolOf(owner.pid);
      expect(r).toMatchObject({ code: 0 });
      expect(refusals(r.output)).toEqual([]);
      const compiles = readSpyLog(spyLog());
      expect(compiles.length).toBeGreaterThan(0);
      expect(new Set(compiles.map((c) => c.fd3))).toEqual(new Set([owner.fifo]));
    } finally {
      owner.stop();
    }
  }, 180_000);
});
