import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ThreadOptionError } from '../threads/options';
import { writeFileAtomic } from '../system/atomic-write';
import { processesWithOpen, processTree, threadCount } from '../system/proc';
import { captureRustc, captureRustcSync, notFound } from './process';

/**
 * The arguments that give rustc N front-end threads: the last one is a prefix that N is appended
 * to, e.g. `['-Zunstable-options', '--jobs-frontend=']` → `-Zunstable-options --jobs-frontend=2`.
 */
export type FlagForm = readonly string[];

/** How a toolchain's rustc takes front-end threads. */
export interface ThreadsSupport {
  /** The form the wrapper gives N in; null when the compiler takes none of FLAG_FORMS. */
  flag: FlagForm | null;
  /** Stable and beta accept -Z flags only with RUSTC_BOOTSTRAP=1. */
  bootstrap: boolean;
  /** rustc's `release:` line, for records and messages. */
  release: string;
  /**
   * Front-end threads this rustc runs when given no threads flag (1 on every toolchain so far);
   * null where it could not be observed (no /proc, or the compile failed): taken as 1.
   */
  defaultThreads: number | null;
}

/**
 * Newer compilers first. rustc 1.97+ nightlies (rust-lang/rust#159675) spell the front-end
 * count `--jobs-frontend=N`, an unstable option: without `-Z unstable-options` rustc refuses it
 * ("the `-Z unstable-options` flag must also be passed to enable the flag `jobs-frontend`"), and
 * `-Zthreads=N` stays only as a deprecated alias, which may go.
 */
export const FLAG_FORMS: readonly FlagForm[] = [['-Zunstable-options', '--jobs-frontend='], ['-Zthreads=']];

/** The form as one string, for messages and the wrapper's FINE_THREADS_FLAG (words split by spaces). */
export const formText = (form: FlagForm): string => form.join(' ');

/** The arguments for N threads in `form`. */
export const flagArgs = (form: FlagForm, n: number): string[] => [...form.slice(0, -1), `${form[form.length - 1]}${n}`];

export function releaseOf(verboseVersion: string): string {
  return /^release:\s*(\S+)/m.exec(verboseVersion)?.[1] ?? 'unknown';
}

/** Nightly and dev builds take -Z flags as they are; anything else needs RUSTC_BOOTSTRAP. */
export function needsBootstrap(release: string): boolean {
  return !/-(nightly|dev)$/.test(release);
}

type Run = (args: string[], env: NodeJS.ProcessEnv, stdin?: string) => Promise<{ code: number; stdout: string; missing?: boolean }>;
/** Threads of the rustc process while it compiles a crate with `args` added; undefined: not observed. */
export type CountThreads = (args: string[], env: NodeJS.ProcessEnv) => Promise<number | undefined>;

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

/** The process of the tree that has `file` open: the rustc reading it. */
function holderOf(pid: number, file: string): number | undefined {
  return processesWithOpen(file, processTree(pid))[0];
}

/** A probe that never ends is stopped after this long (one takes about 0.3 s on a loaded 2-core machine). */
const HOLD_LIMIT_MS = 60_000;

/**
 * How many threads a rustc process runs while compiling a crate, with `args` added. The crate is
 * `include_str!` of a fifo, so rustc stops in macro expansion, inside its front-end thread pool,
 * until this process writes the fifo: the count of /proc/<pid>/task is then read at a point
 * rustc reached for sure, with nothing left to chance (no sampling, no sleeps). Linux only
 * (/proc); undefined elsewhere or when the compile fails.
 */
function countRustcThreads(cwd: string, toolchain: string | undefined): CountThreads {
  return async (args, extraEnv) => {
    if (!existsSync('/proc/self/task')) return undefined;
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'fine-threads-probe-')));
    try {
      const fifo = join(dir, 'hold');
      if (spawnSync('mkfifo', ['-m', '600', fifo]).status !== 0) return undefined;
      const src = join(dir, 'lib.rs');
      writeFileSync(src, `pub const HOLD: &str = include_str!(${JSON.stringify(fifo)});\n`);
      const env: NodeJS.ProcessEnv = { ...process.env, ...(toolchain ? { RUSTUP_TOOLCHAIN: toolchain } : {}), ...extraEnv };
      // Not the jobserver of a make or cargo this process may run under: the probe stands alone.
      for (const key of ['MAKEFLAGS', 'MFLAGS', 'CARGO_MAKEFLAGS']) delete env[key];
      const child = spawn(
        process.env.RUSTC ?? 'rustc',
        [...args, '--crate-type=lib', '--crate-name=fine_threads_probe', '--emit=metadata', '-o', join(dir, 'out.rmeta'), src],
        { cwd, env, stdio: 'ignore' },
      );
      const guard = setTimeout(() => child.kill('SIGKILL'), HOLD_LIMIT_MS);
      const exited = new Promise<number | null>((resolve) => {
        child.once('error', () => resolve(null));
        child.once('exit', (code) => resolve(code));
      });
      // Opening the fifo to write returns once rustc has opened it to read.
      const opened = open(fifo, 'w').then(
        (handle) => ({ handle }),
        () => ({ handle: undefined }),
      );
      let count: number | undefined;
      if ((await Promise.race([opened.then(() => 'opened'), exited.then(() => 'exited')])) === 'opened') {
        const { handle } = await opened;
        const holder = child.pid === undefined ? undefined : holderOf(child.pid, fifo);
        if (holder !== undefined) count = threadCount(holder);
        await handle?.close(); // end of file: rustc goes on with an empty string
      } else {
        // rustc ended without reading the fifo: a reader of our own ends our pending open.
        const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
        await (await opened).handle?.close();
        closeSync(reader);
      }
      const code = await exited;
      clearTimeout(guard);
      return code === 0 ? count : undefined;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/**
 * The toolchain's front-end threads when no flag is given, observed: the threads of a rustc
 * compiling with no flag, against the same compile with an explicit 1 and 2. rustc's parallel
 * front-end is a pool of N worker threads (one thread per extra front-end thread: 4, 5, 6, 7
 * threads for 1..4 on rustc 1.95 and 1.97), so the default is 1 when none = one, else
 * 1 + (none − one) / (two − one).
 * Observed rather than read because rustc reports it nowhere: no `--print` request names it
 * (1.97 nightly lists none), `-Z help` shows `threads` with no default, and the proposal to
 * default nightly to 2 threads (rust-lang/rust#162848) sets it at the compiler's build time
 * (CFG_DEFAULT_FRONTEND_JOBS), so neither the release nor the channel tells it either.
 */
async function observeDefaultThreads(form: FlagForm, env: NodeJS.ProcessEnv, count: CountThreads): Promise<number | null> {
  // With no flag, as cargo runs a crate that is in no table: without RUSTC_BOOTSTRAP too (a
  // default set per channel could follow it).
  const none = await count([], {});
  const one = await count(flagArgs(form, 1), env);
  if (none === undefined || one === undefined) return null;
  if (none === one) return 1;
  const two = await count(flagArgs(form, 2), env);
  if (two === undefined || two <= one) return null;
  return Math.max(1, 1 + Math.round((none - one) / (two - one)));
}

/**
 * Cache entries of this shape live under this key of the cache file, keyed there by the full
 * `rustc -vV` text. Entries of earlier versions (the file's other keys) are left as they are,
 * for an older plugin that may share the workspace, and never read.
 */
const CACHE_KEY = 'v2';

/**
 * Asks the toolchain once which flag form it takes, by compiling an empty
 * crate to metadata with each form, and how many front-end threads it runs
 * by default. The answer is cached by the full `rustc -vV` text, so a
 * toolchain update probes again.
 */
export async function probeThreadsSupport(
  toolchain: string | undefined,
  cwd: string,
  cacheFile: string,
  run: Run = runRustc(cwd, toolchain),
  count: CountThreads = countRustcThreads(cwd, toolchain),
): Promise<ThreadsSupport> {
  const version = await run(['-vV'], {});
  if (version.missing) throw new ThreadOptionError(notFound('rustc'));
  if (version.code !== 0) {
    throw new ThreadOptionError(`\`rustc -vV\`${toolchain ? ` (toolchain ${toolchain})` : ''} failed: is the toolchain installed?`);
  }
  const cache = readCache(cacheFile);
  const cached = cache.mine[version.stdout];
  if (isSupport(cached)) return cached;

  const release = releaseOf(version.stdout);
  const bootstrap = needsBootstrap(release);
  const env = bootstrap ? { RUSTC_BOOTSTRAP: '1' } : {};
  let flag: FlagForm | null = null;
  for (const form of FLAG_FORMS) {
    const probe = await run([...flagArgs(form, 2), '--crate-type=lib', '--crate-name=fine_threads_probe', '--emit=metadata', '-o', '-', '-'], env);
    if (probe.code === 0) {
      flag = form;
      break;
    }
  }
  const defaultThreads = flag ? await observeDefaultThreads(flag, env, count) : null;
  const support: ThreadsSupport = { flag, bootstrap, release, defaultThreads };
  cache.mine[version.stdout] = support;
  writeCache(cacheFile, cache);
  return support;
}

function isSupport(v: unknown): v is ThreadsSupport {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<ThreadsSupport>;
  return (
    (s.flag === null || (Array.isArray(s.flag) && s.flag.length > 0 && s.flag.every((a) => typeof a === 'string'))) &&
    typeof s.bootstrap === 'boolean' &&
    typeof s.release === 'string' &&
    (s.defaultThreads === null || (Number.isInteger(s.defaultThreads) && (s.defaultThreads as number) >= 1))
  );
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The whole cache file, and this version's entries in it. */
function readCache(file: string): { whole: Record<string, unknown>; mine: Record<string, unknown> } {
  let whole: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    if (isMap(parsed)) whole = parsed;
  } catch {
    // none yet, or corrupt: probe again
  }
  return { whole, mine: isMap(whole[CACHE_KEY]) ? { ...whole[CACHE_KEY] } : {} };
}

function writeCache(file: string, cache: { whole: Record<string, unknown>; mine: Record<string, unknown> }): void {
  try {
    writeFileAtomic(file, JSON.stringify({ ...cache.whole, [CACHE_KEY]: cache.mine }));
  } catch {
    // Only a cache: the next task probes again.
  }
}
