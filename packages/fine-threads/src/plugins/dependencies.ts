import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateDependencies, ProjectConfiguration, RawProjectGraphDependency } from '@nx/devkit';

// DependencyType.static, without loading @nx/devkit at run time (see utils/log.ts).
const STATIC = 'static' as RawProjectGraphDependency['type'];
import type { CrateInfo } from '../utils/crates';
import { loadCrates } from './nodes';
import type { FineThreadsPluginOptions } from './plugin-options';

type PackageJsonDeps = Partial<
  Record<'dependencies' | 'devDependencies' | 'peerDependencies' | 'optionalDependencies', Record<string, string>>
>;

/**
 * Edges between crates (path dependencies of every kind) and from TS
 * projects to the crates they name in their package.json.
 */
export function crateDependencies(
  crates: readonly CrateInfo[],
  projects: Readonly<Record<string, ProjectConfiguration>>,
  readPackageJson: (root: string) => PackageJsonDeps | undefined,
): RawProjectGraphDependency[] {
  const projectByRoot = new Map<string, string>();
  for (const [name, p] of Object.entries(projects)) projectByRoot.set(p.root, name);
  const crateRoots = new Set(crates.map((c) => c.root));
  const deps: RawProjectGraphDependency[] = [];
  const seen = new Set<string>();
  const add = (source: string, target: string, sourceFile: string) => {
    const id = `${source}\0${target}`;
    if (source === target || seen.has(id)) return;
    seen.add(id);
    deps.push({ source, target, sourceFile, type: STATIC });
  };

  for (const crate of crates) {
    const source = projectByRoot.get(crate.root);
    if (!source) continue;
    for (const d of crate.dependencies) {
      const target = projectByRoot.get(d.root);
      if (target) add(source, target, crate.manifestPath);
    }
  }

  const byNpmName = new Map<string, string>();
  for (const c of crates) {
    const name = projectByRoot.get(c.root);
    if (name) byNpmName.set(c.npmName, name);
  }
  for (const [name, p] of Object.entries(projects)) {
    if (crateRoots.has(p.root)) continue;
    const pkg = readPackageJson(p.root);
    if (!pkg) continue;
    const sourceFile = p.root === '.' ? 'package.json' : `${p.root}/package.json`;
    for (const section of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const) {
      for (const dep of Object.keys(pkg[section] ?? {})) {
        const target = byNpmName.get(dep);
        if (target) add(name, target, sourceFile);
      }
    }
  }
  return deps;
}

export const createDependencies: CreateDependencies<FineThreadsPluginOptions> = async (_options, context) => {
  const crates = await loadCrates(context.workspaceRoot);
  return crateDependencies(crates, context.projects, (root) => {
    const file = join(context.workspaceRoot, root, 'package.json');
    if (!existsSync(file)) return undefined;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as PackageJsonDeps;
    } catch {
      return undefined; // Nx reports unreadable package.json files itself.
    }
  });
};
