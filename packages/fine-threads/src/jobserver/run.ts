/**
 * The jobserver of an Nx run, found or made by whichever executor of the run needs it first.
 *
 * One pool per run of `nx`: a fifo named after the run's nx process (its pid and start time),
 * so every task of the run, in any of Nx's task processes, finds the same one, and no later
 * run ever does. Its first user makes it and starts its holder (holder.ts), which keeps it
 * open until that nx process exits and then removes it: Ctrl-C, a crash or `kill -9` of nx
 * leave nothing behind. Only a holder killed with SIGKILL leaves a fifo, which the next run
 * removes, with one line.
 *
 * Why not Nx's preTasksExecution/postTasksExecution hooks: Nx runs a plugin's task hooks in a
 * plugin worker started for each run (0.4 s under the Nx daemon), for every nx command,
 * TypeScript-only ones included. Made here, the pool costs only the runs that start cargo.
 *
 * Under `make -jN` (MAKEFLAGS names a jobserver), make's jobserver is the run's, and `nx`'s
 * implicit token (make gave it one for its rule) sits in a one-token fifo that the first
 * cargo takes, as a sub-make would use it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, constants, linkSync, lstatSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { workspaceDataDir } from '../system/nx-dirs';
import { cmdlineOf, startTimeOf } from '../system/proc';
import { killHolder, startHolder } from './holder';
import { findMakePipe } from './make-pipe';
import { parseMakeflags, type OuterJobserver } from './makeflags';
import { JOBSERVER_ENV, parseJobserverEnv, removeStalePools } from './pool';
import { TRACE_ENV } from './sampler';

export interface RunJobserver {
  /** The fifo (or a /proc path to make's pipe) every cargo of the run takes its tokens from. */
  path: string;
  /** J, when known (0 under a make that did not say). */
  jobs: number;
  /** Under make: the one-token fifo of nx's implicit token, taken first when free. */
  implicit?: string;
}

const STALE_MS = 6 * 60 * 60 * 1000;

export function poolDir(workspaceRoot: string): string {
  return join(workspaceDataDir(workspaceRoot), 'fine-threads-jobserver');
}

function looksLikeNx(pid: number): boolean {
  return (cmdlineOf(pid) ?? []).some((arg) => /(^|\/)nx(\.js)?$/.test(arg));
}

/**
 * The run's nx process: the outermost in NX_INVOCATION_ANCESTOR_PIDS (Nx sets it for task
 * processes; an nx started by a task shares the outer run's pool), else the parent when it
 * is nx, else this process (a pool of its own).
 */
export function runOwner(env: NodeJS.ProcessEnv = process.env): number {
  const ancestors = (env.NX_INVOCATION_ANCESTOR_PIDS ?? '')
    .split(',')
    .map(Number)
    .filter((p) => Number.isInteger(p) && p > 0);
  if (ancestors.length > 0) return ancestors[0];
  return looksLikeNx(process.ppid) ? process.ppid : process.pid;
}

/**
 * The pools' directory, made 0700: a pool's fifo is a cap on this user's builds, and nobody else
 * may put one there, take its tokens or swap it. An existing one of another user, or one that
 * others may write to, is refused.
 */
function ownDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (uid !== undefined && st.uid !== uid) throw new Error(`${dir} belongs to uid ${st.uid}, not to this user (uid ${uid})`);
  if ((st.mode & 0o022) !== 0) chmodSync(dir, 0o700);
}

/**
 * Whether `path` is a pool to use: absent → false; this user's fifo with mode 0600 → true;
 * anything else there (a symlink, a file, another user's or a wider fifo) → an error naming it.
 */
function isOwnFifo(path: string): boolean {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return false;
  }
  const uid = process.getuid?.();
  const what = st.isSymbolicLink() ? 'a symlink' : !st.isFIFO() ? 'not a fifo' : undefined;
  if (what) throw new Error(`${path} is ${what}: refused as a jobserver`);
  if (uid !== undefined && st.uid !== uid) throw new Error(`${path} belongs to uid ${st.uid}, not to this user (uid ${uid}): refused as a jobserver`);
  if ((st.mode & 0o777) !== 0o600) throw new Error(`${path} has mode ${(st.mode & 0o777).toString(8)}, not 600: refused as a jobserver`);
  return true;
}

/**
 * The fifo `name` in `dir` with `jobs` tokens, made if it is not there yet. Several executors
 * may race to make it: each fills a fifo of its own and starts its holder, and the first to
 * link it under `name` wins; the others stop their holders and use the winner's.
 */
export function ensurePool(dir: string, name: string, jobs: number, owner: number, traceFile?: string): string {
  const path = join(dir, name);
  ownDir(dir);
  if (isOwnFifo(path)) return path;
  const tmp = join(dir, `.${name}.${process.pid}.new`);
  rmSync(tmp, { force: true });
  execFileSync('mkfifo', ['-m', '600', tmp]);
  // O_RDWR never blocks on a fifo (Linux), and keeps its bytes until the holder has it.
  const fd = openSync(tmp, constants.O_RDWR);
  try {
    writeSync(fd, Buffer.alloc(jobs, '+'));
    const holder = startHolder(fd, { owner, path, jobs, traceFile });
    try {
      linkSync(tmp, path);
    } catch (e) {
      if (holder) killHolder(holder);
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  } finally {
    closeSync(fd);
    rmSync(tmp, { force: true });
  }
  return path;
}

/** The path under which this process can open make's jobserver, or a one-line reason why not. */
function outerPath(outer: OuterJobserver): string | { why: string } {
  if (outer.auth.kind === 'fifo') return outer.auth.path;
  const { read, write } = outer.auth;
  return (
    findMakePipe(read, write) ?? {
      why: `MAKEFLAGS names make's jobserver as fds ${read},${write}, but no process above this task holds them (Linux only)`,
    }
  );
}

/**
 * The run's jobserver for this task, made when it is the run's first; undefined when there is
 * no shared cap (`jobs: 0`). One-line notes (a bad option, fifos removed after killed runs)
 * go to `say`.
 */
export function runJobserver(
  workspaceRoot: string,
  jobsOption: unknown,
  say: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): RunJobserver | undefined {
  // Given outright (tests, or a tool that runs executors itself).
  const given = parseJobserverEnv(env[JOBSERVER_ENV]);
  if (given) return given;
  const dir = poolDir(workspaceRoot);
  try {
    const stale = removeStalePools(dir, STALE_MS);
    if (stale.removed > 0) {
      const pids = stale.owners.length > 0 ? ` (pid ${stale.owners.join(', ')})` : '';
      say(`fine-threads: removed ${stale.removed} jobserver fifo(s) left by Nx runs that were killed${pids}.`);
    }
  } catch {
    // litter only
  }
  const owner = runOwner(env);
  const tag = `${owner}-${startTimeOf(owner) ?? '0'}`;

  const outer = parseMakeflags(env.MAKEFLAGS);
  if (outer) {
    const path = outerPath(outer);
    if (typeof path === 'string') {
      try {
        return { path, jobs: outer.jobs ?? 0, implicit: ensurePool(dir, `make-${tag}.fifo`, 1, owner) };
      } catch (e) {
        say(`fine-threads: not joining make's jobserver (${(e as Error).message.split('\n')[0]}).`);
        return undefined;
      }
    }
    say(`fine-threads: ${path.why}; a pool of this run's own instead.`);
  }

  const jobs = jobsOption ?? availableParallelism();
  if (jobs === 0) return undefined;
  if (typeof jobs !== 'number' || !Number.isInteger(jobs) || jobs < 0) {
    say(`fine-threads: plugin option "jobs" must be an integer ≥ 0 (0 = no shared cap), got ${JSON.stringify(jobs)}; no shared cap for this task.`);
    return undefined;
  }
  const trace = env[TRACE_ENV];
  try {
    return { path: ensurePool(dir, `run-${tag}.fifo`, jobs, owner, trace ? resolve(workspaceRoot, trace) : undefined), jobs };
  } catch (e) {
    say(`fine-threads: no shared jobserver for this task (${(e as Error).message.split('\n')[0]}).`);
    return undefined;
  }
}
