/**
 * Which crates get front-end threads, and how many: pure resolution of the
 * places a count can be set, validated and fitted to this machine.
 *
 * A count is set (later wins):
 *   1. in nx.json, the plugin option `frontendThreads` (crates that are not
 *      Nx projects, e.g. `syn`), keyed by crate name;
 *   2. on a crate's Nx project, `metadata.frontendThreads`;
 *   3. on the command line, `--frontendThreads=N`, for the task's own crate.
 * Each value is a count, or a table keyed by core count
 * (`{ "2": 2, "64": 8 }`) so one file can serve a laptop and a CI agent:
 * a machine whose core count has no entry uses no threads.
 */

export type ThreadSetting = number | Record<string, number>;

export interface ThreadSource {
  /** Where the value came from, for messages: `project heavy`, `nx.json`, `--frontendThreads`. */
  origin: string;
  /** Crate names as rustc sees them (underscores). */
  crateNames: string[];
  setting: unknown;
}

export interface ThreadTable {
  /** crate name (underscores) → threads ≥ 2. */
  threads: Map<string, number>;
  /** One line each: values clamped to this machine. */
  notes: string[];
}

export class ThreadOptionError extends Error {}

export function crateNameOf(name: string): string {
  return name.replace(/-/g, '_');
}

function countFor(source: ThreadSource, cores: number): number | undefined {
  const { setting, origin } = source;
  let value: unknown = setting;
  if (typeof setting === 'object' && setting !== null && !Array.isArray(setting)) {
    for (const key of Object.keys(setting)) {
      if (!/^[1-9]\d*$/.test(key)) {
        throw new ThreadOptionError(`${origin}: frontendThreads key "${key}" is not a core count (expected e.g. { "2": 2, "64": 8 })`);
      }
    }
    value = (setting as Record<string, unknown>)[String(cores)];
    if (value === undefined) return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ThreadOptionError(
      `${origin}: frontendThreads must be an integer ≥ 0 (0 = all cores) or a table by core count, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Resolves the sources, in order, into the table the rustc wrapper applies. */
export function resolveThreadTable(sources: readonly ThreadSource[], cores: number): ThreadTable {
  const threads = new Map<string, number>();
  const notes: string[] = [];
  for (const source of sources) {
    const requested = countFor(source, cores);
    if (requested === undefined) continue;
    let n = requested === 0 ? cores : requested;
    if (n > cores) {
      notes.push(`fine-threads: ${source.origin} asks for ${n} front-end threads; this machine has ${cores} cores, using ${cores}.`);
      n = cores;
    }
    for (const crate of source.crateNames) {
      if (n > 1) threads.set(crate, n);
      else threads.delete(crate);
    }
  }
  return { threads, notes };
}

/** The wrapper's FINE_THREADS_TABLE: `a=2 b=4`, sorted so it is stable. */
export function formatThreadTable(threads: ReadonlyMap<string, number>): string {
  return [...threads.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([crate, n]) => `${crate}=${n}`)
    .join(' ');
}
