import { relative, dirname, isAbsolute, sep } from 'node:path';
import type { CargoMetadata, CargoPackage } from '../cargo/metadata';

export type DependencyKind = 'normal' | 'dev' | 'build';

/**
 * One crate of a Cargo workspace, as inference needs it: plain data, paths
 * relative to the Nx workspace root (posix), so it can be cached as JSON.
 */
export interface CrateInfo {
  /** Cargo package name, the default Nx project name. */
  packageName: string;
  /** The crate's directory. */
  root: string;
  manifestPath: string;
  /** Directory of the Cargo workspace the crate belongs to. */
  cargoWorkspaceRoot: string;
  /** Cargo's target directory, relative when it lies inside the Nx workspace. */
  targetDirectory: string;
  /** Name of the library target as rustc sees it (dashes become underscores). */
  libName?: string;
  bins: string[];
  hasBuildScript: boolean;
  /** Paths relative to `root` whose contents are the crate's sources (dirs end in `/`). */
  sources: string[];
  /** Path dependencies on other crates, by the dependency's crate root. */
  dependencies: { root: string; kind: DependencyKind }[];
  /** The npm package name under which TS projects may depend on this crate. */
  npmName: string;
  /** Whether `npm-name` was set, i.e. an npm package of that name is meant to exist. */
  npmNameDeclared: boolean;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

/** A path relative to the Nx root, posix, `.` for the root itself. */
export function rel(nxRoot: string, absolute: string): string {
  const r = toPosix(relative(nxRoot, absolute));
  return r === '' ? '.' : r;
}

/** The top-level entry of the crate directory that holds a target's source. */
function sourceEntry(crateDir: string, srcPath: string): string {
  const r = toPosix(relative(crateDir, srcPath));
  if (r.startsWith('..') || isAbsolute(r)) return r;
  const slash = r.indexOf('/');
  return slash === -1 ? r : `${r.slice(0, slash)}/`;
}

function declaredNpmName(pkg: CargoPackage): string | undefined {
  const own = pkg.metadata?.['fine-threads'] as { 'npm-name'?: unknown } | undefined;
  return typeof own?.['npm-name'] === 'string' ? own['npm-name'] : undefined;
}

/** Turns one workspace's `cargo metadata --no-deps` into crates (members only). */
export function cratesFromMetadata(metadata: CargoMetadata, nxRoot: string): CrateInfo[] {
  const members = new Set(metadata.workspace_members);
  const cargoWorkspaceRoot = rel(nxRoot, metadata.workspace_root);
  const targetRel = rel(nxRoot, metadata.target_directory);
  const targetDirectory = targetRel.startsWith('..') ? toPosix(metadata.target_directory) : targetRel;

  return metadata.packages
    .filter((pkg) => members.has(pkg.id))
    .map((pkg) => {
      const crateDir = dirname(pkg.manifest_path);
      const lib = pkg.targets.find((t) =>
        t.kind.some((k) => ['lib', 'rlib', 'dylib', 'cdylib', 'staticlib', 'proc-macro'].includes(k)),
      );
      const sources = new Set<string>(['Cargo.toml']);
      for (const t of pkg.targets) sources.add(sourceEntry(crateDir, t.src_path));
      const dependencies = pkg.dependencies
        .filter((d) => typeof d.path === 'string')
        .map((d) => ({
          root: rel(nxRoot, d.path as string),
          kind: (d.kind ?? 'normal') as DependencyKind,
        }));
      return {
        packageName: pkg.name,
        root: rel(nxRoot, crateDir),
        manifestPath: rel(nxRoot, pkg.manifest_path),
        cargoWorkspaceRoot,
        targetDirectory,
        libName: lib?.name.replace(/-/g, '_'),
        bins: pkg.targets.filter((t) => t.kind.includes('bin')).map((t) => t.name),
        hasBuildScript: pkg.targets.some((t) => t.kind.includes('custom-build')),
        sources: [...sources].sort(),
        dependencies,
        npmName: declaredNpmName(pkg) ?? pkg.name,
        npmNameDeclared: declaredNpmName(pkg) !== undefined,
      };
    });
}
