/**
 * Loads cargo's unit graph for a build: `cargo <mode> --unit-graph -Z unstable-options`. It
 * resolves and plans the build, compiles nothing, and prints every unit the build needs (fresh or
 * not) with its dependencies. The flag is unstable: RUSTC_BOOTSTRAP=1 lets a stable cargo take it,
 * for this one cargo process only.
 */
import type { UnitGraph } from '../simulation/graph';
import { condenseCargoError } from './metadata';
import { captureCargoSync } from './process';

export interface UnitGraphRequest {
  /** Where cargo runs: the Cargo workspace (its .cargo/config.toml applies). */
  cwd: string;
  manifestPath?: string;
  /** `-p` for each; none: cargo's default members. */
  packages?: string[];
  workspace?: boolean;
  mode: 'build' | 'check' | 'test' | 'bench' | 'doc';
  /** "dev" (none), "release" (--release), or a custom profile (--profile). */
  profile?: string;
  /** More cargo arguments (features, target, …). */
  args?: string[];
  /** `cargo +<toolchain>`. */
  toolchain?: string;
}

export class UnitGraphLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnitGraphLoadError';
  }
}

export function unitGraphArgs(request: UnitGraphRequest): string[] {
  const args = request.toolchain ? [`+${request.toolchain}`] : [];
  args.push(request.mode, '--unit-graph', '-Z', 'unstable-options');
  if (request.manifestPath) args.push('--manifest-path', request.manifestPath);
  if (request.workspace) args.push('--workspace');
  for (const p of request.packages ?? []) args.push('-p', p);
  if (request.profile === 'release') args.push('--release');
  else if (request.profile && request.profile !== 'dev') args.push('--profile', request.profile);
  args.push(...(request.args ?? []));
  return args;
}

/** Runs cargo and parses its unit graph; throws UnitGraphLoadError with one line if cargo fails. */
export function loadUnitGraph(request: UnitGraphRequest): UnitGraph {
  const args = unitGraphArgs(request);
  const shown = `cargo ${args.join(' ')}`;
  const result = captureCargoSync(args, { cwd: request.cwd, env: { RUSTC_BOOTSTRAP: '1' } });
  if (!result.ok && result.missing) throw new UnitGraphLoadError(`fine-threads: ${result.message}`);
  if (!result.ok) {
    throw new UnitGraphLoadError(`fine-threads: ${shown} failed in ${request.cwd}: ${condenseCargoError(result.stderr) || result.message}`);
  }
  try {
    const graph = JSON.parse(result.stdout) as UnitGraph;
    if (!Array.isArray(graph.units)) throw new Error('no "units" array');
    return graph;
  } catch (e) {
    throw new UnitGraphLoadError(`fine-threads: ${shown} printed no unit graph: ${(e as Error).message}`);
  }
}
