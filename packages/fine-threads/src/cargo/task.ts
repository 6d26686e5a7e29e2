import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { cargoArgs, CargoOptionError, renderCommand, type CargoCommand, type CargoCommonOptions } from './args';
import { openCargoSession, runRecordedCargo, type CargoSession, type RecordedCargoRun } from './recorded';
import { log } from '../utils/log';
import { crateNameOf, formatThreadTable, ThreadOptionError } from '../threads/options';

export interface CrateTarget {
  packageName: string;
  /** The names rustc compiles the package's units under. */
  crateNames: string[];
  /** Absolute. */
  manifestPath: string;
  /** Absolute: cargo runs here, so the Cargo workspace's `.cargo/config.toml` applies. */
  cwd: string;
  /** Cargo workspace, relative to the Nx root. */
  cargoWorkspace: string;
  /** Cargo's target directory as inference saw it (relative to the Nx root, or absolute). */
  targetDirectory?: string;
}

interface CargoProjectMetadata {
  package?: string;
  crateNames?: string[];
  manifestPath?: string;
  workspaceRoot?: string;
  targetDirectory?: string;
}

/**
 * The crate behind the task's project: inferred projects carry it in
 * `metadata.cargo`; a hand-written project.json falls back to the
 * Cargo.toml in the project root and the project's name.
 */
export function crateForTask(context: ExecutorContext): CrateTarget {
  const name = context.projectName;
  const project = name ? context.projectsConfigurations.projects[name] : undefined;
  if (!name || !project) throw new CargoOptionError(`project "${name ?? ''}" is not in this workspace`);
  const meta = (project.metadata as { cargo?: CargoProjectMetadata } | undefined)?.cargo;
  const manifest = meta?.manifestPath ?? join(project.root, 'Cargo.toml');
  const manifestPath = join(context.root, manifest);
  if (!existsSync(manifestPath)) {
    throw new CargoOptionError(`project "${name}" has no Cargo.toml at ${manifest}: it is not a crate`);
  }
  const packageName = meta?.package ?? name;
  return {
    packageName,
    crateNames: meta?.crateNames ?? [crateNameOf(packageName)],
    manifestPath,
    cwd: join(context.root, meta?.workspaceRoot ?? project.root),
    cargoWorkspace: meta?.workspaceRoot ?? project.root,
    targetDirectory: meta?.targetDirectory,
  };
}

/** Where cargo writes for this task: `--target-dir`, then CARGO_TARGET_DIR, then what inference saw. */
export function targetDirFor(crate: CrateTarget, options: CargoCommonOptions, nxRoot: string): string {
  if (options.targetDir) return resolve(crate.cwd, options.targetDir);
  if (process.env.CARGO_TARGET_DIR) return resolve(crate.cwd, process.env.CARGO_TARGET_DIR);
  if (crate.targetDirectory) return resolve(nxRoot, crate.targetDirectory);
  return join(crate.cwd, 'target');
}

export interface CargoTaskSpec {
  trailing?: string[];
  bin?: string;
}

/** What a recorded build or check says about its crate(s); undefined when the run is not recorded. */
export function recordOf(
  crate: CrateTarget,
  options: CargoCommonOptions,
  nxRoot: string,
  mode: 'build' | 'check' | undefined,
  project: string,
  /** A batch's cargo: every project it built. */
  projects?: string[],
): RecordedCargoRun['record'] {
  if (!mode || options.record === false) return undefined;
  return {
    targetDir: targetDirFor(crate, options, nxRoot),
    fields: {
      project,
      ...(projects ? { projects } : {}),
      cargoWorkspace: crate.cargoWorkspace,
      mode,
      profile: options.profile ?? (options.release ? 'release' : 'dev'),
      target: options.target,
    },
  };
}

/** What every executor does: find the crate, plan its threads, say what runs, run cargo, report its result. */
export async function runCargoTask(
  command: CargoCommand,
  options: CargoCommonOptions,
  context: ExecutorContext,
  spec: CargoTaskSpec = {},
): Promise<{ success: boolean }> {
  // Builds and checks are recorded, for the tuner: cargo's own timing report is the source.
  const mode = command === 'build' || command === 'check' ? command : undefined;
  const recorded = mode !== undefined && options.record !== false;
  let argv: string[];
  let crate: CrateTarget;
  let session: CargoSession;
  try {
    crate = crateForTask(context);
    // Relative to cargo's cwd, so the printed command reads like one typed by hand.
    const manifestPath = relative(crate.cwd, crate.manifestPath);
    argv = cargoArgs({ command, packageName: crate.packageName, manifestPath, options, timings: recorded, ...spec });
    const toolchain = argv[0].startsWith('+') ? argv[0].slice(1) : undefined;
    session = await openCargoSession(context, command, crate.crateNames, options.frontendThreads, toolchain, crate.cwd);
  } catch (e) {
    if (e instanceof CargoOptionError || e instanceof ThreadOptionError) {
      log.error(`fine-threads: ${e.message}`);
      return { success: false };
    }
    throw e;
  }
  const { plan } = session;
  for (const note of plan.notes) log.warn(note);
  if (plan.threads.size > 0) log.info(`fine-threads: front-end threads ${formatThreadTable(plan.threads)}`);
  log.info(`> ${renderCommand(argv)}`);
  try {
    const result = await runRecordedCargo(context, session, {
      argv,
      cwd: crate.cwd,
      record: recordOf(crate, options, context.root, mode, context.projectName ?? crate.packageName),
    });
    if (result.exitCode === null) {
      log.error(`fine-threads: ${result.error}`);
      return { success: false };
    }
    return { success: result.exitCode === 0 };
  } finally {
    session.close();
  }
}
