import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CALIBRATE_ENV } from '../threads/environment';
import { log } from '../utils/log';
import { startLoadMeter } from './load';
import { buildRecord, parseWrapperEvents, type RecordContext } from './record';
import { appendRecord, readRecords, recordsPath } from './store';
import { parseTimingReport, TimingReportError } from './timings';

/**
 * The report `cargo --timings` wrote for this build: the newest
 * `cargo-timing-<stamp>.html` not older than the build. It is read and then
 * deleted, so reports do not pile up (cargo keeps its `cargo-timing.html`).
 */
export function takeTimingReport(targetDir: string, sinceMs: number): string | undefined {
  const dir = join(targetDir, 'cargo-timings');
  let newest: { path: string; mtime: number } | undefined;
  try {
    for (const name of readdirSync(dir)) {
      if (!/^cargo-timing-.+\.html$/.test(name)) continue;
      const path = join(dir, name);
      const mtime = statSync(path).mtimeMs;
      if (mtime >= sinceMs - 1000 && (!newest || mtime > newest.mtime)) newest = { path, mtime };
    }
  } catch {
    return undefined;
  }
  if (!newest) return undefined;
  const html = readFileSync(newest.path, 'utf8');
  rmSync(newest.path, { force: true });
  return html;
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
 * warning line, and the build's own result stands.
 */
export function recordBuild(
  workspaceRoot: string,
  targetDir: string,
  startedMs: number,
  eventsFile: string,
  ctx: Omit<RecordContext, 'toolchain'> & { toolchain?: string },
): void {
  const file = recordsPath(workspaceRoot);
  try {
    const html = takeTimingReport(targetDir, startedMs);
    if (!html) {
      log.warn(`fine-threads: cargo wrote no timing report under ${targetDir}; this build is not recorded.`);
      return;
    }
    const report = parseTimingReport(html);
    const record = buildRecord(
      report,
      { ...ctx, toolchain: ctx.toolchain ?? /^rustc (\S+)/.exec(report.rustcVersion ?? '')?.[1] ?? 'unknown' },
      parseWrapperEvents(readEvents(eventsFile)),
    );
    warnIfForeign(file);
    appendRecord(file, record);
  } catch (e) {
    const reason = e instanceof TimingReportError ? `unreadable timing report: ${e.message}` : (e as Error).message;
    log.warn(`fine-threads: this build is not recorded (${reason}).`);
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
  // Read whole only while small; the tuner reads every line anyway and reports what it skips.
  if (size > 256 * 1024) return;
  const { skipped } = readRecords(file);
  if (skipped > 0) log.warn(`fine-threads: ${file} has ${skipped} line(s) that are not records; they are skipped.`);
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
  // --timings and message formats change what cargo prints, not what it builds.
  hash.update(argv.filter((a) => a !== '--timings' && !a.startsWith('--message-format')).join('\0'));
  return hash.digest('hex').slice(0, 16);
}

export type RecordingContext = Omit<RecordContext, 'toolchain' | 'at' | 'load' | 'fingerprint' | 'calibration'> & { toolchain?: string };

/**
 * One recorded cargo run, started just before cargo and finished after it exited: the start
 * time (to find its timing report), the machine's load meanwhile, its fingerprint, and whether
 * it is a calibration build.
 */
export function startRecording(workspaceRoot: string, targetDir: string, eventsFile: string, cargoCwd: string, argv: readonly string[]) {
  const started = Date.now();
  const meter = startLoadMeter();
  const fingerprint = buildFingerprint(cargoCwd, argv);
  const calibration = Boolean(process.env[CALIBRATE_ENV]);
  return {
    started,
    finish(ctx: RecordingContext): void {
      recordBuild(workspaceRoot, targetDir, started, eventsFile, { ...ctx, at: new Date(started), load: meter.stop(), fingerprint, calibration });
    },
  };
}
