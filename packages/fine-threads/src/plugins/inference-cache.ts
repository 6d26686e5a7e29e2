import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CrateInfo } from '../utils/crates';
import type { SkippedManifest } from './workspace-metadata';
import { writeFileAtomic } from '../system/atomic-write';

/** Bump when CrateInfo or the key changes shape, so old caches are ignored. */
const CACHE_VERSION = 2;

export interface WorkspaceEntry {
  /** The Cargo workspace's root manifest. */
  workspaceManifest: string;
  /** Every manifest whose content the entry depends on. */
  manifests: string[];
  key: string;
  crates: CrateInfo[];
  /** Members cargo could not load: warned about again on every warm run. */
  skipped?: SkippedManifest[];
}

export interface InferenceCache {
  version: number;
  workspaces: WorkspaceEntry[];
}

export function emptyCache(): InferenceCache {
  return { version: CACHE_VERSION, workspaces: [] };
}

/** A missing, corrupt or outdated cache is an empty one: it is only a cache. */
export function readInferenceCache(path: string): InferenceCache {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as InferenceCache;
    if (parsed.version === CACHE_VERSION && Array.isArray(parsed.workspaces)) return parsed;
  } catch {
    // fall through
  }
  return emptyCache();
}

/** Written to a temporary file then renamed, so readers never see half a file. */
export function writeInferenceCache(path: string, cache: InferenceCache): void {
  writeFileAtomic(path, JSON.stringify(cache));
}

/**
 * Content hashes of workspace files, read at most once per inference pass.
 * A missing file hashes to a fixed marker, so creating it changes the key.
 */
export class FileHasher {
  private readonly hashes = new Map<string, string>();
  constructor(private readonly resolve: (relativePath: string) => string) {}

  hash(relativePath: string): string {
    let h = this.hashes.get(relativePath);
    if (h === undefined) {
      try {
        h = createHash('sha1').update(readFileSync(this.resolve(relativePath))).digest('hex');
      } catch {
        h = 'missing';
      }
      this.hashes.set(relativePath, h);
    }
    return h;
  }
}

/**
 * The key of one Cargo workspace: its manifests' and lock file's contents,
 * and the set of manifests Nx sees under its root (a crate added or removed
 * there may change the member list).
 */
export function workspaceKey(
  hasher: FileHasher,
  workspaceManifest: string,
  manifests: readonly string[],
  manifestsUnderRoot: readonly string[],
): string {
  const dir = dirname(workspaceManifest);
  const lock = dir === '.' ? 'Cargo.lock' : `${dir}/Cargo.lock`;
  const h = createHash('sha1').update(String(CACHE_VERSION));
  for (const m of [...manifests].sort()) h.update(`\0${m}\0${hasher.hash(m)}`);
  h.update(`\0lock\0${hasher.hash(lock)}\0seen`);
  for (const m of manifestsUnderRoot) h.update(`\0${m}`);
  return h.digest('hex');
}
