import type { ExecutorContext } from '@nx/devkit';
import { runCargoTask } from '../../cargo/task';
import type { RunExecutorSchema } from './schema';

export default function runExecutor({ bin, runArgs, ...options }: RunExecutorSchema, context: ExecutorContext) {
  return runCargoTask('run', options, context, { bin, trailing: runArgs });
}
