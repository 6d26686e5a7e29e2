import { closeSync, constants, openSync } from 'node:fs';
import { registeredOptions } from '../plugins/plugin-options';
import { log } from '../utils/log';
import { CARGO_JOBSERVER_FDS, pipeMakeflags, replaceJobserver } from './makeflags';
import { acquireToken, tryAcquireToken, type Token } from './pool';
import { watchForStall } from './refill';
import { runJobserver } from './run';

/** What one cargo needs to join the run's jobserver. */
export interface CargoJobserver {
  /** MAKEFLAGS and CARGO_MAKEFLAGS for cargo; empty when there is no shared jobserver. */
  env: Record<string, string>;
  /** Fds of this process to hand to cargo as its fds 3 and 4 (extra stdio), in that order. */
  fds: number[];
  /** Gives back this cargo's implicit token and closes the fds; call once cargo has exited. */
  release(): void;
}

const NONE: CargoJobserver = { env: {}, fds: [], release: () => undefined };

/** Seconds a task waits for its first token before it says so (default 120). */
export const WAIT_NOTE_ENV = 'FINE_THREADS_JOBSERVER_WAIT_NOTE';

function waitNoteSeconds(env: NodeJS.ProcessEnv): number {
  const n = Number(env[WAIT_NOTE_ENV]);
  return env[WAIT_NOTE_ENV] !== undefined && Number.isFinite(n) && n >= 0 ? n : 120;
}

/** The one line for a task still waiting for a token: what holds them, and how to recover. */
export function waitNote(path: string, jobs: number, seconds: number): string {
  const all = jobs > 0 ? `all ${jobs} tokens` : 'every token';
  return (
    `fine-threads: waited ${seconds} s for a jobserver token: ${all} of ${path} are out with other tasks of this run. ` +
    'If none of them is still compiling and no tokens were put back, a process killed with them kept them where this task cannot see the stall (Linux /proc, or make\'s pipe): stop this nx run (Ctrl-C) and start it again; the next run has a pool of its own.'
  );
}

/**
 * Takes this cargo's implicit token from the run's jobserver (run.ts: found,
 * or made when this is the run's first task), waiting for it, and returns
 * what cargo needs to take the rest itself. J is the plugin option `jobs`
 * in the context's nx.json (default: the cores).
 *
 * cargo gets the pipe form, `--jobserver-auth=3,4` with the jobserver open
 * at its fds 3 and 4, not the fifo's path: the jobserver crate hands on the
 * form it was given (to rustc, and in CARGO_MAKEFLAGS to build scripts),
 * and GNU make 4.3 in a build script stops with "invalid --jobserver-auth
 * string" on `fifo:`, while every client reads `R,W`.
 *
 * Under make, the implicit token make gave `nx`'s rule is used first (by
 * whichever cargo gets it), then make's own tokens: so `nx` counts as one
 * of make's jobs, as a sub-make would.
 */
export async function joinJobserver(
  context: { root: string; nxJsonConfiguration?: { plugins?: unknown[] } },
  env: NodeJS.ProcessEnv = process.env,
): Promise<CargoJobserver> {
  const pool = runJobserver(context.root, registeredOptions(context.nxJsonConfiguration?.plugins)?.jobs, log.warn, env);
  if (!pool) return NONE;
  let token: Token | undefined = pool.implicit ? tryAcquireToken(pool.implicit) : undefined;
  if (!token) {
    // A long wait is either a busy run or tokens lost with a killed task: say which to look for.
    const after = waitNoteSeconds(env);
    const note = setTimeout(() => log.warn(waitNote(pool.path, pool.jobs, after)), after * 1000);
    // Tokens lost with a killed task are put back when every holder of the pool is stalled on it.
    // Not make's pipe (pool.implicit): its tokens are make's to count.
    const watch = pool.implicit ? undefined : watchForStall(pool.path, pool.jobs, env, log.warn);
    token = await acquireToken(pool.path);
    watch?.stop();
    clearTimeout(note);
  }
  // The jobserver is gone (its run ended): no shared cap rather than a hang.
  if (!token) return NONE;
  let fd: number;
  try {
    fd = openSync(pool.path, constants.O_RDWR);
  } catch {
    token.release();
    return NONE;
  }
  const ours = pipeMakeflags(pool.jobs || undefined, CARGO_JOBSERVER_FDS);
  let released = false;
  return {
    env: { MAKEFLAGS: replaceJobserver(env.MAKEFLAGS, ours), CARGO_MAKEFLAGS: ours },
    // One O_RDWR handle serves as both ends, as make's own pipe fds would.
    fds: [fd, fd],
    release() {
      if (released) return;
      released = true;
      try {
        closeSync(fd);
      } finally {
        token.release();
      }
    },
  };
}

