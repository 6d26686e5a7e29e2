import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CreateNodesResult, CreateNodesV2, ProjectConfiguration } from '@nx/devkit';
import { workspaceDataDir } from '../system/nx-dirs';
import { cratesFromMetadata, rel, type CrateInfo } from '../utils/crates';
import { log } from '../utils/log';
import {
  FileHasher,
  readInferenceCache,
  workspaceKey,
  writeInferenceCache,
  type InferenceCache,
  type WorkspaceEntry,
} from './inference-cache';
import { normalizePluginOptions, type FineThreadsPluginOptions } from './plugin-options';
import { projectForCrate } from './targets';
import { readWorkspace, type SkippedManifest } from './workspace-metadata';

export const CARGO_MANIFEST_GLOB = '**/Cargo.toml';

/** A cheap look for a `[workspace]` or `[workspace.*]` header, even an unclosed one (for the warning). */
function declaresWorkspace(absoluteManifest: string): boolean {
  try {
    return /^\s*\[workspace\b/m.test(readFileSync(absoluteManifest, 'utf8'));
  } catch {
    return false;
  }
}

function isUnder(dir: string, file: string): boolean {
  return dir === '.' || file.startsWith(`${dir}/`);
}

/** Shallow manifests first, so a workspace root is read before its members. */
function byDepth(a: string, b: string): number {
  return a.split('/').length - b.split('/').length || a.localeCompare(b);
}

function warnSkipped(skipped: readonly SkippedManifest[]): void {
  for (const s of skipped) log.warn(`fine-threads: skipped ${s.manifest} (its crate only): ${s.message}`);
}

/**
 * Finds the crates behind the given manifests: a cached entry whose key still
 * matches is reused; otherwise `cargo metadata` runs once per workspace.
 */
export async function inferCrates(
  manifests: readonly string[],
  workspaceRoot: string,
  cache: InferenceCache,
): Promise<{ crates: CrateInfo[]; cache: InferenceCache; changed: boolean }> {
  const sorted = [...manifests].sort(byDepth);
  const hasher = new FileHasher((p) => join(workspaceRoot, p));
  const underRoot = (workspaceManifest: string) => sorted.filter((m) => isUnder(dirname(workspaceManifest), m));
  const byManifest = new Map<string, WorkspaceEntry>();
  for (const entry of cache.workspaces) for (const m of entry.manifests) byManifest.set(m, entry);

  const covered = new Set<string>();
  const entries: WorkspaceEntry[] = [];
  let changed = false;
  for (const manifest of sorted) {
    if (covered.has(manifest)) continue;
    const cached = byManifest.get(manifest);
    if (cached && workspaceKey(hasher, cached.workspaceManifest, cached.manifests, underRoot(cached.workspaceManifest)) === cached.key) {
      entries.push(cached);
      warnSkipped(cached.skipped ?? []); // still broken: say so on every run, not only the first
      for (const m of cached.manifests) covered.add(m);
      continue;
    }
    changed = true;
    const isWorkspace = declaresWorkspace(join(workspaceRoot, manifest));
    const result = await readWorkspace(join(workspaceRoot, manifest), workspaceRoot, isWorkspace);
    if (!result.ok) {
      if (result.missingCargo) {
        log.warn(
          'fine-threads: cargo was not found on PATH, so no Cargo.toml was read; install Rust with rustup (https://rustup.rs).',
        );
        return { crates: [], cache, changed: false };
      }
      log.warn(`fine-threads: skipped ${manifest}${isWorkspace ? ' (the whole Cargo workspace)' : ''}: ${result.message}`);
      // The members below a broken workspace would fail the same way: one
      // warning is enough. Nested workspaces of their own are still read.
      for (const m of underRoot(manifest)) if (!declaresWorkspace(join(workspaceRoot, m))) covered.add(m);
      continue;
    }
    warnSkipped(result.skipped);
    const crates = cratesFromMetadata(result.metadata, workspaceRoot);
    // Cargo names the workspace root itself, even for a workspace without members.
    const root = rel(workspaceRoot, result.metadata.workspace_root);
    const workspaceManifest = root === '.' ? 'Cargo.toml' : `${root}/Cargo.toml`;
    // A skipped member's manifest is part of the key, so fixing it reads the workspace again.
    const skippedManifests = result.skipped.map((s) => s.manifest);
    const entryManifests = [...new Set([workspaceManifest, manifest, ...crates.map((c) => c.manifestPath), ...skippedManifests])];
    const entry: WorkspaceEntry = {
      workspaceManifest,
      manifests: entryManifests,
      key: workspaceKey(hasher, workspaceManifest, entryManifests, underRoot(workspaceManifest)),
      crates,
      ...(result.skipped.length > 0 ? { skipped: result.skipped } : {}),
    };
    entries.push(entry);
    for (const m of entryManifests) covered.add(m);
  }
  if (entries.length !== cache.workspaces.length) changed = true;
  return { crates: entries.flatMap((e) => e.crates), cache: { version: cache.version, workspaces: entries }, changed };
}

/**
 * Project names are crate names. A name used by crates of two Cargo
 * workspaces would clash in Nx, so the later ones are named by their path.
 */
export function projectNames(crates: readonly CrateInfo[]): Map<CrateInfo, string> {
  const names = new Map<CrateInfo, string>();
  const taken = new Map<string, CrateInfo>();
  for (const crate of [...crates].sort((a, b) => byDepth(a.root, b.root))) {
    const first = taken.get(crate.packageName);
    if (first) {
      log.warn(
        `fine-threads: crates ${first.root} and ${crate.root} are both named "${crate.packageName}"; the second is the Nx project "${crate.root}".`,
      );
      names.set(crate, crate.root);
    } else {
      taken.set(crate.packageName, crate);
      names.set(crate, crate.packageName);
    }
  }
  return names;
}

/** The crates found by the last inference in this process, for createDependencies. */
let lastCrates: CrateInfo[] | undefined;

export function cachePath(workspaceRoot: string): string {
  return join(workspaceDataDir(workspaceRoot), 'fine-threads-crates.json');
}

export async function loadCrates(workspaceRoot: string, manifests?: readonly string[]): Promise<CrateInfo[]> {
  if (!manifests) {
    if (lastCrates) return lastCrates;
    return readInferenceCache(cachePath(workspaceRoot)).workspaces.flatMap((w) => w.crates);
  }
  const path = cachePath(workspaceRoot);
  const result = await inferCrates(manifests, workspaceRoot, readInferenceCache(path));
  if (result.changed) {
    try {
      writeInferenceCache(path, result.cache);
    } catch (e) {
      log.warn(`fine-threads: could not write the inference cache ${path}: ${(e as Error).message}`);
    }
  }
  lastCrates = result.crates;
  return result.crates;
}

export const createNodesV2: CreateNodesV2<FineThreadsPluginOptions> = [
  CARGO_MANIFEST_GLOB,
  async (manifests, rawOptions, context) => {
    const options = normalizePluginOptions(rawOptions);
    const crates = await loadCrates(context.workspaceRoot, manifests);
    const names = projectNames(crates);
    const results: Array<readonly [string, CreateNodesResult]> = [];
    for (const crate of crates) {
      const project: ProjectConfiguration = projectForCrate(crate, names.get(crate) as string, options);
      results.push([crate.manifestPath, { projects: { [crate.root]: project } }]);
    }
    return results;
  },
];
