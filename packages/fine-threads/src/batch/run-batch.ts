import { relative } from 'node:path';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { cargoArgs, CargoOptionError, renderCommand, type CargoCommand, type CargoCommonOptions } from '../cargo/args';
import { cargoColour } from '../cargo/process';
import { openCargoSession, runRecordedCargo, type CargoSession } from '../cargo/recorded';
import { log } from '../utils/log';
import { formatThreadTable, ThreadOptionError } from '../threads/options';
import { crateForTask, recordOf, targetDirFor, type CrateTarget } from '../cargo/task';
import { blockedTasks, buildsDevTargets, failureReach, lanesOf, readyTasks, resolveGraphOf, type PlannedTask, type ResolveGraph } from './plan';
import { CargoOutput } from '../cargo/output';
import { runCargoMetadata } from '../cargo/metadata';

/**
 * Nx's batch mode for build, check, test and lint: the batch's tasks that
 * would run the same cargo command in the same Cargo workspace run as ONE
 * cargo (`-p a -p b …`) instead of one cargo per crate queuing on the target
 * dir's lock. cargo's JSON messages tell each task its own result and output.
 */

interface TaskResult {
  success: boolean;
  status: 'success' | 'failure' | 'skipped';
  terminalOutput: string;
  startTime?: number;
  endTime?: number;
}

export interface BatchTaskResult {
  task: string;
  result: TaskResult;
}

/** The task's options split into cargo's common ones and what follows `--`. */
export type SplitOptions<T> = (options: T) => { options: CargoCommonOptions; trailing?: string[] };

interface Entry extends PlannedTask {
  project: string;
  crate: CrateTarget;
  options: CargoCommonOptions;
  trailing?: string[];
  context: ExecutorContext;
}

type Emit = (r: BatchTaskResult) => void;

const finishedAt = (startTime: number, success: boolean, terminalOutput: string, status?: TaskResult['status']): TaskResult => ({
  success,
  status: status ?? (success ? 'success' : 'failure'),
  terminalOutput: terminalOutput.endsWith('\n') || terminalOutput === '' ? terminalOutput : `${terminalOutput}\n`,
  startTime,
  endTime: Date.now(),
});

/** Nx's `batchImplementation` for one cargo command. */
export function cargoBatch<T>(command: CargoCommand, split: SplitOptions<T>) {
  return async (
    taskGraph: TaskGraph,
    inputs: Record<string, T>,
    _overrides: T,
    context: ExecutorContext,
  ): Promise<AsyncIterableIterator<BatchTaskResult>> => runBatch(command, split, taskGraph, inputs, context);
}

async function* runBatch<T>(
  command: CargoCommand,
  split: SplitOptions<T>,
  taskGraph: TaskGraph,
  inputs: Record<string, T>,
  context: ExecutorContext,
): AsyncGenerator<BatchTaskResult> {
  const started = Date.now();
  const entries: Entry[] = [];
  for (const task of Object.values(taskGraph.tasks)) {
    const taskContext: ExecutorContext = {
      ...context,
      projectName: task.target.project,
      targetName: task.target.target,
      configurationName: task.target.configuration,
    };
    try {
      const { options, trailing } = split(inputs[task.id]);
      const crate = crateForTask(taskContext);
      // Everything that changes cargo's argv, except the package: tasks alike in it share a cargo.
      const argvShape = cargoArgs({ command, packageName: [], manifestPath: '', options, trailing });
      const key = JSON.stringify([crate.cwd, argvShape, options.frontendThreads ?? null, options.record !== false]);
      // Edges are objects since Nx 24, ids before.
      const edges = (taskGraph.dependencies[task.id] ?? []) as unknown as (string | { id: string })[];
      const dependsOn = edges.map((d) => (typeof d === 'string' ? d : d.id)).filter((d) => d in taskGraph.tasks);
      const lane = targetDirFor(crate, options, context.root);
      entries.push({ id: task.id, key, lane, dependsOn, project: task.target.project, crate, options, trailing, context: taskContext });
    } catch (e) {
      if (!(e instanceof CargoOptionError)) throw e;
      const line = `fine-threads: ${e.message}`;
      log.error(line);
      yield { task: task.id, result: finishedAt(started, false, line) };
    }
  }

  const state = { stopped: false };
  // Tasks that failed above count as finished and failed for their dependents.
  const failedEarly = Object.keys(taskGraph.tasks).filter((id) => !entries.some((e) => e.id === id));
  const finished = new Set<string>(failedEarly);
  const notSucceeded = new Set<string>(failedEarly);

  while (finished.size < Object.keys(taskGraph.tasks).length) {
    const pending = entries.filter((e) => !finished.has(e.id));
    for (const id of blockedTasks(pending, notSucceeded, finished)) {
      finished.add(id);
      notSucceeded.add(id);
      yield { task: id, result: finishedAt(Date.now(), false, '', 'skipped') };
    }
    const ready = readyTasks(
      entries.filter((e) => !finished.has(e.id)),
      finished,
    );
    if (ready.length === 0) break;
    const lanes = lanesOf(ready).map((groups) => async (emit: Emit) => {
      for (const group of groups) await runGroup(command, group, emit, state);
    });
    for await (const r of merged(lanes)) {
      finished.add(r.task);
      if (!r.result.success) notSucceeded.add(r.task);
      yield r;
    }
  }
  // Only a dependency outside the batch's reach is left (Nx never sends a cycle).
  for (const e of entries) {
    if (!finished.has(e.id)) yield { task: e.id, result: finishedAt(started, false, '', 'skipped') };
  }
}

/** Yields what any lane emits, as it comes; ends when every lane has. */
async function* merged<T>(lanes: Array<(emit: (item: T) => void) => Promise<void>>): AsyncGenerator<T> {
  const items: T[] = [];
  let wake: (() => void) | undefined;
  let running = lanes.length;
  let failure: { error: unknown } | undefined;
  const emit = (item: T) => {
    items.push(item);
    wake?.();
  };
  for (const lane of lanes) {
    lane(emit)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => {
        running--;
        wake?.();
      });
  }
  while (running > 0 || items.length > 0) {
    const next = items.shift();
    if (next !== undefined) {
      yield next;
      continue;
    }
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
  if (failure) throw failure.error;
}

/** `cargo metadata` with dependencies, by package name; undefined when cargo cannot tell. */
async function resolveGraph(cwd: string, manifestPath: string, toolchain: string | undefined): Promise<ResolveGraph | undefined> {
  const attempt = async (args: string[]) => {
    const r = await runCargoMetadata(manifestPath, cwd, { withDeps: true, args, toolchain });
    return r.ok ? resolveGraphOf(r.metadata as unknown as Parameters<typeof resolveGraphOf>[0]) : undefined;
  };
  // Every optional dependency too, so a failure can only be over-attributed.
  return (await attempt(['--all-features'])) ?? attempt([]);
}

/** One group: one cargo (for `test`, one more per round after a compile error, without the crates it reached). */
async function runGroup(command: CargoCommand, group: Entry[], emit: Emit, state: { stopped: boolean }): Promise<void> {
  const started = Date.now();
  const first = group[0];
  const { crate, options, trailing, context } = first;
  const cwd = crate.cwd;
  const output = new Map<string, string[]>(group.map((e) => [e.id, []]));
  const say = (e: Entry, line: string) => output.get(e.id)?.push(line);
  const finish = (list: Entry[], success: boolean, note?: (e: Entry) => string | undefined) => {
    for (const e of list) {
      const extra = note?.(e);
      if (extra) say(e, extra);
      emit({ task: e.id, result: finishedAt(started, success, (output.get(e.id) ?? []).join('\n')) });
    }
  };
  if (state.stopped) return finish(group, false, () => 'fine-threads: not started: the run was stopped.');

  const mode = command === 'build' || command === 'check' ? command : undefined;
  const recorded = mode !== undefined && options.record !== false;
  const manifestPath = relative(cwd, crate.manifestPath);
  const userArgs = options.args ?? [];
  const json = !userArgs.some((a) => a.startsWith('--message-format'));
  const flags = [
    command === 'test' ? '--no-fail-fast' : '--keep-going',
    ...(json ? [`--message-format=${cargoColour() === 'always' ? 'json-diagnostic-rendered-ansi' : 'json'}`] : []),
  ];
  const toolchainArgv = cargoArgs({ command, packageName: [], manifestPath, options, trailing });
  const toolchain = toolchainArgv[0].startsWith('+') ? toolchainArgv[0].slice(1) : undefined;
  const crateToPackage = new Map(group.flatMap((e) => e.crate.crateNames.map((c) => [c, e.crate.packageName] as const)));

  let session: CargoSession;
  try {
    session = await openCargoSession(context, command, [...crateToPackage.keys()], options.frontendThreads, toolchain, cwd);
  } catch (e) {
    if (!(e instanceof ThreadOptionError)) throw e;
    log.error(`fine-threads: ${e.message}`);
    return finish(group, false, () => `fine-threads: ${e.message}`);
  }
  const { plan } = session;
  for (const note of plan.notes) log.warn(note);
  if (plan.threads.size > 0) log.info(`fine-threads: front-end threads ${formatThreadTable(plan.threads)}`);

  let remaining = group;
  let graph: ResolveGraph | undefined | null = null;
  try {
    while (remaining.length > 0) {
      const packages = [...new Set(remaining.map((e) => e.crate.packageName))];
      const argv = cargoArgs({ command, packageName: packages, manifestPath, options, trailing, timings: recorded, flags });
      const line = `> ${renderCommand(argv)}`;
      log.info(line);
      for (const e of remaining) say(e, line);
      const reader = new CargoOutput(crateToPackage);
      const io = {
        onLine: (l: string) => {
          const shown = reader.read(l);
          if (shown !== undefined) process.stdout.write(`${shown}\n`);
        },
      };
      const result = await runRecordedCargo(context, session, {
        argv,
        cwd,
        io,
        record: recordOf(
          crate,
          options,
          context.root,
          mode,
          remaining[0].project,
          remaining.map((e) => e.project),
        ),
      });
      const byPackage = (e: Entry) => reader.outputOf(e.crate.packageName);
      for (const e of remaining) output.get(e.id)?.push(...byPackage(e));
      if (result.exitCode === null) {
        log.error(`fine-threads: ${result.error}`);
        return finish(remaining, false, () => `fine-threads: ${result.error}`);
      }
      if (result.exitCode === 0) return finish(remaining, true);
      if (result.exitCode >= 128) {
        state.stopped = true;
        return finish(remaining, false, () => `fine-threads: cargo was stopped (exit ${result.exitCode}).`);
      }
      const blame = (why: string) => `fine-threads: cargo failed (exit ${result.exitCode}) ${why}; this task fails with it.`;
      if (reader.failed.size === 0) return finish(remaining, false, () => blame('before any crate could be blamed'));
      if (command === 'test' && reader.testsRan) {
        // Test binaries ran: a failing test fails its own package only.
        const failedTests = remaining.filter((e) => reader.failed.has(e.crate.packageName));
        if (failedTests.length === 0) return finish(remaining, false, () => blame('and no test binary could be blamed'));
        finish(failedTests, false);
        return finish(remaining.filter((e) => !failedTests.includes(e)), true);
      }
      if (graph === null) graph = await resolveGraph(cwd, manifestPath, toolchain);
      const withDev = command === 'test' || buildsDevTargets(userArgs);
      const reach = graph
        ? failureReach(packages, reader.failed, graph, withDev)
        : new Map(packages.filter((p) => reader.failed.has(p)).map((p) => [p, p]));
      const failedHere = remaining.filter((e) => reach.has(e.crate.packageName));
      finish(failedHere, false, (e) => {
        const cause = reach.get(e.crate.packageName);
        return cause && cause !== e.crate.packageName ? `fine-threads: ${e.crate.packageName} was not built: it depends on ${cause}, which failed.` : undefined;
      });
      const rest = remaining.filter((e) => !failedHere.includes(e));
      if (failedHere.length === 0) return finish(rest, false, () => blame('in a crate none of these depends on'));
      if (!graph) return finish(rest, false, () => blame('and its dependency graph could not be read'));
      if (command !== 'test') return finish(rest, true);
      // cargo test stops at the first compile error: once more without the crates it reached.
      remaining = rest;
    }
  } finally {
    session.close();
  }
}
