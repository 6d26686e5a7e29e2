import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { workspaceDataDir } from '../system/nx-dirs';
import { PLUGIN_NAME } from '../plugins/plugin-options';
import type { CargoCommand } from '../cargo/args';
import { crateNameOf, formatThreadTable, resolveThreadTable, ThreadOptionError, type ThreadMode, type ThreadSource } from './options';
import { formText, probeThreadsSupport, type ThreadsSupport } from '../cargo/toolchain';

/** The rustc wrapper shipped with the package: a POSIX sh script, so no Node per rustc. */
export const WRAPPER_PATH = join(__dirname, '..', '..', 'bin', 'fine-threads-rustc');

interface CargoMeta {
  crateNames?: string[];
}

/** Every place a thread count can be set, in the order later ones override earlier ones. */
export function threadSources(context: ExecutorContext, taskCrateNames: string[], cliValue: unknown): ThreadSource[] {
  const sources: ThreadSource[] = [];
  for (const entry of context.nxJsonConfiguration?.plugins ?? []) {
    if (typeof entry !== 'object' || entry.plugin !== PLUGIN_NAME) continue;
    const map = (entry.options as { frontendThreads?: unknown } | undefined)?.frontendThreads;
    if (map === undefined) continue;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      throw new ThreadOptionError(
        `nx.json frontendThreads: expected a map from crate name to count, e.g. { "syn": 2 }, got ${JSON.stringify(map)}`,
      );
    }
    for (const [crate, setting] of Object.entries(map)) {
      sources.push({ origin: `nx.json frontendThreads.${crate}`, crateNames: [crateNameOf(crate)], setting });
    }
  }
  for (const [name, project] of Object.entries(context.projectsConfigurations.projects)) {
    const metadata = project.metadata as { frontendThreads?: unknown; cargo?: CargoMeta } | undefined;
    if (metadata?.frontendThreads === undefined) continue;
    sources.push({
      origin: `project ${name}`,
      crateNames: metadata.cargo?.crateNames ?? [crateNameOf(name)],
      setting: metadata.frontendThreads,
    });
  }
  if (cliValue !== undefined) sources.push({ origin: '--frontendThreads', crateNames: taskCrateNames, setting: cliValue });
  // The tuner's calibration builds (`nx g fine-threads:tune --calibrate`) set counts for one run only.
  for (const [crate, n] of parseCalibration(process.env[CALIBRATE_ENV])) {
    sources.push({ origin: `${CALIBRATE_ENV} ${crate}`, crateNames: [crate], setting: n });
  }
  return sources;
}

/** `crate=N crate=N`: thread counts for one run, over every other setting. */
export const CALIBRATE_ENV = 'FINE_THREADS_CALIBRATE';

export function parseCalibration(value: string | undefined): [string, number][] {
  if (!value) return [];
  return value
    .trim()
    .split(/\s+/)
    .map((pair) => {
      const m = /^([A-Za-z0-9_-]+(?:@[A-Za-z0-9.+-]+)?)=(\d+)$/.exec(pair);
      if (!m) throw new ThreadOptionError(`${CALIBRATE_ENV}: "${pair}" is not crate=N`);
      return [crateNameOf(m[1]), Number(m[2])] as [string, number];
    });
}

/** Which mode's table a cargo command applies: clippy checks, `cargo run` builds. */
export function threadModeOf(command: CargoCommand): ThreadMode {
  return command === 'clippy' ? 'check' : command === 'run' ? 'build' : command;
}

export interface ThreadsPlan {
  /** Variables for cargo; empty when no crate is threaded. */
  env: Record<string, string>;
  threads: Map<string, number>;
  support?: ThreadsSupport;
  cores: number;
  /** One line each, to print before cargo runs. */
  notes: string[];
}

/**
 * Resolves the thread table for one task and, when any crate is threaded (or set to 1 on a
 * toolchain whose default is more), the environment that makes cargo call the wrapper. Throws
 * ThreadOptionError (one line) for a bad value.
 */
export async function planThreads(
  context: ExecutorContext,
  command: CargoCommand,
  taskCrateNames: string[],
  cliValue: unknown,
  toolchain: string | undefined,
  cwd: string,
  eventsFile: string,
): Promise<ThreadsPlan> {
  const cores = availableParallelism();
  const { threads, ones, notes } = resolveThreadTable(threadSources(context, taskCrateNames, cliValue), cores, threadModeOf(command));
  // Crates set to 1 need the toolchain's answer too: its default may be more than 1 thread.
  if (threads.size === 0 && ones.size === 0) return { env: {}, threads, cores, notes };

  const cacheFile = join(workspaceDataDir(context.root), 'fine-threads-toolchains.json');
  const support = await probeThreadsSupport(toolchain, cwd, cacheFile);
  if (!support.flag) {
    if (threads.size > 0) {
      notes.push(
        `fine-threads: rustc ${support.release} takes neither --jobs-frontend nor -Zthreads: building without front-end threads.`,
      );
    }
    return { env: {}, threads: new Map(), support, cores, notes };
  }
  // A toolchain that runs more than one front-end thread unless told otherwise: a 1 must be said.
  const explicitOnes = (support.defaultThreads ?? 1) > 1;
  const table = new Map(threads);
  if (explicitOnes) for (const crate of ones) table.set(crate, 1);
  if (table.size === 0) return { env: {}, threads, support, cores, notes };
  const env: Record<string, string> = {
    RUSTC_WRAPPER: WRAPPER_PATH,
    FINE_THREADS_TABLE: formatThreadTable(table),
    FINE_THREADS_FLAG: formText(support.flag),
    FINE_THREADS_EVENTS: eventsFile,
  };
  if (explicitOnes) env.FINE_THREADS_DEFAULT = String(support.defaultThreads);
  if (support.bootstrap) env.FINE_THREADS_BOOTSTRAP = '1';
  // A wrapper the user already has (sccache, …) keeps running, inside ours.
  const inner = process.env.RUSTC_WRAPPER ?? process.env.CARGO_BUILD_RUSTC_WRAPPER;
  if (inner && inner !== WRAPPER_PATH) env.FINE_THREADS_INNER_WRAPPER = inner;
  return { env, threads, support, cores, notes };
}
