import type { ExecutorContext } from '@nx/devkit';
import { cargoBatch } from '../../batch/run-batch';
import { runCargoTask } from '../../cargo/task';
import type { CheckExecutorSchema } from './schema';

export default function checkExecutor(options: CheckExecutorSchema, context: ExecutorContext) {
  return runCargoTask('check', options, context);
}

/** Nx's batch mode: the batch's tasks as one cargo per Cargo workspace and options. */
export const batch = cargoBatch<CheckExecutorSchema>('check', (options) => ({ options }));
