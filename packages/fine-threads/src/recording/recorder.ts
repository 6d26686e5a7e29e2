import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BUILD_ANALYSIS_CONFIG } from '../cargo/args';
import { CALIBRATE_ENV } from '../threads/environment';
import { log } from '../utils/log';
import { startLoadMeter } from './load';
import { parseBuildAnalysisLog, runIdTime, type BuildAnalysisLog } from './build-analysis';
import { buildRecord, parseWrapperEvents, type RecordContext } from './record';
import { appendRecord, readRecords, recordsPath } from './store';
import { parseTimingReport, TimingReportError, type TimingReport } from './timings';

/** The build start cargo writes into the report's name (`cargo-timing-20261202T205252227Z-<id>.html`), in ms. */
export function stampOf(name: string): number | undefined {
  const m = /^cargo-timing-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d*)Z(?:-[0-9a-f]+)?\.html$/.exec(name);
  if (!m) return undefined;
  const ms = Number((m[7] || '0').padEnd(3, '0').slice(0, 3));
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
}

/** The build start in a build-analysis log's name (`<run id>.jsonl`), in ms. */
export function logStampOf(name: string): number | undefined {
  return name.endsWith('.jsonl') ? runIdTime(name.slice(0, -'.jsonl'.length)) : undefined;
}

/** The packages a cargo argv names with `-p`. */
export function packagesOf(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if ((a === '-p' || a === '--package') && argv[i + 1]) out.push(argv[i + 1]);
    else if (a.startsWith('--package=')) out.push(a.slice('--package='.length));
  });
  return out;
}

/**
 * The report `cargo --timings` wrote for THIS build, in a target dir other
 * builds may share: of the reports whose build started after this cargo did
 * (by the start cargo puts in the name, not the file's mtime), the earliest
 * that lists every package this cargo was asked for. It is deleted once read,
 * so reports do not pile up (cargo keeps its `cargo-timing.html`); the
 * others are left for the builds they belong to.
 */
export function takeTimingReport(targetDir: string, sinceMs: number, packages: readonly string[]): TimingReport | undefined {
  const dir = join(targetDir, 'cargo-timings');
  let candidates: { path: string; stamp: number }[];
  try {
    candidates = readdirSync(dir)
      .map((name) => ({ path: join(dir, name), stamp: stampOf(name) }))
      // cargo stamps its start with ms; this process's clock read came a little before it.
      .filter((c): c is { path: string; stamp: number } => c.stamp !== undefined && c.stamp >= sinceMs - 1000)
      .sort((x, y) => x.stamp - y.stamp);
  } catch {
    return undefined;
  }
  let unreadable: Error | undefined;
  for (const c of candidates) {
    let report: TimingReport;
    try {
      report = parseTimingReport(readFileSync(c.path, 'utf8'));
    } catch (e) {
      // Another build's report still being written, or a torn one: not ours to judge.
      unreadable ??= e as Error;
      continue;
    }
    const listed = new Set([...report.units, ...report.notRun].map((u) => u.package));
    if (packages.some((p) => !listed.has(p))) continue;
    rmSync(c.path, { force: true });
    return report;
  }
  if (unreadable) throw unreadable;
  return undefined;
}

/** Where cargo writes build-analysis logs: `$CARGO_HOME/log`. */
export function buildAnalysisLogDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.CARGO_HOME || join(homedir(), '.cargo'), 'log');
}

/** How to find this build's build-analysis log: cargo's argv as it was run, and its cwd. */
export interface BuildAnalysisLookup {
  logDir: string;
  argv: readonly string[];
  cwd: string;
  /** We turned the log on: delete it once read (otherwise it is the user's, for `cargo report`). */
  owned: boolean;
}

/**
 * The build-analysis log of THIS build, in the one log dir every cargo of the user shares: of
 * the logs whose run started within a second before this cargo did or after it (by the run id
 * in the name, not the mtime), those whose build-started event has this cargo's argv and cwd,
 * the first to start after this cargo (else the last before it). Unreadable logs are skipped:
 * another build's log is still being written.
 */
export function findBuildAnalysisLog(lookup: BuildAnalysisLookup, sinceMs: number): (BuildAnalysisLog & { path: string }) | undefined {
  let names: string[];
  try {
    names = readdirSync(lookup.logDir);
  } catch {
    return undefined;
  }
  // rustup takes `+toolchain`; cargo logs the rest after its own path.
  const expected = lookup.argv[0]?.startsWith('+') ? lookup.argv.slice(1) : [...lookup.argv];
  let cwd = lookup.cwd;
  try {
    cwd = realpathSync(cwd);
  } catch {
    // compared as given
  }
  const candidates = names
    .map((name) => ({ path: join(lookup.logDir, name), stamp: logStampOf(name) }))
    .filter((c): c is { path: string; stamp: number } => c.stamp !== undefined && c.stamp >= sinceMs - 1000)
    .sort((x, y) => Number(x.stamp < sinceMs) - Number(y.stamp < sinceMs) || (x.stamp < sinceMs ? y.stamp - x.stamp : x.stamp - y.stamp));
  for (const c of candidates) {
    let log: BuildAnalysisLog;
    try {
      log = parseBuildAnalysisLog(readFileSync(c.path, 'utf8'));
    } catch {
      continue;
    }
    const args = log.command.slice(1);
    if (log.cwd !== cwd || args.length !== expected.length || args.some((a, k) => a !== expected[k])) continue;
    return { ...log, path: c.path };
  }
  return undefined;
}

/**
 * This build's timings: from its build-analysis log when there is one the log can tell whole
 * (its HTML report, written beside it, is then deleted), else from its HTML report.
 */
export function takeBuildTimings(
  targetDir: string,
  sinceMs: number,
  packages: readonly string[],
  analysis?: BuildAnalysisLookup,
): { report: TimingReport; source: 'build-analysis' | 'timings' } | undefined {
  const log = analysis ? findBuildAnalysisLog(analysis, sinceMs) : undefined;
  if (log && analysis?.owned) rmSync(log.path, { force: true });
  if (log) {
    // cargo names the HTML report of a build after the same run id as its log.
    const html = join(targetDir, 'cargo-timings', `cargo-timing-${log.runId}.html`);
    if (!log.lossy) {
      rmSync(html, { force: true });
      return { report: log.report, source: 'build-analysis' };
    }
    const report = readTimingReport(html);
    if (report) {
      rmSync(html, { force: true });
      return { report, source: 'timings' };
    }
  }
  const report = takeTimingReport(targetDir, sinceMs, packages);
  return report ? { report, source: 'timings' } : undefined;
}

function readTimingReport(file: string): TimingReport | undefined {
  try {
    return parseTimingReport(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function readEvents(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Records one build. Never fails the build: whatever goes wrong is one
 * warning line, and the build's own result stands. Says where the timings came from.
 */
export function recordBuild(
  workspaceRoot: string,
  targetDir: string,
  startedMs: number,
  eventsFile: string,
  ctx: Omit<RecordContext, 'toolchain'> & { toolchain?: string },
  packages: readonly string[] = [],
  analysis?: BuildAnalysisLookup,
): 'build-analysis' | 'timings' | undefined {
  const file = recordsPath(workspaceRoot);
  try {
    const timings = takeBuildTimings(targetDir, startedMs, packages, analysis);
    if (!timings) {
      log.warn(`fine-threads: cargo wrote no timing report for this build under ${targetDir}; this build is not recorded.`);
      return undefined;
    }
    const { report } = timings;
    const record = buildRecord(
      report,
      { ...ctx, toolchain: ctx.toolchain ?? /^rustc (\S+)/.exec(report.rustcVersion ?? '')?.[1] ?? 'unknown' },
      parseWrapperEvents(readEvents(eventsFile)),
    );
    warnIfForeign(file);
    appendRecord(file, record);
    return timings.source;
  } catch (e) {
    const reason = e instanceof TimingReportError ? `unreadable timing report: ${e.message}` : (e as Error).message;
    log.warn(`fine-threads: this build is not recorded (${reason}).`);
    return undefined;
  }
}

/** One line when the record file holds lines that are not our records (they are skipped, never fatal). */
function warnIfForeign(file: string): void {
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    return;
  }
  // Read whole only while small; the tuner reads every line anyway, checks each against the
  // record's schema and reports what it skips. Here only JSON and version: the schema check
  // (ajv, loaded and compiled) would cost every build's task process about 0.1 s.
  if (size > 256 * 1024) return;
  const { skipped, firstSkipped } = readRecords(file);
  if (skipped > 0) log.warn(`fine-threads: ${file} has ${skipped} line(s) that are not records; they are skipped (first: ${firstSkipped}).`);
}

/**
 * What makes two builds comparable beyond the machine profile: the same Cargo.lock (the same
 * graph of versions) and the same cargo arguments (packages, features, target).
 */
export function buildFingerprint(cargoWorkspaceRoot: string, argv: readonly string[]): string {
  const hash = createHash('sha256');
  try {
    hash.update(readFileSync(join(cargoWorkspaceRoot, 'Cargo.lock')));
  } catch {
    hash.update('no Cargo.lock');
  }
  hash.update('\0');
  // --timings, the build-analysis log and message formats change what cargo prints, not what it builds.
  const shown = argv.filter((a, k) => a !== '--timings' && !a.startsWith('--message-format') && a !== '-Zbuild-analysis' && !isAnalysisConfig(argv, k));
  hash.update(shown.join('\0'));
  return hash.digest('hex').slice(0, 16);
}

/** `--config build.analysis.enabled=true`, either word of it. */
function isAnalysisConfig(argv: readonly string[], k: number): boolean {
  const config = (i: number) => argv[i] === '--config' && argv[i + 1] === BUILD_ANALYSIS_CONFIG;
  return config(k) || config(k - 1);
}

export type RecordingContext = Omit<RecordContext, 'toolchain' | 'at' | 'load' | 'fingerprint' | 'calibration'> & { toolchain?: string };

/**
 * One recorded cargo run, started just before cargo and finished after it exited: the start
 * time (to find its timing report), the machine's load meanwhile, its fingerprint, and whether
 * it is a calibration build.
 */
export function startRecording(
  workspaceRoot: string,
  targetDir: string,
  eventsFile: string,
  cargoCwd: string,
  argv: readonly string[],
  analysis?: BuildAnalysisLookup,
) {
  const started = Date.now();
  const meter = startLoadMeter();
  const fingerprint = buildFingerprint(cargoCwd, argv);
  const calibration = Boolean(process.env[CALIBRATE_ENV]);
  return {
    started,
    finish(ctx: RecordingContext) {
      return recordBuild(
        workspaceRoot,
        targetDir,
        started,
        eventsFile,
        { ...ctx, at: new Date(started), load: meter.stop(), fingerprint, calibration },
        packagesOf(argv),
        analysis,
      );
    },
  };
}
