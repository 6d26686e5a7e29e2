import type { ExecutorContext } from '@nx/devkit';
import { runCargoTask } from '../cargo-task';
import type { LintExecutorSchema } from './schema';

export default function lintExecutor({ clippyArgs, ...options }: LintExecutorSchema, context: ExecutorContext) {
  return runCargoTask('clippy', options, context, { trailing: clippyArgs });
}
