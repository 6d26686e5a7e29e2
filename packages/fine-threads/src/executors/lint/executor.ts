import type { ExecutorContext } from '@nx/devkit';
import { cargoBatch } from '../../batch/run-batch';
import { runCargoTask } from '../../cargo/task';
import type { LintExecutorSchema } from './schema';

export default function lintExecutor({ clippyArgs, ...options }: LintExecutorSchema, context: ExecutorContext) {
  return runCargoTask('clippy', options, context, { trailing: clippyArgs });
}

/** Nx's batch mode: the batch's tasks as one cargo per Cargo workspace and options. */
export const batch = cargoBatch<LintExecutorSchema>('clippy', ({ clippyArgs, ...options }) => ({ options, trailing: clippyArgs }));
