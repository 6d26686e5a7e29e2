import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateDependencies, ProjectConfiguration, RawProjectGraphDependency } from '@nx/devkit';

// DependencyType.static, without loading @nx/devkit at run time (see utils/log.ts).
const STATIC = 'static' as RawProjectGraphDependency['type'];
import type { CrateInfo } from '../utils/crates';
import { log } from '../utils/log';
import { loadCrates } from './nodes';
import type { FineThreadsPluginOptions } from './plugin-options';

type PackageJsonDeps = Partial<
  Record<'dependencies' | 'devDependencies' | 'peerDependencies' | 'optionalDependencies', Record<string, string>>
> & {
  /** The crates a TS package depends on, in a key npm ignores. */
  'fine-threads'?: { crates?: unknown };
};

/**
 * Edges between crates (path dependencies of every kind) and from TS
 * projects to crates: those named in package.json's `fine-threads.crates`
 * (by Nx project or Cargo package name), and those listed in its npm
 * dependencies under their npm name. Only a declared `npm-name` says an npm
 * package of that name exists; a bare crate name among the dependencies still
 * makes the edge (older workspaces rely on it) but gets a warning, since npm
 * would fetch whatever the registry holds under that name.
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

  const byNpmName = new Map<string, { project: string; crate: CrateInfo }>();
  const byCrateName = new Map<string, string>();
  const crateProjects = new Set<string>();
  for (const c of crates) {
    const name = projectByRoot.get(c.root);
    if (!name) continue;
    byNpmName.set(c.npmName, { project: name, crate: c });
    // Of two crates with one name, the first is the project of that name (see projectNames).
    if (!byCrateName.has(c.packageName)) byCrateName.set(c.packageName, name);
    crateProjects.add(name);
  }
  for (const [name, p] of Object.entries(projects)) {
    if (crateRoots.has(p.root)) continue;
    const pkg = readPackageJson(p.root);
    if (!pkg) continue;
    const sourceFile = p.root === '.' ? 'package.json' : `${p.root}/package.json`;
    const declared = pkg['fine-threads']?.crates;
    for (const crate of Array.isArray(declared) ? declared : []) {
      const target = typeof crate !== 'string' ? undefined : crateProjects.has(crate) ? crate : byCrateName.get(crate);
      if (target) add(name, target, sourceFile);
      else log.warn(`fine-threads: ${sourceFile} names ${JSON.stringify(crate)} in fine-threads.crates, but no crate is called so.`);
    }
    for (const section of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const) {
      for (const dep of Object.keys(pkg[section] ?? {})) {
        const target = byNpmName.get(dep);
        if (!target) continue;
        add(name, target.project, sourceFile);
        if (!target.crate.npmNameDeclared) {
          log.warn(
            `fine-threads: ${sourceFile} lists the crate "${dep}" in ${section}, so npm would install a registry package of that name; ` +
              `declare it as "fine-threads": { "crates": ["${dep}"] } instead (the edge is kept).`,
          );
        }
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
