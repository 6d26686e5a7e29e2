import { captureCargo } from './process';
import { isAbsolute, normalize, resolve } from 'node:path';

/**
 * The subset of `cargo metadata --format-version 1 --no-deps` that inference
 * reads. Cargo's output is the source of truth: it resolves globs in
 * `workspace.members`, inherited `workspace = true` fields and exclusions, so
 * we never parse TOML ourselves.
 */
export interface CargoMetadata {
  packages: CargoPackage[];
  workspace_members: string[];
  workspace_root: string;
  target_directory: string;
}

export interface CargoPackage {
  name: string;
  id: string;
  manifest_path: string;
  dependencies: CargoDependency[];
  targets: CargoTarget[];
  metadata: Record<string, unknown> | null;
}

export interface CargoDependency {
  name: string;
  /** null for normal dependencies. */
  kind: 'dev' | 'build' | null;
  /** Present only for path dependencies. */
  path?: string;
  rename?: string | null;
}

export interface CargoTarget {
  name: string;
  kind: string[];
  src_path: string;
}

/** Arguments for the metadata call: no resolution, so it never needs the network. */
export function cargoMetadataArgs(manifestPath: string): string[] {
  return [
    'metadata',
    '--format-version',
    '1',
    '--no-deps',
    '--offline',
    '--manifest-path',
    manifestPath,
  ];
}

/**
 * Cargo's errors span several lines (the message, a `-->` location and code
 * frame for TOML errors, "Caused by:" chains). Users get one line: the first
 * message, its location, and the innermost cause.
 */
export function condenseCargoError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const first =
    lines.find((l) => l.startsWith('error:'))?.replace(/^error:\s*/, '') ?? lines[0] ?? 'cargo failed';
  const location = lines.find((l) => l.startsWith('-->'))?.slice(3).trim();
  const lastCause = lines.lastIndexOf('Caused by:');
  const cause = lastCause === -1 ? undefined : lines[lastCause + 1];
  let message = first;
  if (location) message += ` (at ${location})`;
  if (cause && cause !== first) message += `: ${cause}`;
  return message;
}

/**
 * The manifest cargo could not parse, as an absolute path: the file of a TOML
 * error's `-->` location (relative to cargo's cwd), or the one named by
 * "failed to parse manifest at". Cargo's first line may name another member
 * (one with a path dependency on the broken crate), so that line is not used.
 */
export function brokenManifestIn(stderr: string, cwd: string): string | undefined {
  const location = /^\s*-->\s*(.+Cargo\.toml):\d+:\d+\s*$/m.exec(stderr)?.[1];
  const named = /failed to parse manifest at `([^`]+Cargo\.toml)`/.exec(stderr)?.[1];
  const file = location ?? named;
  if (!file) return undefined;
  return isAbsolute(file) ? normalize(file) : resolve(cwd, file);
}

export type MetadataResult =
  | { ok: true; metadata: CargoMetadata }
  | { ok: false; missingCargo: boolean; message: string; stderr: string };

/** `cargo metadata` (no dependencies unless `extra` asks) for one manifest, parsed. */
export async function runCargoMetadata(manifestPath: string, cwd: string, extra: { withDeps?: boolean; args?: string[]; toolchain?: string } = {}): Promise<MetadataResult> {
  const base = cargoMetadataArgs(manifestPath).filter((a) => !(extra.withDeps && a === '--no-deps'));
  const args = [...(extra.toolchain ? [`+${extra.toolchain}`] : []), ...base, ...(extra.args ?? [])];
  const r = await captureCargo(args, { cwd, env: { CARGO_TERM_COLOR: 'never' } });
  if (!r.ok) return { ok: false, missingCargo: r.missing, message: r.missing ? 'cargo not found' : condenseCargoError(r.stderr), stderr: r.stderr };
  try {
    return { ok: true, metadata: JSON.parse(r.stdout) as CargoMetadata };
  } catch (e) {
    return { ok: false, missingCargo: false, message: `unreadable cargo metadata output: ${(e as Error).message}`, stderr: '' };
  }
}
