import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { cargoArgs, CargoOptionError, renderCommand, type CargoCommand, type CargoCommonOptions } from '../utils/cargo-args';
import { runCargo } from '../utils/cargo';
import { log } from '../utils/log';

export interface CrateTarget {
  packageName: string;
  /** Absolute. */
  manifestPath: string;
  /** Absolute: cargo runs here, so the Cargo workspace's `.cargo/config.toml` applies. */
  cwd: string;
}

interface CargoProjectMetadata {
  package?: string;
  manifestPath?: string;
  workspaceRoot?: string;
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
  return {
    packageName: meta?.package ?? name,
    manifestPath,
    cwd: join(context.root, meta?.workspaceRoot ?? project.root),
  };
}

export interface CargoTaskSpec {
  trailing?: string[];
  bin?: string;
}

/** What every executor does: find the crate, say what runs, run cargo, report its result. */
export async function runCargoTask(
  command: CargoCommand,
  options: CargoCommonOptions,
  context: ExecutorContext,
  spec: CargoTaskSpec = {},
): Promise<{ success: boolean }> {
  let argv: string[];
  let crate: CrateTarget;
  try {
    crate = crateForTask(context);
    // Relative to cargo's cwd, so the printed command reads like one typed by hand.
    const manifestPath = relative(crate.cwd, crate.manifestPath);
    argv = cargoArgs({ command, packageName: crate.packageName, manifestPath, options, ...spec });
  } catch (e) {
    if (e instanceof CargoOptionError) {
      log.error(`fine-threads: ${e.message}`);
      return { success: false };
    }
    throw e;
  }
  log.info(`> ${renderCommand(argv)}`);
  const result = await runCargo(argv, crate.cwd);
  if (result.exitCode === null) {
    log.error(`fine-threads: ${result.error}`);
    return { success: false };
  }
  return { success: result.exitCode === 0 };
}
