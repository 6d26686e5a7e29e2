import { threadsFor } from '../threads/options';
import type { BuildLoad } from './load';
import type { TimingReport } from './timings';
import { RECORD_VERSION } from './store';

/** What the rustc wrapper reported: a threaded rustc died with an ICE and was rerun single-threaded. */
export interface FallbackEvent {
  crate: string;
  threads: number;
  exitCode: number;
}

/** One compilation unit of a recorded build. Times in seconds from the build's start. */
export interface UnitRecord {
  package: string;
  /** Package version: tells two versions of one package apart (absent in the first records). */
  version?: string;
  crate: string;
  kind: string;
  /**
   * cargo's compile mode: "build", "check", "check-test", "test", "doc", "run-custom-build", ...
   * A crate checked for the lib and built for a build script in one `cargo check` is two units
   * that differ only here. Absent in records written before it was kept.
   */
  mode?: string;
  /** Enabled features, sorted, comma-separated; absent when none. */
  features?: string;
  start: number;
  end: number;
  /** Until metadata was written; absent where cargo reports none (build-script runs, some bins). */
  frontend?: number;
  backend?: number;
  /** Front-end threads this unit was compiled with (1 after an ICE fallback). */
  threads: number;
  /** Average number of other units compiling during its front-end: the idle cores the tuner looks for. */
  concurrent: number;
  fallback?: true;
}

export interface BuildRecord {
  v: typeof RECORD_VERSION;
  at: string;
  /** Nx project and Cargo workspace (relative to the Nx root) the build ran for. */
  project: string;
  /** Every Nx project of the build when one cargo ran for a batch of tasks (`project` is the first). */
  projects?: string[];
  cargoWorkspace: string;
  mode: 'build' | 'check';
  profile: string;
  target?: string;
  toolchain: string;
  cores: number;
  jobs?: number;
  /** crate → threads requested for this build. */
  threads: Record<string, number>;
  success: boolean;
  duration: number;
  /** Other work on the machine during the build (absent where /proc could not be read, and in old records). */
  load?: BuildLoad;
  /**
   * What must be equal for two builds to be compared: a hash of the Cargo.lock and of cargo's
   * arguments (packages, features, target). Absent in old records.
   */
  fingerprint?: string;
  /** A build made by `tune --calibrate` (its crates cleaned, at trial thread counts): curves only, never a "before". */
  calibration?: true;
  /**
   * Units cargo found up to date and did not compile (its report's "Fresh units"): above 0, the
   * record is a partial build — incremental, or after another task of the run built part of the
   * graph in a shared target dir — and no whole-build time of its project. Absent in old records.
   */
  freshUnits?: number;
  units: UnitRecord[];
  fallbacks: FallbackEvent[];
}

/** Lines written by the wrapper: `ice-fallback <crate> <threads> <exit code>`; others are ignored. */
export function parseWrapperEvents(text: string): FallbackEvent[] {
  const events: FallbackEvent[] = [];
  for (const line of text.split('\n')) {
    const m = /^ice-fallback (\S+) (\d+) (\d+)$/.exec(line.trim());
    if (m) events.push({ crate: m[1], threads: Number(m[2]), exitCode: Number(m[3]) });
  }
  return events;
}

/** What the executor knows of the build, beside cargo's report. */
export type RecordContext = Pick<
  BuildRecord,
  'project' | 'projects' | 'cargoWorkspace' | 'mode' | 'profile' | 'target' | 'toolchain' | 'cores' | 'success'
> & { at: Date; threads: ReadonlyMap<string, number>; load?: BuildLoad; fingerprint?: string; calibration?: boolean };

/**
 * A unit's identity within a build: package (name and version), target kind and crate name,
 * compile mode and features. Profile, toolchain and target platform are the record's own.
 * (The timing report does not name a package's source; two sources of one name and version
 * in one build would share an identity.)
 */
export function unitIdentity(u: Pick<UnitRecord, 'package' | 'version' | 'kind' | 'crate' | 'mode' | 'features'>): string {
  return `${u.package}@${u.version ?? '?'} ${u.kind} ${u.crate} ${u.mode ?? '?'}${u.features ? ` [${u.features}]` : ''}`;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** A build record from cargo's timing report, the thread table and the wrapper's events. */
export function buildRecord(report: TimingReport, ctx: RecordContext, fallbacks: FallbackEvent[]): BuildRecord {
  const fellBack = new Set(fallbacks.map((f) => f.crate));
  const units = report.units.map((u): UnitRecord => {
    const isBuildScript = u.kind.startsWith('build-script');
    const threaded = !isBuildScript ? threadsFor(ctx.threads, u.crateName, u.version) : undefined;
    const fallback = threaded !== undefined && fellBack.has(u.crateName);
    const unit: UnitRecord = {
      package: u.package,
      version: u.version,
      crate: u.crateName,
      kind: u.kind,
      mode: u.mode,
      ...(u.features.length ? { features: [...u.features].sort().join(',') } : {}),
      start: round(u.start),
      end: round(u.end),
      threads: fallback ? 1 : (threaded ?? 1),
      concurrent: round(u.concurrentDuringFrontend),
    };
    if (u.frontend !== undefined) unit.frontend = round(u.frontend);
    if (u.backend !== undefined) unit.backend = round(u.backend);
    if (fallback) unit.fallback = true;
    return unit;
  });
  return {
    v: RECORD_VERSION,
    at: ctx.at.toISOString(),
    project: ctx.project,
    ...(ctx.projects ? { projects: ctx.projects } : {}),
    cargoWorkspace: ctx.cargoWorkspace,
    mode: ctx.mode,
    profile: ctx.profile,
    ...(ctx.target ? { target: ctx.target } : {}),
    toolchain: ctx.toolchain,
    cores: ctx.cores,
    ...(report.jobs !== undefined ? { jobs: report.jobs } : {}),
    threads: Object.fromEntries(ctx.threads),
    success: ctx.success,
    duration: round(report.duration),
    ...(ctx.load ? { load: ctx.load } : {}),
    ...(ctx.fingerprint ? { fingerprint: ctx.fingerprint } : {}),
    ...(ctx.calibration ? { calibration: true as const } : {}),
    ...(report.freshUnits !== undefined ? { freshUnits: report.freshUnits } : {}),
    units,
    fallbacks,
  };
}
