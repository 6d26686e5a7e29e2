import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { PostTasksExecution, PreTasksExecution } from '@nx/devkit';
import { workspaceDataDirectoryForWorkspace } from 'nx/src/utils/cache-directory';
import type { FineThreadsPluginOptions } from '../plugins/plugin-options';
import { log } from '../utils/log';
import { endOfRunNote } from './accounting';
import { IMPLICIT_ENV } from './client';
import { findMakePipe } from './make-pipe';
import { parseMakeflags, type OuterJobserver } from './makeflags';
import {
  countTokens,
  createPool,
  formatJobserverEnv,
  JOBSERVER_ENV,
  poolFileName,
  removeStalePools,
  type Pool,
} from './pool';
import { startSampler, TRACE_ENV, type Sampler } from './sampler';

interface RunJobserver {
  /** Our pool (J tokens), or under make the one-token fifo of `nx`'s implicit token. */
  pool: Pool;
  /** Whether `pool` is the run's whole pool, so that its count at the end means something. */
  own: boolean;
  sampler?: Sampler;
  traceFile?: string;
}

const runs = new Map<string, RunJobserver>();
const STALE_MS = 6 * 60 * 60 * 1000;

function poolDir(workspaceRoot: string): string {
  return join(workspaceDataDirectoryForWorkspace(workspaceRoot), 'fine-threads-jobserver');
}

/** A fifo of this run, removed when this process exits (Ctrl-C included); only SIGKILL leaves it behind. */
function ownedPool(dir: string, kind: string, jobs: number): Pool {
  const pool = createPool(dir, poolFileName(kind, process.pid), jobs);
  const onExit = () => pool.close();
  process.once('exit', onExit);
  const close = pool.close.bind(pool);
  return {
    ...pool,
    close() {
      process.off('exit', onExit);
      close();
    },
  };
}

/** The path under which Nx's task processes can open make's jobserver, or a one-line reason why not. */
function outerPath(outer: OuterJobserver): string | { why: string } {
  if (outer.auth.kind === 'fifo') return outer.auth.path;
  const { read, write } = outer.auth;
  return (
    findMakePipe(read, write) ?? {
      why: `MAKEFLAGS names make's jobserver as fds ${read},${write}, but no process above this run holds them (Linux only, and not through the Nx daemon)`,
    }
  );
}

/**
 * Before Nx starts the run's tasks: one pool of J tokens (J = the plugin's
 * `jobs`, default the cores), announced to every task through the
 * environment. Under `make -jN` (MAKEFLAGS names a jobserver), make's
 * jobserver is announced instead, with a one-token fifo for the implicit
 * token make gave `nx`. Inside a task of an outer Nx run, nothing: the
 * outer pool is the one to share.
 */
export const preTasksExecution: PreTasksExecution<FineThreadsPluginOptions> = async (options, context) => {
  if (process.env[JOBSERVER_ENV]) return;
  const dir = poolDir(context.workspaceRoot);
  try {
    const stale = removeStalePools(dir, STALE_MS);
    if (stale.removed > 0) {
      const pids = stale.owners.length > 0 ? ` (pid ${stale.owners.join(', ')})` : '';
      log.warn(`fine-threads: removed ${stale.removed} jobserver fifo(s) left by Nx runs that were killed${pids}.`);
    }
  } catch {
    // litter only
  }

  const outer = parseMakeflags(process.env.MAKEFLAGS);
  if (outer) {
    const path = outerPath(outer);
    if (typeof path === 'string') {
      try {
        const implicit = ownedPool(dir, 'make', 1);
        runs.set(context.id, { pool: implicit, own: false });
        process.env[JOBSERVER_ENV] = formatJobserverEnv({ path, jobs: outer.jobs ?? 0 });
        process.env[IMPLICIT_ENV] = implicit.path;
      } catch (e) {
        log.warn(`fine-threads: not joining make's jobserver this run (${(e as Error).message.split('\n')[0]}).`);
      }
      return;
    }
    log.warn(`fine-threads: ${path.why}; a pool of this run's own instead.`);
  }

  const jobs = options?.jobs ?? availableParallelism();
  if (jobs === 0) return;
  if (!Number.isInteger(jobs) || jobs < 0) {
    log.warn(`fine-threads: plugin option "jobs" must be an integer ≥ 0 (0 = no shared cap), got ${JSON.stringify(jobs)}; no shared cap this run.`);
    return;
  }
  try {
    const pool = ownedPool(dir, 'run', jobs);
    const run: RunJobserver = { pool, own: true };
    const trace = process.env[TRACE_ENV];
    if (trace) {
      run.traceFile = resolve(context.workspaceRoot, trace);
      run.sampler = startSampler(pool.path, jobs, run.traceFile);
    }
    runs.set(context.id, run);
    process.env[JOBSERVER_ENV] = formatJobserverEnv(pool);
    // Set, not deleted: Nx passes on what a hook sets, not what it deletes.
    process.env[IMPLICIT_ENV] = '';
  } catch (e) {
    log.warn(`fine-threads: no shared jobserver this run (${(e as Error).message.split('\n')[0]}).`);
  }
};

/** After the run: the pool's own count (tokens lost or surplus, in one line), then the fifo goes. */
export const postTasksExecution: PostTasksExecution<FineThreadsPluginOptions> = async (_options, context) => {
  const run = runs.get(context.id);
  if (!run) return;
  runs.delete(context.id);
  try {
    const summary = run.sampler?.stop();
    if (summary) {
      log.info(
        `fine-threads: jobserver trace (J=${run.pool.jobs}): at most ${run.pool.jobs - summary.minAvailable} tokens in use, at most ${summary.maxAvailable} in the pool, ${summary.samples} samples, in ${run.traceFile}`,
      );
    }
    if (run.own) {
      const available = countTokens(run.pool.path, 2 * run.pool.jobs + 1);
      const note = available === undefined ? undefined : endOfRunNote(run.pool.jobs, available);
      if (note) log.warn(note);
    }
  } finally {
    run.pool.close();
  }
};
