import type { ExecutorContext } from '@nx/devkit';
import { cargoBatch } from '../../batch/run-batch';
import { runCargoTask } from '../../cargo/task';
import type { TestExecutorSchema } from './schema';

export default function testExecutor({ testArgs, ...options }: TestExecutorSchema, context: ExecutorContext) {
  return runCargoTask('test', options, context, { trailing: testArgs });
}

/** Nx's batch mode: the batch's tasks as one cargo per Cargo workspace and options. */
export const batch = cargoBatch<TestExecutorSchema>('test', ({ testArgs, ...options }) => ({ options, trailing: testArgs }));
