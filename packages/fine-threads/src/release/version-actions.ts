/**
 * Nx release's version actions for crates: `"versionActions": "fine-threads/release/version-actions"`
 * in nx.json `release.version`. Versions live in Cargo.toml (`[package] version`, or the
 * workspace root's `[workspace.package] version` for `version.workspace = true`); dependents'
 * requirements are updated, and each Cargo workspace's Cargo.lock is refreshed afterwards.
 */
import { posix } from 'node:path';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { VersionActions, type AfterAllProjectsVersioned } from 'nx/release';
import type { ProjectGraph, ProjectGraphProjectNode, Tree } from '@nx/devkit';
import { refreshWorkspaceLockfile } from '../cargo/lockfile';
import {
  readDependencyRequirement,
  readPackageVersion,
  readWorkspaceVersion,
  ReleaseManifestError,
  writeDependencyRequirement,
  writePackageVersion,
  writeWorkspaceVersion,
} from './manifest';

interface CargoMetadata {
  package?: string;
  manifestPath?: string;
  workspaceRoot?: string;
}

const cargoOf = (node: ProjectGraphProjectNode | undefined): CargoMetadata =>
  ((node?.data.metadata as { cargo?: CargoMetadata } | undefined)?.cargo ?? {});

const dirOf = (path: string) => (posix.dirname(path) === '.' ? '' : posix.dirname(path));

/** The crate's manifest, relative to the Nx root. */
function manifestOf(node: ProjectGraphProjectNode): string {
  return cargoOf(node).manifestPath ?? posix.join(node.data.root, 'Cargo.toml');
}

/** The Cargo workspace root manifest for a crate: from inference, else the nearest `[workspace]` above. */
function workspaceManifestOf(tree: Tree, node: ProjectGraphProjectNode): string | undefined {
  const ws = cargoOf(node).workspaceRoot;
  if (ws !== undefined) return posix.join(ws, 'Cargo.toml');
  for (let dir = dirOf(manifestOf(node)); ; dir = dirOf(dir)) {
    const path = posix.join(dir, 'Cargo.toml');
    if (tree.exists(path) && /^\s*\[workspace\]/m.test(tree.read(path, 'utf8') ?? '')) return path;
    if (dir === '') return undefined;
  }
}

function packageNameOf(graph: ProjectGraph, project: string): string {
  return cargoOf(graph.nodes[project]).package ?? project;
}

function read(tree: Tree, path: string): string {
  const text = tree.read(path, 'utf8');
  if (text === null) throw new ReleaseManifestError(`${path} does not exist`);
  return text;
}

/** Cargo workspaces (Nx-root-relative directories) whose manifests this process changed: their Cargo.lock is refreshed. */
const touchedWorkspaces = new Set<string>();

export default class CargoVersionActions extends VersionActions {
  validManifestFilenames = ['Cargo.toml'];
  // Nx's Prettier pass is for JSON and JS manifests: TOML keeps its own layout.
  excludeManifestsFromFormatting = true;

  private manifest(): string {
    return manifestOf(this.projectGraphNode);
  }

  private workspaceManifest(tree: Tree): string {
    const path = workspaceManifestOf(tree, this.projectGraphNode);
    if (!path) throw new ReleaseManifestError(`${this.manifest()} inherits its version (version.workspace = true) but no Cargo workspace encloses it`);
    return path;
  }

  private noteWorkspace(tree: Tree): void {
    const ws = workspaceManifestOf(tree, this.projectGraphNode);
    touchedWorkspaces.add(ws ? dirOf(ws) : dirOf(this.manifest()));
  }

  async readCurrentVersionFromSourceManifest(tree: Tree): Promise<{ currentVersion: string; manifestPath: string }> {
    const path = this.manifest();
    const own = readPackageVersion(read(tree, path), path);
    if (!own.inherited) return { currentVersion: own.version, manifestPath: path };
    const wsPath = this.workspaceManifest(tree);
    return { currentVersion: readWorkspaceVersion(read(tree, wsPath), wsPath), manifestPath: wsPath };
  }

  /** crates.io is not asked: use `currentVersionResolver: "disk"` or `"git-tag"`. */
  async readCurrentVersionFromRegistry(): Promise<null> {
    return null;
  }

  async readCurrentVersionOfDependency(
    tree: Tree,
    projectGraph: ProjectGraph,
    dependencyProjectName: string,
  ): Promise<{ currentVersion: string | null; dependencyCollection: string | null }> {
    const path = this.manifest();
    const dep = packageNameOf(projectGraph, dependencyProjectName);
    const found = readDependencyRequirement(read(tree, path), path, dep);
    if (found.inherited) {
      const wsPath = this.workspaceManifest(tree);
      const ws = readDependencyRequirement(read(tree, wsPath), wsPath, dep);
      return { currentVersion: ws.requirement, dependencyCollection: found.collection };
    }
    return { currentVersion: found.requirement, dependencyCollection: found.collection };
  }

  async updateProjectVersion(tree: Tree, newVersion: string): Promise<string[]> {
    const path = this.manifest();
    const text = read(tree, path);
    const own = readPackageVersion(text, path);
    this.noteWorkspace(tree);
    if (!own.inherited) {
      tree.write(path, writePackageVersion(text, path, newVersion));
      return [`✍️  New version ${newVersion} written to manifest: ${path}`];
    }
    const wsPath = this.workspaceManifest(tree);
    const wsText = read(tree, wsPath);
    if (readWorkspaceVersion(wsText, wsPath) === newVersion) {
      return [`✍️  Version ${newVersion} is already in [workspace.package] of ${wsPath}`];
    }
    tree.write(wsPath, writeWorkspaceVersion(wsText, wsPath, newVersion));
    return [`✍️  New version ${newVersion} written to [workspace.package] of ${wsPath} (inherited by ${path})`];
  }

  async updateProjectDependencies(
    tree: Tree,
    projectGraph: ProjectGraph,
    dependenciesToUpdate: Record<string, string>,
  ): Promise<string[]> {
    const path = this.manifest();
    const logs: string[] = [];
    const wsPath = workspaceManifestOf(tree, this.projectGraphNode);
    for (const [project, version] of Object.entries(dependenciesToUpdate)) {
      const dep = packageNameOf(projectGraph, project);
      // The crate's own tables, then `[workspace.dependencies]` when an entry inherits from it.
      const targets = [path];
      if (wsPath && wsPath !== path && readDependencyRequirement(read(tree, path), path, dep).inherited) targets.push(wsPath);
      for (const target of targets) {
        const r = writeDependencyRequirement(read(tree, target), target, dep, version);
        if (r.changed.length === 0) continue;
        tree.write(target, r.text);
        this.noteWorkspace(tree);
        logs.push(`✍️  Requirement on ${dep} set to "${version}" in ${target} (${r.changed.join(', ')})`);
      }
    }
    return logs;
  }
}

/** After every manifest is written: refresh each touched Cargo workspace's Cargo.lock (none in a dry run). */
export const afterAllProjectsVersioned: AfterAllProjectsVersioned = async (cwd, opts) => {
  const changedFiles: string[] = [];
  const workspaces = [...touchedWorkspaces].sort();
  touchedWorkspaces.clear();
  for (const ws of workspaces) {
    const lock = posix.join(ws, 'Cargo.lock');
    if (!existsSync(join(cwd, lock))) continue; // no lock file to keep in step
    if (opts.dryRun) {
      console.log(`fine-threads: would refresh ${lock} (cargo update --workspace --offline); dry run, nothing written`);
      continue;
    }
    const r = await refreshWorkspaceLockfile(join(cwd, ws));
    if (!r.ok) throw new Error(`fine-threads: ${r.message}`);
    if (opts.verbose) console.log(`fine-threads: refreshed ${relative(cwd, join(cwd, lock))}`);
    changedFiles.push(lock);
  }
  return { changedFiles, deletedFiles: [] };
};
