import type { ExecutorContext } from '@nx/devkit';
import { runCargoTask } from '../cargo-task';
import type { CheckExecutorSchema } from './schema';

export default function checkExecutor(options: CheckExecutorSchema, context: ExecutorContext) {
  return runCargoTask('check', options, context);
}
