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
> & { at: Date; threads: ReadonlyMap<string, number> };

const round = (x: number) => Math.round(x * 1000) / 1000;

/** A build record from cargo's timing report, the thread table and the wrapper's events. */
export function buildRecord(report: TimingReport, ctx: RecordContext, fallbacks: FallbackEvent[]): BuildRecord {
  const fellBack = new Set(fallbacks.map((f) => f.crate));
  const units = report.units.map((u): UnitRecord => {
    const isBuildScript = u.kind.startsWith('build-script');
    const threaded = !isBuildScript ? ctx.threads.get(u.crateName) : undefined;
    const fallback = threaded !== undefined && fellBack.has(u.crateName);
    const unit: UnitRecord = {
      package: u.package,
      version: u.version,
      crate: u.crateName,
      kind: u.kind,
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
    units,
    fallbacks,
  };
}
