import { relative } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { CargoOptionError, renderCommand } from '../../cargo/args';
import { runCargo } from '../../cargo/process';
import { crateForTask } from '../../cargo/task';
import { log } from '../../utils/log';
import type { PublishExecutorSchema } from './schema';

const TOOLCHAIN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The argv for `cargo publish` of one crate. */
export function publishArgs(packageName: string, manifestPath: string, o: PublishExecutorSchema): string[] {
  const argv: string[] = [];
  if (o.toolchain !== undefined) {
    const name = o.toolchain.replace(/^\+/, '');
    if (!TOOLCHAIN.test(name)) throw new CargoOptionError(`invalid toolchain "${o.toolchain}" (expected a rustup toolchain name such as "nightly")`);
    argv.push(`+${name}`);
  }
  argv.push('publish', '-p', packageName, '--manifest-path', manifestPath);
  if (o.dryRun) argv.push('--dry-run');
  if (o.allowDirty) argv.push('--allow-dirty');
  if (o.noVerify) argv.push('--no-verify');
  if (o.registry) argv.push('--registry', o.registry);
  argv.push(...(o.args ?? []));
  return argv;
}

/** cargo's lines for a registry it could not reach (DNS, refused or timed-out connections, a failed index download). */
const UNREACHABLE =
  /Could not resolve host|Couldn't resolve host|failed to download from|Failed to connect|Couldn't connect|Connection refused|Connection timed out|Operation timed out|network failure seems to have happened/i;
/** Where cargo's failure report starts: from here on its lines are held until it is known what failed. */
const FAILURE_START = /^\s*(warning: spurious network error|error(\[|:))/;

/** The one line for a registry cargo could not reach, or undefined when the failure is another one. */
export function unreachableRegistry(lines: readonly string[], registry: string | undefined, dryRun: boolean | undefined): string | undefined {
  const cause = [...lines].reverse().find((l) => UNREACHABLE.test(l));
  if (!cause) return undefined;
  const name = registry ? `registry "${registry}"` : 'crates.io';
  const what = dryRun ? 'cargo publish --dry-run needs the registry index to verify the crate' : 'nothing was published';
  return `fine-threads: cargo publish could not reach ${name} (${cause.trim().replace(/^Caused by:\s*/, '')}): ${what}.`;
}

export default async function publishExecutor(options: PublishExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  let argv: string[];
  let cwd: string;
  try {
    const crate = crateForTask(context);
    cwd = crate.cwd;
    argv = publishArgs(crate.packageName, relative(crate.cwd, crate.manifestPath), options);
  } catch (e) {
    if (e instanceof CargoOptionError) {
      log.error(`fine-threads: ${e.message}`);
      return { success: false };
    }
    throw e;
  }
  log.info(`> ${renderCommand(argv)}`);
  // cargo's progress streams live; its failure report is held until it is known whether the
  // registry was out of reach (one line then) or something else failed (cargo's own report).
  const held: string[] = [];
  const result = await runCargo(argv, cwd, {}, {
    onLine(line) {
      if (held.length > 0 || FAILURE_START.test(line)) held.push(line);
      else log.info(line);
    },
  });
  if (result.exitCode === null) {
    for (const line of held) log.info(line);
    log.error(`fine-threads: ${result.error}`);
    return { success: false };
  }
  if (result.exitCode === 0) {
    for (const line of held) log.info(line);
    return { success: true };
  }
  const unreachable = unreachableRegistry(held, options.registry, options.dryRun);
  if (unreachable) log.error(unreachable);
  else for (const line of held) log.error(line);
  return { success: false };
}
