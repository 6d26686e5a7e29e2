/**
 * Versions in Cargo manifests, edited as text with toml-patch: comments,
 * whitespace and key order stay as they were.
 */
import { parse, patch } from '@decimalturn/toml-patch';

export class ReleaseManifestError extends Error {}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

export function parseManifest(text: string, path: string): Table {
  try {
    return parse(text) as Table;
  } catch (e) {
    throw new ReleaseManifestError(`cannot read ${path}: ${((e as Error).message ?? String(e)).split('\n')[0]}`);
  }
}

/** Where a crate's version lives: its own `[package] version`, or the workspace's (`version.workspace = true`). */
export type PackageVersion = { inherited: false; version: string } | { inherited: true };

export function readPackageVersion(text: string, path: string): PackageVersion {
  const doc = parseManifest(text, path);
  const pkg = doc.package;
  if (!isTable(pkg)) throw new ReleaseManifestError(`${path} has no [package] table: it is not a crate`);
  const v = pkg.version;
  if (v === undefined) throw new ReleaseManifestError(`${path} has no [package] version`);
  if (isTable(v)) {
    if (v.workspace === true) return { inherited: true };
    throw new ReleaseManifestError(`${path}: [package] version is a table but not "version.workspace = true"`);
  }
  if (typeof v !== 'string') throw new ReleaseManifestError(`${path}: [package] version is not a string`);
  return { inherited: false, version: v };
}

export function readWorkspaceVersion(text: string, path: string): string {
  const doc = parseManifest(text, path);
  const ws = doc.workspace;
  const v = isTable(ws) && isTable(ws.package) ? ws.package.version : undefined;
  if (v === undefined) throw new ReleaseManifestError(`${path} has no [workspace.package] version, which its members inherit`);
  if (typeof v !== 'string') throw new ReleaseManifestError(`${path}: [workspace.package] version is not a string`);
  return v;
}

const FORMAT = { bracketSpacing: false } as const;

export function writePackageVersion(text: string, path: string, version: string): string {
  const doc = parseManifest(text, path);
  readPackageVersion(text, path); // one-line errors first
  return patch(text, { ...doc, package: { ...(doc.package as Table), version } }, FORMAT);
}

export function writeWorkspaceVersion(text: string, path: string, version: string): string {
  const doc = parseManifest(text, path);
  readWorkspaceVersion(text, path);
  const ws = doc.workspace as Table;
  return patch(text, { ...doc, workspace: { ...ws, package: { ...(ws.package as Table), version } } }, FORMAT);
}

/** The dependency tables of a manifest, with the names Nx release shows for them. */
const COLLECTIONS = ['dependencies', 'dev-dependencies', 'build-dependencies'] as const;

interface DependencyEntry {
  /** Path of the table in the document, e.g. ['target', 'cfg(unix)', 'dependencies']. */
  table: string[];
  key: string;
  value: unknown;
}

function dependencyTables(doc: Table): string[][] {
  const out: string[][] = COLLECTIONS.map((c) => [c]);
  if (isTable(doc.target)) {
    for (const cfg of Object.keys(doc.target)) for (const c of COLLECTIONS) out.push(['target', cfg, c]);
  }
  out.push(['workspace', 'dependencies']);
  return out;
}

function tableAt(doc: Table, path: string[]): Table | undefined {
  let t: unknown = doc;
  for (const k of path) t = isTable(t) ? t[k] : undefined;
  return isTable(t) ? t : undefined;
}

/** Every entry for package `packageName` (renamed ones too: `foo2 = { package = "foo", ... }`). */
function entriesFor(doc: Table, packageName: string): DependencyEntry[] {
  const out: DependencyEntry[] = [];
  for (const table of dependencyTables(doc)) {
    const deps = tableAt(doc, table);
    if (!deps) continue;
    for (const [key, value] of Object.entries(deps)) {
      const name = isTable(value) && typeof value.package === 'string' ? value.package : key;
      if (name === packageName) out.push({ table, key, value });
    }
  }
  return out;
}

/** The version requirement on `packageName` and its table, or nulls when the manifest has none. */
export function readDependencyRequirement(
  text: string,
  path: string,
  packageName: string,
): { requirement: string | null; collection: string | null; inherited: boolean } {
  const doc = parseManifest(text, path);
  for (const e of entriesFor(doc, packageName)) {
    const collection = e.table.join('.');
    if (typeof e.value === 'string') return { requirement: e.value, collection, inherited: false };
    if (isTable(e.value)) {
      if (e.value.workspace === true) return { requirement: null, collection, inherited: true };
      if (typeof e.value.version === 'string') return { requirement: e.value.version, collection, inherited: false };
      return { requirement: null, collection, inherited: false };
    }
  }
  return { requirement: null, collection: null, inherited: false };
}

function withTableAt(doc: Table, path: string[], update: (t: Table) => Table): Table {
  if (path.length === 0) return update(doc);
  const [head, ...rest] = path;
  return { ...doc, [head]: withTableAt(doc[head] as Table, rest, update) };
}

/**
 * Sets the version requirement of every entry for `packageName` that has one
 * (`foo = "0.1"` or `foo = { path = "../foo", version = "0.1" }`); a path-only
 * or `workspace = true` entry is left as it is. Returns the new text and the
 * tables changed (none: the text is returned unchanged).
 */
export function writeDependencyRequirement(
  text: string,
  path: string,
  packageName: string,
  requirement: string,
): { text: string; changed: string[] } {
  let doc = parseManifest(text, path);
  const changed: string[] = [];
  for (const e of entriesFor(doc, packageName)) {
    if (typeof e.value === 'string') {
      if (e.value === requirement) continue;
      doc = withTableAt(doc, e.table, (t) => ({ ...t, [e.key]: requirement }));
    } else if (isTable(e.value) && typeof e.value.version === 'string' && e.value.workspace !== true) {
      if (e.value.version === requirement) continue;
      const value = e.value;
      doc = withTableAt(doc, e.table, (t) => ({ ...t, [e.key]: { ...value, version: requirement } }));
    } else continue;
    changed.push(`${e.table.join('.')}.${e.key}`);
  }
  return { text: changed.length > 0 ? patch(text, doc, FORMAT) : text, changed };
}
