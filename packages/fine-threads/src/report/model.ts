/**
 * What the HTML report shows: plain data the tuner fills, from build records (measured) and
 * the simulator (predicted). Pure: the conversions below do no I/O.
 */
import type { BuildRecord, UnitRecord } from '../recording/record';
import type { Summary } from '../tuning/stats';
import type { SimResult, SimSample, SimUnitResult } from '../simulation/model';

export interface ReportMachine {
  cores: number;
  /** Jobserver tokens (cargo's -j) the builds ran with. */
  jobs?: number;
  /** e.g. "rustc 1.95.0 (59807616e 2026-04-14)" or "nightly". */
  toolchain: string;
  mode: 'build' | 'check';
  profile: string;
  target?: string;
}

/**
 * One unit's front-end and back-end seconds: a bar of the per-crate picture.
 * `name` tells units apart across configurations: the crate for a lib, else crate and kind.
 */
export interface CrateTime {
  name: string;
  crate: string;
  kind: string;
  /** 0 with `split: false`: the record has no front-end for this unit (build-script runs, some bins). */
  frontend: number;
  backend: number;
  threads: number;
  split: boolean;
}

/** A unit on the timeline, in seconds from the build's start; no `metadata` when the split is unknown. */
export interface TimelineUnit {
  name: string;
  crate: string;
  kind: string;
  start: number;
  metadata?: number;
  end: number;
  threads: number;
}

/** One build, measured (from a record) or predicted (by the simulator). */
export interface ReportRun {
  makespan: number;
  crates: CrateTime[];
  units: TimelineUnit[];
  /** Threads in use over time: idle cores are `cores - threads`. */
  samples: SimSample[];
}

export interface ReportConfiguration {
  /** "baseline", "global2", "tuned", ... */
  label: string;
  /** One line, e.g. "-Zthreads=2 for every crate". */
  description?: string;
  /** crate → front-end threads (absent = 1). */
  threads: Record<string, number>;
  /** The full build whose time is the median of this configuration's (for the charts). */
  measured?: ReportRun;
  /** The wall times of this configuration's full, unloaded builds: what a measured comparison uses. */
  runs?: Summary;
  predicted?: ReportRun;
}

/**
 * What the report says first, each comparing like with like: the tuner's choice as predicted
 * vs predicted, the verdict as measured medians vs measured medians (or "not enough runs
 * yet"), and the simulator's own error apart from both.
 */
export interface ReportHeadline {
  choice: string;
  verdict: string;
  /** The verdict's ratio, tuned median / baseline median, when there were enough runs. */
  measuredRatio?: number;
  error?: string;
}

/** One line of the tuner's reasoning for a crate. */
export interface TunerDecision {
  crate: string;
  /** Front-end seconds at 1 thread. */
  frontend: number;
  /** Average idle cores during its front-end. */
  idleCores: number;
  /** Chosen N (1 = left alone). */
  threads: number;
  /** Predicted makespan saving, seconds. */
  saving: number;
  reason: string;
}

/** A count the guard took back after a measured build did worse than predicted. */
export interface GuardRevert {
  crate: string;
  /** The count that was reverted, and the one put back. */
  from: number;
  to: number;
  reason: string;
}

/** Predicted makespans on a machine with this many cores (jobs = cores). */
export interface CorePrediction {
  cores: number;
  baseline: number;
  tuned: number;
}

export interface ReportData {
  title: string;
  /** The Cargo workspace (or Nx project) the builds were of. */
  workspace: string;
  /** ISO time the report was made. */
  generatedAt: string;
  machine: ReportMachine;
  /** The first is what the others are compared with (normally "baseline"). */
  configurations: ReportConfiguration[];
  decisions: TunerDecision[];
  reverts: GuardRevert[];
  /** false: the report only says what the guard would set back (`fine-threads:report` changes nothing). */
  revertsApplied?: boolean;
  predictions: CorePrediction[];
  headline?: ReportHeadline;
  notes?: string[];
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** A readable name for a unit: `my_lib`, `cli (bin)`, `my-lib build script`, `my-lib build script (run)`. */
export function unitName(pkg: string, crate: string, kind: string): string {
  if (kind === 'lib') return crate;
  if (kind === 'build-script') return `${pkg} build script`;
  if (kind === 'build-script-run') return `${pkg} build script (run)`;
  return `${crate} (${kind})`;
}

/** Names made unique within one build: a second version of a package gets its version appended. */
function uniqueNames(units: { pkg: string; version?: string; crate: string; kind: string }[]): string[] {
  const names = units.map((u) => unitName(u.pkg, u.crate, u.kind));
  const count = new Map<string, number>();
  for (const n of names) count.set(n, (count.get(n) ?? 0) + 1);
  return names.map((n, i) => (count.get(n)! > 1 && units[i].version ? `${n} ${units[i].version}` : n));
}

/**
 * Threads in use over time: a unit uses its front-end threads until metadata, then one.
 * Samples hold from `t` until the next one.
 */
export function busySamples(units: readonly TimelineUnit[]): SimSample[] {
  const events: { t: number; running: number; threads: number }[] = [];
  for (const u of units) {
    const front = u.metadata !== undefined && u.metadata > u.start ? Math.max(1, u.threads) : 1;
    events.push({ t: u.start, running: 1, threads: front });
    if (u.metadata !== undefined && u.metadata > u.start && u.metadata < u.end) {
      events.push({ t: u.metadata, running: 0, threads: 1 - front });
    }
    events.push({ t: u.end, running: -1, threads: -(u.metadata !== undefined && u.metadata >= u.end ? front : 1) });
  }
  events.sort((a, b) => a.t - b.t);
  const samples: SimSample[] = [{ t: 0, running: 0, threads: 0 }];
  let running = 0;
  let threads = 0;
  for (const e of events) {
    running += e.running;
    threads += e.threads;
    const t = round(e.t);
    const last = samples[samples.length - 1];
    if (last.t === t) {
      last.running = running;
      last.threads = threads;
    } else {
      samples.push({ t, running, threads });
    }
  }
  return samples;
}

function crateTimes(units: readonly TimelineUnit[]): CrateTime[] {
  return units.map((u) => {
    const split = u.metadata !== undefined;
    const frontend = split ? u.metadata! - u.start : 0;
    return {
      name: u.name,
      crate: u.crate,
      kind: u.kind,
      frontend: round(frontend),
      backend: round(u.end - u.start - frontend),
      threads: u.threads,
      split,
    };
  });
}

/** A recorded build as the report shows it. */
export function measuredRun(record: Pick<BuildRecord, 'duration' | 'units'>): ReportRun {
  const names = uniqueNames(record.units.map((u: UnitRecord) => ({ pkg: u.package, version: u.version, crate: u.crate, kind: u.kind })));
  const units = record.units.map(
    (u, i): TimelineUnit => ({
      name: names[i],
      crate: u.crate,
      kind: u.kind,
      start: u.start,
      ...(u.frontend !== undefined ? { metadata: round(u.start + u.frontend) } : {}),
      end: u.end,
      threads: u.threads,
    }),
  );
  return { makespan: record.duration, crates: crateTimes(units), units, samples: busySamples(units) };
}

/** A simulated build as the report shows it (the simulator's own busy samples are kept). */
export function predictedRun(result: SimResult): ReportRun {
  // Keys are `<package> <version> <kind> <crate>` (see SimUnit.key).
  const parts = result.units.map((u: SimUnitResult) => {
    const [pkg, version] = u.key.split(' ');
    return { pkg: pkg || u.crate, version, crate: u.crate, kind: u.kind };
  });
  const names = uniqueNames(parts);
  const units = result.units.map(
    (u, i): TimelineUnit => ({
      name: names[i],
      crate: u.crate,
      kind: u.kind,
      start: u.start,
      metadata: u.metadata,
      end: u.end,
      threads: u.threads,
    }),
  );
  return { makespan: result.makespan, crates: crateTimes(units), units, samples: result.samples };
}
