import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { PostTasksExecution, PreTasksExecution } from '@nx/devkit';
import { workspaceDataDirectoryForWorkspace } from 'nx/src/utils/cache-directory';
import type { FineThreadsPluginOptions } from '../plugins/plugin-options';
import { log } from '../utils/log';
import { createPool, formatJobserverEnv, JOBSERVER_ENV, removeStalePools, type Pool } from './pool';

const pools = new Map<string, Pool>();
const STALE_MS = 6 * 60 * 60 * 1000;

function poolDir(workspaceRoot: string): string {
  return join(workspaceDataDirectoryForWorkspace(workspaceRoot), 'fine-threads-jobserver');
}

/**
 * Before Nx starts the run's tasks: one pool of J tokens (J = the plugin's
 * `jobs`, default the cores), announced to every task through the
 * environment. Not when a pool is already there: under `make -jN`, cargo
 * joins make's jobserver from MAKEFLAGS by itself; inside a task of an
 * outer Nx run, the outer pool is the one to share.
 */
export const preTasksExecution: PreTasksExecution<FineThreadsPluginOptions> = async (options, context) => {
  if (process.env[JOBSERVER_ENV] || /--jobserver-(auth|fds)=/.test(process.env.MAKEFLAGS ?? '')) return;
  const jobs = options?.jobs ?? availableParallelism();
  if (jobs === 0) return;
  if (!Number.isInteger(jobs) || jobs < 0) {
    log.warn(`fine-threads: plugin option "jobs" must be an integer ≥ 0 (0 = no shared cap), got ${JSON.stringify(jobs)}; no shared cap this run.`);
    return;
  }
  const dir = poolDir(context.workspaceRoot);
  try {
    const removed = removeStalePools(dir, STALE_MS);
    if (removed > 0) log.warn(`fine-threads: removed ${removed} jobserver fifo(s) left by runs that were killed.`);
    const pool = createPool(dir, `run-${process.pid}-${Date.now()}`, jobs);
    pools.set(context.id, pool);
    process.env[JOBSERVER_ENV] = formatJobserverEnv(pool);
  } catch (e) {
    log.warn(`fine-threads: no shared jobserver this run (${(e as Error).message.split('\n')[0]}).`);
  }
};

export const postTasksExecution: PostTasksExecution<FineThreadsPluginOptions> = async (_options, context) => {
  pools.get(context.id)?.close();
  pools.delete(context.id);
};
