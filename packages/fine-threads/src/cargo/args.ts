/** Options every cargo executor takes; each executor's schema.json lists them. */
export interface CargoCommonOptions {
  release?: boolean;
  profile?: string;
  features?: string | string[];
  allFeatures?: boolean;
  noDefaultFeatures?: boolean;
  target?: string;
  targetDir?: string;
  toolchain?: string;
  args?: string[];
  /** Not a cargo flag: read by the executor, applied by the rustc wrapper. */
  frontendThreads?: number;
  /** Not a cargo flag: build and check record their timings unless this is false. */
  record?: boolean;
}

export type CargoCommand = 'build' | 'check' | 'test' | 'clippy' | 'run';

export interface CargoInvocation {
  command: CargoCommand;
  /** One package (`-p a`), or several for one cargo over a batch of tasks (`-p a -p b`). */
  packageName: string | readonly string[];
  manifestPath: string;
  options: CargoCommonOptions;
  /** Arguments after `--`: for the test binary, clippy or the program run. */
  trailing?: string[];
  /** `cargo run --bin`. */
  bin?: string;
  /** `--timings`: cargo's report, from which builds are recorded. */
  timings?: boolean;
  /** Flags the executor itself adds (batch mode: `--keep-going`, `--message-format`), before the user's `args`. */
  flags?: readonly string[];
}

export class CargoOptionError extends Error {}

const TOOLCHAIN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The argv for cargo. Validation the JSON schema cannot express lives here
 * and fails with one line.
 */
export function cargoArgs(inv: CargoInvocation): string[] {
  const o = inv.options;
  const argv: string[] = [];
  if (o.toolchain !== undefined) {
    const name = o.toolchain.replace(/^\+/, '');
    if (!TOOLCHAIN.test(name)) throw new CargoOptionError(`invalid toolchain "${o.toolchain}" (expected a rustup toolchain name such as "nightly")`);
    argv.push(`+${name}`);
  }
  const packages = typeof inv.packageName === 'string' ? [inv.packageName] : inv.packageName;
  argv.push(inv.command, ...packages.flatMap((p) => ['-p', p]), '--manifest-path', inv.manifestPath);
  if (o.release && o.profile !== undefined && o.profile !== 'release') {
    throw new CargoOptionError(`"release" and "profile: ${o.profile}" conflict: use one of them`);
  }
  if (o.profile !== undefined) argv.push('--profile', o.profile);
  else if (o.release) argv.push('--release');
  const features = Array.isArray(o.features) ? o.features : o.features ? o.features.split(/[\s,]+/) : [];
  const named = features.filter((f) => f.length > 0);
  if (named.length > 0) argv.push('--features', named.join(','));
  if (o.allFeatures) argv.push('--all-features');
  if (o.noDefaultFeatures) argv.push('--no-default-features');
  if (o.target) argv.push('--target', o.target);
  if (o.targetDir) argv.push('--target-dir', o.targetDir);
  if (inv.bin) argv.push('--bin', inv.bin);
  if (inv.timings) argv.push('--timings');
  argv.push(...(inv.flags ?? []));
  argv.push(...(o.args ?? []));
  if (inv.trailing && inv.trailing.length > 0) argv.push('--', ...inv.trailing);
  return argv;
}

/** The config that, with `-Zbuild-analysis`, makes cargo log the build to `$CARGO_HOME/log/<run id>.jsonl`. */
export const BUILD_ANALYSIS_CONFIG = 'build.analysis.enabled=true';

/**
 * A recorded build's argv with cargo's build-analysis log turned on, before any `--`.
 * `owned` is false when the user's own args already asked for `-Zbuild-analysis`: the log is
 * then theirs to keep.
 */
export function withBuildAnalysis(argv: readonly string[]): { argv: string[]; owned: boolean } {
  const end = argv.indexOf('--');
  const head = end < 0 ? [...argv] : argv.slice(0, end);
  const tail = end < 0 ? [] : argv.slice(end);
  const owned = !head.some((a, k) => a === '-Zbuild-analysis' || (a === '-Z' && head[k + 1] === 'build-analysis'));
  return { argv: [...head, ...(owned ? ['-Zbuild-analysis'] : []), '--config', BUILD_ANALYSIS_CONFIG, ...tail], owned };
}

/** A shell-like rendering of the command, for the line printed before it runs. */
export function renderCommand(argv: readonly string[]): string {
  return ['cargo', ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
