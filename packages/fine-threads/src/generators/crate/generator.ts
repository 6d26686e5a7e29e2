/**
 * What `nx g fine-threads:library` and `fine-threads:binary` share: a crate laid out as
 * `cargo new` lays it out, added to the Cargo workspace that encloses it. Inference then makes
 * it a project (no project.json). Everything goes through the Tree, so `--dry-run` writes nothing.
 */
import { isAbsolute, posix, relative } from 'node:path';
import { getProjects, logger, type Tree } from '@nx/devkit';
import { crateNameProblem } from './crate-name';
import {
  addMember,
  enclosingWorkspace,
  excludedBy,
  ManifestError,
  memberCovers,
  membersParent,
  readManifests,
  type CargoWorkspace,
} from './cargo-workspace';

export type CrateKind = 'lib' | 'bin';
// Numbers: Nx's command line parses `--edition=2024` as one.
export const EDITIONS = [2015, 2018, 2021, 2024] as const;
export const DEFAULT_EDITION = 2021;

export interface NewCrateOptions {
  name: string;
  directory?: string;
  edition?: (typeof EDITIONS)[number];
}

// cargo new's own sources (cargo 1.95), byte for byte.
const LIB_RS = `pub fn add(left: u64, right: u64) -> u64 {
    left + right
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_works() {
        let result = add(2, 2);
        assert_eq!(result, 4);
    }
}
`;
const MAIN_RS = `fn main() {
    println!("Hello, world!");
}
`;

function fail(message: string): never {
  throw new Error(`fine-threads: ${message}`);
}

/** The crate's directory relative to the Nx root, in the tree's POSIX form. */
function crateDirectory(tree: Tree, name: string, directory: string | undefined, workspaces: CargoWorkspace[]): string {
  if (directory === undefined || directory.trim() === '') {
    // One Cargo workspace: beside its members. Several or none: no guess, the Nx root.
    if (workspaces.length !== 1) return name;
    return posix.join(workspaces[0].dir, membersParent(workspaces[0]), name);
  }
  const given = directory.replace(/\\/g, '/');
  const rel = isAbsolute(given) ? relative(tree.root, given).replace(/\\/g, '/') : given;
  const dir = posix.normalize(rel).replace(/\/+$/, '');
  if (dir === '..' || dir.startsWith('../') || isAbsolute(dir)) fail(`--directory ${directory} is outside the Nx workspace`);
  return dir === '.' ? '' : dir;
}

/** cargo's `[package]` for a new member: the workspace's `[workspace.package]` keys are inherited, as by `cargo new`. */
function manifestText(name: string, edition: number | undefined, ws: CargoWorkspace | undefined): string {
  const inherited = (ws?.packageKeys ?? []).filter((key) => !(key === 'edition' && edition !== undefined));
  const lines = ['[package]', `name = "${name}"`];
  if (!inherited.includes('version')) lines.push('version = "0.1.0"');
  if (!inherited.includes('edition')) lines.push(`edition = "${edition ?? DEFAULT_EDITION}"`);
  for (const key of inherited) lines.push(`${key}.workspace = true`);
  lines.push('', '[dependencies]');
  if (ws?.hasLints) lines.push('', '[lints]', 'workspace = true');
  return `${lines.join('\n')}\n`;
}

/** The lib target's name is the package name with `-` as `_`: two packages that meet there collide in target/. */
const libName = (name: string) => name.replace(/-/g, '_');

export async function newCrateGenerator(tree: Tree, options: NewCrateOptions, kind: CrateKind): Promise<void> {
  const { name, edition } = options;
  const problem = crateNameProblem(name ?? '');
  if (problem) fail(problem);
  if (edition !== undefined && !EDITIONS.includes(edition)) fail(`unknown edition ${edition}: use one of ${EDITIONS.join(', ')}`);

  const manifests = readManifests(tree);
  const taken = manifests.find((m) => m.packageName !== undefined && libName(m.packageName) === libName(name));
  if (taken) fail(`crate name \`${name}\` is taken: ${taken.path} has \`${taken.packageName}\``);
  if (getProjects(tree).has(name)) fail(`an Nx project is already named \`${name}\``);

  const workspaces = manifests.flatMap((m) => (m.workspace ? [m.workspace] : []));
  const dir = crateDirectory(tree, name, options.directory, workspaces);
  if (dir === '' || (tree.exists(dir) && (tree.isFile(dir) || tree.children(dir).length > 0))) {
    fail(`${dir || 'the Nx root'} already exists and is not an empty directory: pass another --directory`);
  }

  let ws: CargoWorkspace | undefined;
  try {
    ws = enclosingWorkspace(tree, dir);
  } catch (e) {
    if (e instanceof ManifestError) fail(e.message);
    throw e;
  }
  if (ws) {
    const member = posix.relative(ws.dir, dir);
    const excluded = excludedBy(ws, member);
    if (excluded !== undefined) {
      fail(`${dir} is excluded from the Cargo workspace ${ws.manifestPath} (exclude: "${excluded}"): pass another --directory`);
    }
    // A member glob that already covers it needs no new entry (cargo new does the same).
    if (!ws.members.some((m) => memberCovers(m, member))) addMember(tree, ws, member);
  } else {
    logger.info(`fine-threads: no Cargo workspace encloses ${dir}: ${name} is a stand-alone package.`);
  }

  tree.write(posix.join(dir, 'Cargo.toml'), manifestText(name, edition, ws));
  tree.write(posix.join(dir, kind === 'lib' ? 'src/lib.rs' : 'src/main.rs'), kind === 'lib' ? LIB_RS : MAIN_RS);
}
