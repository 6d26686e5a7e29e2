/**
 * One-line messages to the user. Plain console writes rather than the
 * devkit's logger: loading `@nx/devkit` costs about half a second, which
 * would be paid by every `nx` command (inference) and every task (executors).
 */
export const log = {
  info: (line: string): void => console.log(line),
  warn: (line: string): void => console.warn(line),
  error: (line: string): void => console.error(line),
};
