/**
 * Which crates get front-end threads, and how many: pure resolution of the
 * places a count can be set, validated and fitted to this machine and mode.
 *
 * A count is set (later wins):
 *   1. in nx.json, the plugin option `frontendThreads` (crates that are not
 *      Nx projects, e.g. `syn`), keyed by crate name, or `name@version` for
 *      one version of a crate that the graph has twice;
 *   2. on a crate's Nx project, `metadata.frontendThreads`;
 *   3. on the command line, `--frontendThreads=N`, for the task's own crate.
 * Each value is a count, a table keyed by core count (`{ "2": 2, "64": 8 }`)
 * so one file serves a laptop and a CI agent (a machine whose core count has
 * no entry uses no threads), or such a table per cargo mode:
 * `{ "check": { "2": 2 }, "build": { "2": 1 } }`. A mode's entry wins where it
 * has one for this machine; core-count keys beside the modes apply to every
 * mode that has none (the tables of earlier versions, with no mode, still read).
 * Where `name@version` and `name` both match a unit, `name@version` wins.
 */

/** The cargo modes a table can be kept for: lint (clippy) runs as check, run as build. */
export const THREAD_MODES = ['build', 'check', 'test'] as const;
export type ThreadMode = (typeof THREAD_MODES)[number];

export type CoreTable = Record<string, number>;
export type ThreadSetting = number | CoreTable | ({ [mode in ThreadMode]?: number | CoreTable } & CoreTable);

export interface ThreadSource {
  /** Where the value came from, for messages: `project heavy`, `nx.json`, `--frontendThreads`. */
  origin: string;
  /** Crate names as rustc sees them (underscores). */
  crateNames: string[];
  setting: unknown;
}

export interface ThreadTable {
  /**
   * crate name (underscores), or `name@version`, → threads ≥ 2; a `name@version` entry is kept at
   * 1 where it takes a version out of its name's count.
   */
  threads: Map<string, number>;
  /**
   * The crates (keys as in `threads`) set to exactly 1 that `threads` leaves out: no flag is
   * needed for them while a toolchain's default is 1 thread, an explicit 1 once it is more.
   */
  ones: Set<string>;
  /** One line each: values clamped to this machine. */
  notes: string[];
}

export class ThreadOptionError extends Error {}

/** A crate's name as rustc sees it (dashes → underscores); a `@version` suffix is kept as it is. */
export function crateNameOf(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name.replace(/-/g, '_') : `${name.slice(0, at).replace(/-/g, '_')}${name.slice(at)}`;
}

/** The count a resolved table gives one unit: its `name@version` entry, else its name's. */
export function threadsFor(threads: ReadonlyMap<string, number>, crate: string, version?: string): number | undefined {
  return (version !== undefined ? threads.get(`${crate}@${version}`) : undefined) ?? threads.get(crate);
}

const isCoreKey = (key: string) => /^[1-9]\d*$/.test(key);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function badValue(origin: string, value: unknown): ThreadOptionError {
  return new ThreadOptionError(
    `${origin}: frontendThreads must be an integer ≥ 0 (0 = all cores), a table by core count or one per mode, got ${JSON.stringify(value)}`,
  );
}

/** A plain count, or a core-count table's entry for this machine (undefined: none). */
function fromCoreTable(origin: string, value: unknown, cores: number): number | undefined {
  if (isObject(value)) {
    for (const key of Object.keys(value)) {
      if (!isCoreKey(key)) {
        throw new ThreadOptionError(`${origin}: frontendThreads key "${key}" is not a core count (expected e.g. { "2": 2, "64": 8 })`);
      }
    }
    value = value[String(cores)];
    if (value === undefined) return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw badValue(origin, value);
  return value;
}

function countFor(source: ThreadSource, cores: number, mode: ThreadMode | undefined): number | undefined {
  const { setting, origin } = source;
  if (!isObject(setting)) return fromCoreTable(origin, setting, cores);
  const general: Record<string, unknown> = {};
  const modes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(setting)) {
    if ((THREAD_MODES as readonly string[]).includes(key)) modes[key] = value;
    else if (isCoreKey(key)) general[key] = value;
    else {
      throw new ThreadOptionError(
        `${origin}: frontendThreads key "${key}" is neither a core count nor a mode (${THREAD_MODES.join(', ')}), e.g. { "check": { "2": 2 } }`,
      );
    }
  }
  for (const [key, value] of Object.entries(modes)) fromCoreTable(`${origin} (${key})`, value, cores); // validate every mode's entry
  const own = mode !== undefined && modes[mode] !== undefined ? fromCoreTable(`${origin} (${mode})`, modes[mode], cores) : undefined;
  return own ?? fromCoreTable(origin, general, cores);
}

/** Resolves the sources, in order, into the table the rustc wrapper applies for a cargo of `mode`. */
export function resolveThreadTable(sources: readonly ThreadSource[], cores: number, mode?: ThreadMode): ThreadTable {
  const threads = new Map<string, number>();
  const notes: string[] = [];
  for (const source of sources) {
    const requested = countFor(source, cores, mode);
    if (requested === undefined) continue;
    let n = requested === 0 ? cores : requested;
    if (n > cores) {
      notes.push(`fine-threads: ${source.origin} asks for ${n} front-end threads; this machine has ${cores} cores, using ${cores}.`);
      n = cores;
    }
    for (const crate of source.crateNames) threads.set(crate, n);
  }
  // Ones are kept only where a version's 1 overrides its name's count; the others are listed apart.
  const ones = new Set<string>();
  for (const [key, n] of threads) {
    const at = key.indexOf('@');
    if (n <= 1 && !(at > 0 && (threads.get(key.slice(0, at)) ?? 1) > 1)) {
      threads.delete(key);
      if (n === 1) ones.add(key);
    }
  }
  return { threads, ones, notes };
}

/** The wrapper's FINE_THREADS_TABLE: `a=2 b=4`, sorted so it is stable. */
export function formatThreadTable(threads: ReadonlyMap<string, number>): string {
  return [...threads.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([crate, n]) => `${crate}=${n}`)
    .join(' ');
}
