/**
 * Tokens lost with a killed task, put back within the run.
 *
 * A token is a byte in the pool's fifo, and only the process that read it can give it back. One
 * killed with SIGKILL or by the OOM killer (a task's executor, its cargo, a rustc) cannot: at J=2,
 * two tokens lost that way used to stall every later task of the run. Nobody can tell who holds a
 * token, but a stall can be told for sure from outside: every process that has the pool open is
 * blocked reading it (a thread asleep in the kernel's pipe read), none of them uses CPU, and it stays
 * so, with the same processes, for a whole window. A client that holds a token is running a job
 * with it, and a job has the pool open too (cargo hands it on to rustc and build scripts) and is
 * not blocked on the pool; so in a stall the tokens are with nobody alive.
 *
 * How many go back: where every process that has the pool open is a task waiting for its first
 * token (each marks itself while it waits: `<fifo>.wait-<pid>`), none holds one and all J go
 * back. Where others are there too (a cargo whose executor was killed, now waiting for a token
 * while it holds some), one goes back: enough to move, never more than J once they return theirs.
 *
 * The waiting tasks do this, not the pool's holder: the holder is a small `sh` for every run,
 * and only a task that waits has a reason to look. Several may see one stall; a lock file and
 * the time of the last refill make it one refill. Linux only (/proc); elsewhere nothing is done.
 */
import { closeSync, existsSync, openSync, realpathSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { cpuTicksOf, processesWithOpen, threadsOf, type ThreadState } from '../system/proc';

/** Seconds a task waits for its first token before it starts looking for a stall (default 5; `off`: never). */
export const REFILL_AFTER_ENV = 'FINE_THREADS_JOBSERVER_REFILL_AFTER';
/** A stall must hold this long, sampled every SAMPLE_MS, before tokens go back. */
export const STALL_WINDOW_MS = 5_000;
export const SAMPLE_MS = 1_000;
/** More CPU than this share of one core over the window, and a process is working, not stalled. */
const MAX_CPU_SHARE = 0.1;
const HZ = 100;

export function refillAfterSeconds(env: NodeJS.ProcessEnv): number | undefined {
  const v = env[REFILL_AFTER_ENV];
  if (v === 'off') return undefined;
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) && n >= 0 ? n : 5;
}

/** One process that has the pool open, as one sample saw it. */
export interface Opener {
  pid: number;
  /** User + system CPU, clock ticks. */
  ticks: number;
  /** A thread of it is blocked reading a pipe. */
  reading: boolean;
  /** It is a task waiting for its first token (it marked itself). */
  waiter: boolean;
}

export interface Sample {
  at: number;
  openers: Opener[];
}

/**
 * A thread blocked in a pipe read: the wait of a jobserver client with a blocking fd. The
 * kernel's name for that wait: `pipe_read` (5.x to 6.14), `anon_pipe_read` (6.15 on, fifos
 * too), `pipe_wait` (older).
 */
export function blockedReading(threads: readonly ThreadState[]): boolean {
  return threads.some((t) => t.state === 'S' && /(^|_)pipe_read$|^pipe_wait/.test(t.wchan));
}

/**
 * How many tokens a series of samples shows lost: 0 unless, over at least `windowMs`, the same
 * processes had the pool open, each blocked reading it at every sample and using at most
 * MAX_CPU_SHARE of a core; then J when all are waiting tasks, else 1. Pure.
 */
export function lostTokens(samples: readonly Sample[], jobs: number, windowMs = STALL_WINDOW_MS): number {
  if (samples.length < 2 || jobs < 1) return 0;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const span = last.at - first.at;
  if (span < windowMs) return 0;
  const key = (s: Sample) => s.openers.map((o) => o.pid).sort((a, b) => a - b).join(',');
  const pids = key(first);
  if (!samples.every((s) => key(s) === pids && s.openers.every((o) => o.reading))) return 0;
  for (const o of first.openers) {
    const end = last.openers.find((x) => x.pid === o.pid);
    if (!end || (end.ticks - o.ticks) / HZ > (MAX_CPU_SHARE * span) / 1000) return 0;
  }
  return last.openers.every((o) => o.waiter) ? jobs : 1;
}

const waitMark = (fifo: string, pid: number) => `${fifo}.wait-${pid}`;

/** The processes (other than `self`, which must be one) that have the pool open, now; undefined where /proc cannot tell. */
export function sampleOpeners(fifo: string, self = process.pid): Opener[] | undefined {
  // /proc names an open file by its real path.
  const openers = processesWithOpen(realpathSync(fifo));
  // This task has it open while it waits: where /proc does not show that, it shows nothing to go by.
  if (!openers.includes(self)) return undefined;
  const out: Opener[] = [];
  for (const pid of openers) {
    if (pid === self) continue;
    const threads = threadsOf(pid);
    const ticks = cpuTicksOf(pid);
    if (!threads || ticks === undefined) continue; // gone meanwhile: the next sample differs
    out.push({ pid, ticks, reading: blockedReading(threads), waiter: existsSync(waitMark(fifo, pid)) });
  }
  return out;
}

/** Puts `n` tokens into the pool at `fifo`. */
function putTokens(fifo: string, n: number): void {
  const fd = openSync(fifo, 'r+');
  try {
    writeSync(fd, Buffer.alloc(n, '+'));
  } finally {
    closeSync(fd);
  }
}

/**
 * Refills under a lock, unless another task refilled since `since` (its stall is then over).
 * Returns what was put back.
 */
export function refill(fifo: string, n: number, since: number): number {
  const lock = `${fifo}.refill`;
  const stamp = `${fifo}.refilled`;
  let fd: number;
  try {
    fd = openSync(lock, 'wx');
  } catch {
    // Another task is refilling; a lock left by a task killed in these few lines goes after a minute.
    try {
      if (Date.now() - statSync(lock).mtimeMs > 60_000) rmSync(lock, { force: true });
    } catch {
      // gone meanwhile
    }
    return 0;
  }
  try {
    if (existsSync(stamp) && statSync(stamp).mtimeMs >= since) return 0;
    putTokens(fifo, n);
    writeFileSync(stamp, ''); // its mtime: when
    return n;
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}

/**
 * Watches for a stall while this task waits for its first token from the pool at `fifo` (J =
 * `jobs`), and refills when it finds one, saying so with `say`. Stop it once the token came.
 */
export function watchForStall(fifo: string, jobs: number, env: NodeJS.ProcessEnv, say: (line: string) => void): { stop(): void } {
  const after = refillAfterSeconds(env);
  if (after === undefined || jobs < 1 || !existsSync('/proc/self/task')) return { stop: () => undefined };
  const mark = waitMark(fifo, process.pid);
  let samples: Sample[] = [];
  let interval: NodeJS.Timeout | undefined;
  const tick = () => {
    try {
      look();
    } catch {
      // The pool went with its run (this task's read ends too), or /proc could not be read:
      // nothing to put back.
    }
  };
  const look = () => {
    const openers = sampleOpeners(fifo);
    if (!openers) return;
    samples.push({ at: Date.now(), openers });
    // Only the last window counts, and only samples that all saw the same stall.
    if (lostTokens(samples.slice(-2), jobs, 0) === 0) samples = samples.slice(-1);
    const lost = lostTokens(samples, jobs);
    if (lost === 0) return;
    const put = refill(fifo, lost, samples[0].at);
    samples = [];
    if (put > 0) {
      say(
        `fine-threads: the jobserver's tokens were all out and no task of this run was compiling for ${STALL_WINDOW_MS / 1000} s ` +
          `(a task holding them was killed): put ${put} of ${jobs} back into ${basename(fifo)}.`,
      );
    }
  };
  const start = setTimeout(() => {
    try {
      writeFileSync(mark, '');
    } catch {
      return; // the pool's directory is gone: its run ended, and the read ends too
    }
    tick();
    interval = setInterval(tick, SAMPLE_MS);
    interval.unref();
  }, after * 1000);
  start.unref();
  return {
    stop() {
      clearTimeout(start);
      if (interval) clearInterval(interval);
      rmSync(mark, { force: true });
    },
  };
}
