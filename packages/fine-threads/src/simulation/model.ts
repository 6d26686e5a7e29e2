/**
 * The simulator's data: a build as a graph of units with measured durations,
 * and a configuration (jobserver tokens, cores, per-crate front-end threads).
 * Pure data; no I/O anywhere under src/simulation.
 */

/** One compilation unit (rustc invocation or build-script run). Times in seconds. */
export interface SimUnit {
  /** Unique in its graph: `<package> <version> <kind> <crate>` (see unitKey). */
  key: string;
  package: string;
  /** Package version: a thread table's `crate@version` entry wins over its `crate` entry. */
  version?: string;
  /** Crate name as rustc and thread tables know it (dashes → underscores). */
  crate: string;
  /** As in records: "lib", "bin", "test", "build-script", "build-script-run", ... */
  kind: string;
  /** Front-end seconds at 1 thread: until metadata (.rmeta) is written. 0 where there is none. */
  frontend: number;
  /** Seconds after metadata until the unit ends (codegen, link; a build-script run's whole span). */
  backend: number;
  /** Units (indices into SimGraph.units) whose END this unit waits for. */
  deps: number[];
  /** Units whose METADATA this unit waits for (cargo's pipelining of libs). */
  rmetaDeps: number[];
  /**
   * When the unit started in the recorded build, if it ran: breaks ties between units of equal
   * priority the way that build did (cargo itself breaks them in hash-map order, at random).
   */
  recordedStart?: number;
}

export interface SimGraph {
  units: SimUnit[];
  /** Seconds cargo spends before its first unit starts (resolution, fingerprints); 0 when absent. */
  startup?: number;
  /** Recorded units that matched no unit of the graph, and were left out (`<package> <version> <kind> <crate>`). */
  leftOut?: string[];
}

/**
 * How a crate's front-end time scales with threads, as a factor of its 1-thread time, for a
 * rustc asked for N threads that runs n of them (1 + the jobserver tokens its helpers hold):
 * factor(N, n) = (1 - parallel) + parallel / min(n, plateau) + (N > 1 ? overhead : 0),
 * and, for N > 1, `fixed` seconds more.
 * The overhead follows N, not n: rustc built for N > 1 threads pays for its locks even when no
 * helper gets a token. Fitted per crate from records at several N where they exist (fitCurve),
 * the mode's default (DEFAULT_CURVES) otherwise.
 */
export interface SpeedupCurve {
  /** Fraction of the front-end that threads divide (0..1). */
  parallel: number;
  /** Threads past which nothing more is gained. */
  plateau: number;
  /** Fixed cost, as a fraction of the 1-thread time, of running the parallel front-end at all. */
  overhead: number;
  /**
   * Seconds a rustc asked for N > 1 threads spends on top, whatever its size (the parallel
   * front-end's start-up: thread pool, sharded tables); absent = 0. It weighs on small crates.
   */
  fixed?: number;
  /**
   * Fraction by which a threaded rustc's back-end is slower (its monomorphization and LLVM IR
   * generation go through the same locked query system); absent = 0.
   */
  backendOverhead?: number;
  /** Where the numbers came from: "fitted" from records at >= 2 thread counts, or "default". */
  source: 'fitted' | 'default';
}

export interface SimConfig {
  /** Jobserver tokens J: running rustc processes plus their extra front-end threads never exceed J. */
  tokens: number;
  /** CPU cores: when more threads run than cores, all slow down in proportion. */
  cores: number;
  /** crate or `crate@version` (which wins) → requested front-end threads (absent = 1; 0 = all cores). */
  threads: Record<string, number>;
  /** crate → curve; crates not in it use defaultCurve. */
  curves: Record<string, SpeedupCurve>;
  defaultCurve: SpeedupCurve;
  /**
   * Which units' dependents may start at their metadata. "all" (default): every unit pipelines;
   * the rustc wrapper streams a threaded rustc's stderr, so cargo gets its metadata notice as
   * rustc writes it. "unthreaded": a threaded unit pipelines nothing, as with the first wrapper,
   * which held that stderr until rustc exited (for the ICE fallback).
   */
  pipelining?: 'unthreaded' | 'all';
}

export interface SimUnitResult {
  key: string;
  crate: string;
  version?: string;
  kind: string;
  start: number;
  /** When metadata was written (start + front-end as simulated). */
  metadata: number;
  end: number;
  /** Threads requested for this unit in the configuration. */
  threads: number;
}

/** Busy samples: from t on (until the next sample) this many units ran using this many threads. */
export interface SimSample {
  t: number;
  running: number;
  threads: number;
}

export interface SimResult {
  makespan: number;
  units: SimUnitResult[];
  samples: SimSample[];
}
