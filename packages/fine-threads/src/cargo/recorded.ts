import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import type { CargoCommand } from './args';
import { runCargo, type CargoIo, type CargoRunResult } from './process';
import { planThreads, type ThreadsPlan } from '../threads/environment';
import { buildAnalysisLogDir, startRecording, type BuildAnalysisLookup, type RecordingContext } from '../recording/recorder';
import { joinJobserver } from '../jobserver/client';
import { workspaceDataDir } from '../system/nx-dirs';
import { withBuildAnalysis } from './args';
import { probeCargoCapabilities } from './capabilities';

/**
 * What every cargo an executor starts goes through: one thread plan for the
 * task (or batch group), then for each cargo the run's shared jobserver, a
 * recording of the build, and the record when cargo has exited. The single
 * task executors and batch mode both run cargo through here; calibration runs
 * them through `nx run`.
 */
export interface CargoSession {
  plan: ThreadsPlan;
  /** The wrapper's events file, in a directory only this user can enter (mkdtemp makes it 0700). */
  eventsFile: string;
  close(): void;
}

export async function openCargoSession(
  context: ExecutorContext,
  command: CargoCommand,
  crateNames: string[],
  frontendThreads: unknown,
  toolchain: string | undefined,
  cwd: string,
): Promise<CargoSession> {
  const dir = mkdtempSync(join(tmpdir(), 'fine-threads-run-'));
  const eventsFile = join(dir, 'events.log');
  const close = () => rmSync(dir, { recursive: true, force: true });
  try {
    const plan = await planThreads(context, command, crateNames, frontendThreads, toolchain, cwd, eventsFile);
    return { plan, eventsFile, close };
  } catch (e) {
    close();
    throw e;
  }
}

export interface RecordedCargoRun {
  argv: string[];
  cwd: string;
  io?: CargoIo;
  /** Set for builds and checks that are recorded: where cargo writes, and what the record says. */
  record?: { targetDir: string; fields: Omit<RecordingContext, 'toolchain' | 'cores' | 'threads' | 'success'> };
}

export async function runRecordedCargo(context: ExecutorContext, session: CargoSession, run: RecordedCargoRun): Promise<CargoRunResult> {
  const { plan } = session;
  const record = run.record;
  // Where cargo has build-analysis its log is read; --timings stays on for what the log cannot
  // tell. Asked while this task waits for its token, not while it holds one.
  const preparing = record ? withBuildAnalysisIfAny(context.root, run.argv, run.cwd) : undefined;
  // The run's shared jobserver: this cargo's implicit token comes from it too.
  const jobserver = await joinJobserver(context);
  const prepared = await preparing;
  const argv = prepared?.argv ?? run.argv;
  const recording = record ? startRecording(context.root, record.targetDir, session.eventsFile, run.cwd, run.argv, prepared?.lookup) : undefined;
  let result: CargoRunResult;
  try {
    result = await runCargo(argv, run.cwd, { ...plan.env, ...jobserver.env }, run.io, jobserver.fds);
  } finally {
    jobserver.release();
  }
  if (recording && record && result.exitCode !== null) {
    recording.finish({
      ...record.fields,
      toolchain: plan.support?.release,
      cores: plan.cores,
      threads: plan.threads,
      success: result.exitCode === 0,
    });
  }
  return result;
}

/**
 * A recorded build's argv with cargo's build-analysis log on, and how to find that log, when
 * this cargo has `-Zbuild-analysis` (asked once per cargo version); undefined otherwise.
 */
export async function withBuildAnalysisIfAny(
  workspaceRoot: string,
  argv: readonly string[],
  cwd: string,
): Promise<{ argv: string[]; lookup: BuildAnalysisLookup } | undefined> {
  const toolchain = argv[0]?.startsWith('+') ? argv[0].slice(1) : undefined;
  const cacheFile = join(workspaceDataDir(workspaceRoot), 'fine-threads-cargo.json');
  const { buildAnalysis } = await probeCargoCapabilities(toolchain, cwd, cacheFile);
  if (!buildAnalysis) return undefined;
  const added = withBuildAnalysis(argv);
  return { argv: added.argv, lookup: { logDir: buildAnalysisLogDir(), argv: added.argv, cwd, owned: added.owned } };
}
