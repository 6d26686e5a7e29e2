import type { ExecutorContext } from '@nx/devkit';
import { runCargoTask } from '../cargo-task';
import type { BuildExecutorSchema } from './schema';

export default function buildExecutor(options: BuildExecutorSchema, context: ExecutorContext) {
  return runCargoTask('build', options, context);
}
