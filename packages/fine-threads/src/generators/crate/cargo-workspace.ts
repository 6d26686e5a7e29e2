/**
 * Cargo workspaces as a generator sees them: read from the Tree (so a dry run and the unit
 * specs see what Nx would write), with cargo's rules for which workspace encloses a path,
 * which member patterns cover it and what `exclude` keeps out.
 */
import { posix } from 'node:path';
import { visitNotIgnoredFiles, type Tree } from '@nx/devkit';
import { parse, patch } from '@decimalturn/toml-patch';

export interface CargoWorkspace {
  /** The workspace's directory, relative to the Nx root ('' = the root). */
  dir: string;
  manifestPath: string;
  members: string[];
  exclude: string[];
  /** The keys of `[workspace.package]`, in the manifest's order: a new member inherits them. */
  packageKeys: string[];
  /** `[workspace.lints]` is set: a new member opts in, as `cargo new` does. */
  hasLints: boolean;
}

export interface CargoManifest {
  path: string;
  /** `[package] name`, when it is a package. */
  packageName?: string;
  workspace?: CargoWorkspace;
}

const dirOf = (path: string) => (posix.dirname(path) === '.' ? '' : posix.dirname(path));
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

export class ManifestError extends Error {}

/** One Cargo.toml of the tree; throws ManifestError when it is not valid TOML. */
export function readManifest(tree: Tree, path: string): CargoManifest {
  let doc: Record<string, unknown>;
  try {
    doc = parse(tree.read(path, 'utf8') ?? '');
  } catch (e) {
    throw new ManifestError(`cannot read ${path}: ${((e as Error).message ?? String(e)).split('\n')[0]}`);
  }
  const pkg = doc.package as { name?: unknown } | undefined;
  const ws = doc.workspace as Record<string, unknown> | undefined;
  return {
    path,
    packageName: typeof pkg?.name === 'string' ? pkg.name : undefined,
    workspace:
      ws && typeof ws === 'object'
        ? {
            dir: dirOf(path),
            manifestPath: path,
            members: strings(ws.members),
            exclude: strings(ws.exclude),
            packageKeys: ws.package && typeof ws.package === 'object' ? Object.keys(ws.package) : [],
            hasLints: ws.lints !== undefined,
          }
        : undefined,
  };
}

/** Every Cargo.toml Nx sees (not git-ignored), parsed; the ones that are not valid TOML are skipped. */
export function readManifests(tree: Tree): CargoManifest[] {
  const out: CargoManifest[] = [];
  visitNotIgnoredFiles(tree, '', (path) => {
    if (posix.basename(path) !== 'Cargo.toml') return;
    try {
      out.push(readManifest(tree, path));
    } catch (e) {
      if (!(e instanceof ManifestError)) throw e;
    }
  });
  return out;
}

/**
 * The workspace cargo would find for a package in `crateDir`: the nearest ancestor directory
 * whose Cargo.toml has a `[workspace]` table (a plain package on the way is passed over).
 */
export function enclosingWorkspace(tree: Tree, crateDir: string): CargoWorkspace | undefined {
  for (let dir = dirOf(crateDir); ; dir = dirOf(dir)) {
    const path = posix.join(dir, 'Cargo.toml');
    if (tree.isFile(path)) {
      const ws = readManifest(tree, path).workspace;
      if (ws) return ws;
    }
    if (dir === '') return undefined;
  }
}

function segmentPattern(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[' && segment.indexOf(']', i + 2) > 0) {
      const end = segment.indexOf(']', i + 2);
      const body = segment.slice(i + 1, end);
      const negated = body.startsWith('!');
      re += `[${negated ? '^' : ''}${(negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const segments = (path: string) => path.split('/').filter((s) => s !== '' && s !== '.');

function globMatches(pattern: string[], path: string[]): boolean {
  if (pattern.length === 0) return path.length === 0;
  const [head, ...rest] = pattern;
  // `**` is any number of directories, none included (the glob crate's rule).
  if (head === '**') return globMatches(rest, path) || (path.length > 0 && globMatches(pattern, path.slice(1)));
  return path.length > 0 && segmentPattern(head).test(path[0]) && globMatches(rest, path.slice(1));
}

/**
 * Whether a `members` entry covers `relPath` (relative to the workspace). Cargo expands member
 * globs directory by directory, so `*` never crosses a `/`.
 */
export function memberCovers(member: string, relPath: string): boolean {
  return globMatches(segments(member), segments(relPath));
}

/** Cargo's rule: a path under an `exclude` entry is not a member (unless a member names it). */
export function excludedBy(ws: CargoWorkspace, relPath: string): string | undefined {
  const path = segments(relPath);
  const under = (entry: string) => {
    const prefix = segments(entry);
    return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
  };
  return ws.members.some(under) ? undefined : ws.exclude.find(under);
}

/**
 * Where the members of a workspace live, relative to it: the parent directory most of its
 * `members` entries name (`crates` for `crates/*` or `crates/a`), '' when they name none.
 */
export function membersParent(ws: CargoWorkspace): string {
  const votes = new Map<string, number>();
  for (const member of ws.members) {
    const parts = segments(member);
    const glob = parts.findIndex((p) => /[*?[]/.test(p));
    const parent = (glob >= 0 ? parts.slice(0, glob) : parts.slice(0, -1)).join('/');
    if (parts.length === 0 || parent.startsWith('..')) continue; // the root package, or outside
    votes.set(parent, (votes.get(parent) ?? 0) + 1);
  }
  let best = '';
  let most = 0;
  for (const [parent, n] of votes) if (n > most) [best, most] = [parent, n];
  return best;
}

/**
 * Appends `relPath` to `[workspace] members` with toml-patch, which edits the manifest in place:
 * comments, whitespace and the array's layout stay as they were. A sorted list stays sorted,
 * as with `cargo new`.
 */
export function addMember(tree: Tree, ws: CargoWorkspace, relPath: string): void {
  const text = tree.read(ws.manifestPath, 'utf8') ?? '';
  const doc = parse(text);
  const current: unknown[] = Array.isArray(doc.workspace.members) ? doc.workspace.members : [];
  const members = [...current, relPath];
  const sorted = current.every((m, i) => typeof m === 'string' && (i === 0 || (current[i - 1] as string) <= m));
  if (sorted) members.sort();
  tree.write(ws.manifestPath, patch(text, { ...doc, workspace: { ...doc.workspace, members } }, { bracketSpacing: false }));
}
