import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { joinJobserver } from './client';
import { countTokens, createPool, formatJobserverEnv, JOBSERVER_ENV, type Pool } from './pool';
import { blockedReading, lostTokens, REFILL_AFTER_ENV, type Opener, type Sample } from './refill';

describe('lostTokens (pure)', () => {
  const o = (pid: number, ticks: number, more: Partial<Opener> = {}): Opener => ({ pid, ticks, reading: true, waiter: true, ...more });
  const series = (...openers: Opener[][]): Sample[] => openers.map((os, i) => ({ at: i * 1000, openers: os }));

  it('all J when the same waiting tasks sat blocked on the pool for the whole window', () => {
    expect(lostTokens(series([o(1, 10), o(2, 5)], [o(1, 10), o(2, 5)], [o(1, 11), o(2, 5)], [o(1, 11), o(2, 6)], [o(1, 12), o(2, 6)], [o(1, 12), o(2, 6)]), 2)).toBe(2);
  });

  it('all J when nobody else has the pool open any more', () => {
    expect(lostTokens(series(...Array.from({ length: 6 }, () => [])), 3)).toBe(3);
  });

  it('one when a process that may hold tokens (not a waiting task) is stalled with them', () => {
    expect(lostTokens(series(...Array.from({ length: 6 }, () => [o(1, 7), o(9, 100, { waiter: false })])), 2)).toBe(1);
  });

  it('none while any of them works: CPU over a tenth of a core', () => {
    expect(lostTokens(series([o(1, 0), o(9, 0, { waiter: false })], [o(1, 0), o(9, 20, { waiter: false })], [o(1, 0), o(9, 40, { waiter: false })], [o(1, 0), o(9, 60, { waiter: false })], [o(1, 0), o(9, 80, { waiter: false })], [o(1, 0), o(9, 100, { waiter: false })]), 2)).toBe(0);
  });

  it('none when one of them is not blocked on a pipe (a build script asleep, a cargo on a lock)', () => {
    const s = series(...Array.from({ length: 6 }, () => [o(1, 0), o(9, 0, { waiter: false, reading: false })]));
    expect(lostTokens(s, 2)).toBe(0);
  });

  it('none when the processes change during the window, or the window is short', () => {
    expect(lostTokens(series([o(1, 0)], [o(1, 0)], [o(1, 0), o(2, 0)], [o(1, 0), o(2, 0)], [o(1, 0), o(2, 0)], [o(1, 0), o(2, 0)]), 2)).toBe(0);
    expect(lostTokens(series([o(1, 0)], [o(1, 0)], [o(1, 0)]), 2)).toBe(0);
  });

  it('a thread asleep in pipe_read is a blocked reader; one running, or asleep elsewhere, is not', () => {
    expect(blockedReading([{ tid: 1, state: 'S', wchan: 'ep_poll' }, { tid: 2, state: 'S', wchan: 'pipe_read' }])).toBe(true);
    expect(blockedReading([{ tid: 1, state: 'S', wchan: 'do_epoll_wait' }, { tid: 2, state: 'S', wchan: 'anon_pipe_read' }])).toBe(true);
    expect(blockedReading([{ tid: 1, state: 'R', wchan: '0' }])).toBe(false);
    expect(blockedReading([{ tid: 1, state: 'S', wchan: 'hrtimer_nanosleep' }, { tid: 2, state: 'S', wchan: 'do_wait' }])).toBe(false);
  });
});

// Real fifos and real processes: a child takes tokens the way cargo does (an fd of the pool, a
// blocking read per token), and this process waits for one through joinJobserver.
describe('a task waiting on a pool whose tokens were lost', () => {
  let dir: string;
  let pool: Pool;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ft-refill-'));
    pool = createPool(dir, 'run-1-1', 2);
  });
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    pool.close();
    rmSync(dir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  /** A client that takes `n` tokens, says so, then does `then` (a JS statement) holding them. */
  function client(n: number, then: string): Promise<ChildProcess> {
    const code = [
      "const fs = require('fs');",
      `const fd = fs.openSync(${JSON.stringify(pool.path)}, 'r+');`,
      `for (let i = 0; i < ${n}; i++) fs.readSync(fd, Buffer.alloc(1), 0, 1, null);`,
      "process.stdout.write('held\\n');",
      then,
    ].join('\n');
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    return new Promise((resolve) => child.stdout?.once('data', () => resolve(child)));
  }

  const env = () => ({ [JOBSERVER_ENV]: formatJobserverEnv(pool), [REFILL_AFTER_ENV]: '0' });
  const exited = (c: ChildProcess) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(undefined) : c.once('exit', r)));

  it('gets all J back when the holder was SIGKILLed, says so once, and the pool then holds J', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const holder = await client(2, 'setInterval(() => {}, 1000);');
    holder.kill('SIGKILL');
    await exited(holder);
    expect(countTokens(pool.path, 5)).toBe(0);
    const t0 = Date.now();
    const j = await joinJobserver({ root: dir }, env());
    // Not before a whole window of stall.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(5000);
    expect(countTokens(pool.path, 5)).toBe(1);
    j.release();
    expect(countTokens(pool.path, 5)).toBe(2);
    const lines = warn.mock.calls.map((c) => String(c[0]));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^fine-threads: the jobserver's tokens were all out and no task of this run was compiling for 5 s \(a task holding them was killed\): put 2 of 2 back into run-1-1\.fifo\.$/);
    // Its wait mark is gone with the wait.
    expect(readdirSync(dir).filter((n) => n.includes('.wait-'))).toEqual([]);
  }, 30_000);

  it('puts one back when a live client sits blocked on the pool holding tokens of its own', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    // Takes both, then blocks reading a third: stalled, but maybe with tokens it will give back.
    await client(2, 'fs.readSync(fd, Buffer.alloc(1), 0, 1, null);');
    const j = await joinJobserver({ root: dir }, env());
    // The one put back went to this task, or to the client (which then exits with its three,
    // and the next window finds only this task waiting: all J back).
    const lines = warn.mock.calls.map((c) => String(c[0]));
    expect(lines[0]).toMatch(/: put 1 of 2 back into run-1-1\.fifo\.$/);
    expect(lines.slice(1).every((l) => /: put 2 of 2 back/.test(l))).toBe(true);
    expect(countTokens(pool.path, 5)).toBeLessThanOrEqual(1);
    j.release();
  }, 30_000);

  it('puts nothing back while the holder works, or sleeps, with its tokens; it gets them when they come back', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    // 4 s of CPU, then 4 s asleep (not on the pool), then both tokens back: a compile, then a
    // build script asleep. Neither is a stall, though nobody else is there.
    const holder = await client(
      2,
      [
        'const until = Date.now() + 4000; while (Date.now() < until) {}',
        "require('child_process').execFileSync('sleep', ['4']);",
        "fs.writeSync(fd, Buffer.from('++'));",
      ].join('\n'),
    );
    const t0 = Date.now();
    const j = await joinJobserver({ root: dir }, env());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(7000);
    await exited(holder);
    expect(countTokens(pool.path, 5)).toBe(1);
    j.release();
    expect(countTokens(pool.path, 5)).toBe(2);
    expect(warn).not.toHaveBeenCalled();
    expect(existsSync(`${pool.path}.refilled`)).toBe(false);
  }, 30_000);
});
