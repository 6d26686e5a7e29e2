import type { ExecutorContext } from '@nx/devkit';
import { runCargoTask } from '../cargo-task';
import type { TestExecutorSchema } from './schema';

export default function testExecutor({ testArgs, ...options }: TestExecutorSchema, context: ExecutorContext) {
  return runCargoTask('test', options, context, { trailing: testArgs });
}
