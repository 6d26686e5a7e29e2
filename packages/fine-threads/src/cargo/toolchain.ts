import { readFileSync } from 'node:fs';
import { ThreadOptionError } from '../threads/options';
import { writeFileAtomic } from '../system/atomic-write';
import { captureRustc, captureRustcSync, notFound } from './process';

/** How a toolchain's rustc takes front-end threads. */
export interface ThreadsSupport {
  /** The flag prefix the wrapper appends N to; null when the compiler takes neither form. */
  flag: '--jobs-frontend=' | '-Zthreads=' | null;
  /** Stable and beta accept -Z flags only with RUSTC_BOOTSTRAP=1. */
  bootstrap: boolean;
  /** rustc's `release:` line, for records and messages. */
  release: string;
}

/** Newer compilers first: once `--jobs-frontend` exists, `-Zthreads` may go. */
export const FLAG_FORMS = ['--jobs-frontend=', '-Zthreads='] as const;

export function releaseOf(verboseVersion: string): string {
  return /^release:\s*(\S+)/m.exec(verboseVersion)?.[1] ?? 'unknown';
}

/** Nightly and dev builds take -Z flags as they are; anything else needs RUSTC_BOOTSTRAP. */
export function needsBootstrap(release: string): boolean {
  return !/-(nightly|dev)$/.test(release);
}

type Run = (args: string[], env: NodeJS.ProcessEnv, stdin?: string) => Promise<{ code: number; stdout: string; missing?: boolean }>;

/**
 * The rustc cargo would run: `$RUSTC`, else `rustc` on PATH, with the
 * toolchain chosen the way `cargo +name` chooses it (RUSTUP_TOOLCHAIN).
 */
function runRustc(cwd: string, toolchain: string | undefined): Run {
  const base = toolchain ? { RUSTUP_TOOLCHAIN: toolchain } : {};
  return async (args, env, stdin) => {
    const r = await captureRustc(args, { cwd, env: { ...base, ...env }, stdin });
    return r.ok ? { code: 0, stdout: r.stdout } : { code: r.code ?? 1, stdout: r.stdout, missing: r.missing };
  };
}

/** rustc's release where cargo would run it (a rust-toolchain file there applies); throws one line. */
export function rustcReleaseIn(cwd: string): string {
  const r = captureRustcSync(['-vV'], { cwd });
  if (!r.ok) throw new ThreadOptionError(r.missing ? r.message : `cannot run rustc -vV in ${cwd}: ${r.stderr.trim().split('\n')[0] || r.message}`);
  return releaseOf(r.stdout);
}

/**
 * Asks the toolchain once which flag form it takes, by compiling an empty
 * crate to metadata with each form. The answer is cached by the full
 * `rustc -vV` text, so a toolchain update probes again.
 */
export async function probeThreadsSupport(
  toolchain: string | undefined,
  cwd: string,
  cacheFile: string,
  run: Run = runRustc(cwd, toolchain),
): Promise<ThreadsSupport> {
  const version = await run(['-vV'], {});
  if (version.missing) throw new ThreadOptionError(notFound('rustc'));
  if (version.code !== 0) {
    throw new ThreadOptionError(`\`rustc -vV\`${toolchain ? ` (toolchain ${toolchain})` : ''} failed: is the toolchain installed?`);
  }
  const cache = readCache(cacheFile);
  const cached = cache[version.stdout];
  if (cached) return cached;

  const release = releaseOf(version.stdout);
  const bootstrap = needsBootstrap(release);
  let flag: ThreadsSupport['flag'] = null;
  for (const form of FLAG_FORMS) {
    const probe = await run(
      [`${form}2`, '--crate-type=lib', '--crate-name=fine_threads_probe', '--emit=metadata', '-o', '-', '-'],
      bootstrap ? { RUSTC_BOOTSTRAP: '1' } : {},
    );
    if (probe.code === 0) {
      flag = form;
      break;
    }
  }
  const support: ThreadsSupport = { flag, bootstrap, release };
  cache[version.stdout] = support;
  writeCache(cacheFile, cache);
  return support;
}

function readCache(file: string): Record<string, ThreadsSupport> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

function writeCache(file: string, cache: Record<string, ThreadsSupport>): void {
  try {
    writeFileAtomic(file, JSON.stringify(cache));
  } catch {
    // Only a cache: the next task probes again.
  }
}
