import type { ExecutorContext } from '@nx/devkit';
import { cargoBatch } from '../../batch/run-batch';
import { runCargoTask } from '../../cargo/task';
import type { BuildExecutorSchema } from './schema';

export default function buildExecutor(options: BuildExecutorSchema, context: ExecutorContext) {
  return runCargoTask('build', options, context);
}

/** Nx's batch mode: the batch's tasks as one cargo per Cargo workspace and options. */
export const batch = cargoBatch<BuildExecutorSchema>('build', (options) => ({ options }));
