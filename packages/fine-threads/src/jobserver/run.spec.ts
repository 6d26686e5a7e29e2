import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentOf } from '../testing/temp-workspace';
import { countTokens, isAlive } from './pool';
import { ensurePool, poolDir, runJobserver, runOwner } from './run';

// The run's pool with real fifos and real holders: made once, found by every later task, kept
// while the run's nx lives (a `sleep` stands in for it), removed when it is gone. The makers
// that must be processes of their own run the built plugin (dist/), as Nx's task processes do.
let dir: string;
const owners: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ft-run-'));
});
afterEach(() => {
  for (const o of owners.splice(0)) o.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const built = join(__dirname, '..', '..', 'dist', 'jobserver', 'run.js');

/** A live process to own a pool, as the run's nx would. */
function owner(): number {
  const p = spawn('sleep', ['120'], { stdio: 'ignore' });
  owners.push(p);
  return p.pid as number;
}

async function until(ok: () => boolean, ms = 5000): Promise<boolean> {
  for (let t = 0; t < ms && !ok(); t += 50) await sleep(50);
  return ok();
}

/** Pids of the processes whose command line contains `text`. */
function processesNaming(text: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(text)) out.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/** ensurePool in a process of its own, which exits once the pool is there. */
function makerScript(name: string, jobs: number, ownerPid: number): string {
  return `require(${JSON.stringify(built)}).ensurePool(${JSON.stringify(dir)}, ${JSON.stringify(name)}, ${jobs}, ${ownerPid})`;
}

describe('the run pool', () => {
  beforeAll(() => {
    if (!existsSync(built)) throw new Error(`${built} is missing: build the plugin first (npm run build)`);
  });

  it('is made once with J tokens; the next task finds it as it is', () => {
    const pid = owner();
    const path = ensurePool(dir, 'run-1-1.fifo', 3, pid);
    expect(countTokens(path, 10)).toBe(3);
    expect(ensurePool(dir, 'run-1-1.fifo', 3, pid)).toBe(path);
    expect(countTokens(path, 10)).toBe(3);
    // The fifo alone: no temp file of its making is left.
    expect(readdirSync(dir)).toEqual(['run-1-1.fifo']);
  });

  it('lives in a 0700 directory of this user: a directory others may write to is closed', () => {
    const pools = join(dir, 'pools');
    ensurePool(pools, 'run-7-7.fifo', 1, owner());
    expect(statSync(pools).mode & 0o777).toBe(0o700);
    expect(statSync(join(pools, 'run-7-7.fifo')).mode & 0o777).toBe(0o600);
    const open = join(dir, 'open');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    ensurePool(open, 'run-8-8.fifo', 1, owner());
    expect(statSync(open).mode & 0o777).toBe(0o700);
  });

  it('refuses, naming it, anything at its path but this user\'s 0600 fifo', () => {
    const at = (name: string) => join(dir, name);
    spawnSync('mkfifo', ['-m', '644', at('wide.fifo')]);
    expect(() => ensurePool(dir, 'wide.fifo', 1, owner())).toThrow(`${at('wide.fifo')} has mode 644, not 600: refused as a jobserver`);
    spawnSync('mkfifo', ['-m', '600', at('target.fifo')]);
    symlinkSync(at('target.fifo'), at('link.fifo'));
    expect(() => ensurePool(dir, 'link.fifo', 1, owner())).toThrow(`${at('link.fifo')} is a symlink: refused as a jobserver`);
    writeFileSync(at('file.fifo'), '++');
    expect(() => ensurePool(dir, 'file.fifo', 1, owner())).toThrow(`${at('file.fifo')} is not a fifo: refused as a jobserver`);
    if (process.getuid?.() === 0) {
      // Root can hand a fifo to another user, as another user could have made it.
      spawnSync('mkfifo', ['-m', '600', at('theirs.fifo')]);
      chownSync(at('theirs.fifo'), 12345, 12345);
      expect(() => ensurePool(dir, 'theirs.fifo', 1, owner())).toThrow(/theirs\.fifo belongs to uid 12345, not to this user \(uid 0\): refused as a jobserver/);
    }
  });

  it('outlives the task that made it, is held by no descendant of that task, and goes with its owner', async () => {
    const pid = owner();
    const maker = spawnSync(process.execPath, ['-e', makerScript('run-2-2.fifo', 2, pid)], { encoding: 'utf8' });
    expect(maker.status).toBe(0);
    const path = join(dir, 'run-2-2.fifo');
    expect(countTokens(path, 10)).toBe(2);
    expect(await until(() => processesNaming(path).length === 1)).toBe(true);
    const holders = processesNaming(path);
    // Reparented at once: Nx's tree-kill of a cancelled task cannot reach it.
    expect(parentOf(holders[0])).not.toBe(maker.pid);
    expect(parentOf(holders[0])).not.toBe(process.pid);
    process.kill(pid, 'SIGKILL');
    expect(await until(() => !existsSync(path))).toBe(true);
    expect(await until(() => processesNaming(path).length === 0)).toBe(true);
  });

  it('SIGINT and SIGHUP (Ctrl-C, a closed terminal) do not take it away while its owner lives', async () => {
    const pid = owner();
    const path = ensurePool(dir, 'run-3-3.fifo', 2, pid);
    // One holder (for a moment, a fork of it that is about to become its tail matches too).
    expect(await until(() => processesNaming(path).length === 1)).toBe(true);
    const holders = processesNaming(path);
    process.kill(holders[0], 'SIGINT');
    process.kill(holders[0], 'SIGHUP');
    await sleep(500);
    expect(countTokens(path, 10)).toBe(2);
    process.kill(pid, 'SIGKILL');
    expect(await until(() => !existsSync(path))).toBe(true);
  });

  it('SIGTERM to the holder removes the fifo', async () => {
    const pid = owner();
    const path = ensurePool(dir, 'run-6-6.fifo', 1, pid);
    expect(await until(() => processesNaming(path).length === 1)).toBe(true);
    process.kill(processesNaming(path)[0], 'SIGTERM');
    expect(await until(() => !existsSync(path))).toBe(true);
  });

  it('racing makers agree on one pool of J, and every losing holder is gone', async () => {
    const pid = owner();
    const makers = Array.from({ length: 6 }, () => spawn(process.execPath, ['-e', makerScript('run-4-4.fifo', 2, pid)], { stdio: 'ignore' }));
    const codes = await Promise.all(makers.map((m) => new Promise((r) => m.once('exit', r))));
    expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
    const path = join(dir, 'run-4-4.fifo');
    expect(readdirSync(dir)).toEqual(['run-4-4.fifo']);
    expect(countTokens(path, 10)).toBe(2);
    // One holder, and one tail under it: the losers' were stopped, with what they waited in.
    expect(await until(() => processesNaming(path).length === 1)).toBe(true);
    expect(await until(() => processesNaming(`--pid=${pid} `).length === 1)).toBe(true);
  });
});

describe("the run's jobserver", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ft-run-root-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is one pool per run: the tasks of one nx share it, another nx has its own', () => {
    const a = owner();
    const b = owner();
    const say = (l: string) => {
      throw new Error(`unexpected: ${l}`);
    };
    const first = runJobserver(root, 2, say, { NX_INVOCATION_ANCESTOR_PIDS: String(a) });
    const second = runJobserver(root, 2, say, { NX_INVOCATION_ANCESTOR_PIDS: String(a) });
    const other = runJobserver(root, 3, say, { NX_INVOCATION_ANCESTOR_PIDS: String(b) });
    expect(second).toEqual(first);
    expect(first?.path).toMatch(new RegExp(`/fine-threads-jobserver/run-${a}-\\d+\\.fifo$`));
    expect(other?.path).not.toBe(first?.path);
    expect(countTokens(first?.path as string, 10)).toBe(2);
    expect(countTokens(other?.path as string, 10)).toBe(3);
  });

  it('a fifo whose run and holder were both killed is removed by the next run, with one line', () => {
    const dead = spawnSync('true').pid as number;
    expect(isAlive(dead)).toBe(false);
    mkdirSync(poolDir(root), { recursive: true });
    spawnSync('mkfifo', [join(poolDir(root), `run-${dead}-5.fifo`)]);
    const lines: string[] = [];
    const js = runJobserver(root, 2, (l) => lines.push(l), { NX_INVOCATION_ANCESTOR_PIDS: String(owner()) });
    expect(lines).toEqual([`fine-threads: removed 1 jobserver fifo(s) left by Nx runs that were killed (pid ${dead}).`]);
    expect(countTokens(js?.path as string, 10)).toBe(2);
    expect(readdirSync(poolDir(root))).toEqual([js?.path.split('/').pop()]);
  });

  it('jobs: 0 is no shared cap; a bad value says so in one line', () => {
    const env = { NX_INVOCATION_ANCESTOR_PIDS: String(owner()) };
    const lines: string[] = [];
    expect(runJobserver(root, 0, (l) => lines.push(l), env)).toBeUndefined();
    expect(runJobserver(root, 'two', (l) => lines.push(l), env)).toBeUndefined();
    expect(lines).toEqual(['fine-threads: plugin option "jobs" must be an integer ≥ 0 (0 = no shared cap), got "two"; no shared cap for this task.']);
  });
});

describe('the run', () => {
  it("is the outermost nx of NX_INVOCATION_ANCESTOR_PIDS; without it, the parent if it is nx, else this process", () => {
    expect(runOwner({ NX_INVOCATION_ANCESTOR_PIDS: '4242,777' })).toBe(4242);
    expect(runOwner({ NX_INVOCATION_ANCESTOR_PIDS: '31' })).toBe(31);
    // jest's parent is not nx.
    expect(runOwner({})).toBe(process.pid);
  });
});
