/**
 * The names `cargo new` refuses (cargo's `restricted_names` and `check_name`), plus the ones it
 * only warns about (standard-library names, Windows device names, non-ASCII): a generated crate
 * should build everywhere without a warning.
 */

// https://doc.rust-lang.org/reference/keywords.html, as cargo lists them.
const KEYWORDS = new Set([
  'Self', 'abstract', 'as', 'async', 'await', 'become', 'box', 'break', 'const', 'continue',
  'crate', 'do', 'dyn', 'else', 'enum', 'extern', 'false', 'final', 'fn', 'for', 'if',
  'impl', 'in', 'let', 'loop', 'macro', 'match', 'mod', 'move', 'mut', 'override', 'priv',
  'pub', 'ref', 'return', 'self', 'static', 'struct', 'super', 'trait', 'true', 'try',
  'type', 'typeof', 'unsafe', 'unsized', 'use', 'virtual', 'where', 'while', 'yield',
]);
const STD_CRATES = new Set(['core', 'std', 'alloc', 'proc_macro', 'proc-macro', 'test']);
// Directories cargo makes in target/<profile>/.
const BUILD_DIRS = new Set(['deps', 'examples', 'build', 'incremental']);
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

/** Why `name` cannot name a new crate, or undefined when it can. */
export function crateNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a crate name cannot be empty';
  const bad = [...name].find((c) => !/[A-Za-z0-9_-]/.test(c));
  if (bad !== undefined) return `invalid character \`${bad}\` in crate name \`${name}\`: use ASCII letters, digits, \`-\` and \`_\``;
  if (/^[0-9]/.test(name)) return `invalid crate name \`${name}\`: it cannot start with a digit`;
  if (name.startsWith('-')) return `invalid crate name \`${name}\`: it must start with a letter or \`_\``;
  if (KEYWORDS.has(name)) return `invalid crate name \`${name}\`: it is a Rust keyword`;
  if (STD_CRATES.has(name)) return `invalid crate name \`${name}\`: it is the name of a crate of Rust's standard library`;
  if (BUILD_DIRS.has(name)) return `invalid crate name \`${name}\`: it conflicts with cargo's build directory names`;
  if (WINDOWS_RESERVED.test(name)) return `invalid crate name \`${name}\`: it is a reserved Windows file name`;
  return undefined;
}
