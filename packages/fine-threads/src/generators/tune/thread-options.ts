/**
 * Writing a tuned table where the threads option lives: a crate that is an
 * Nx project keeps its count in its project.json `metadata.frontendThreads`,
 * any other crate in the plugin's `frontendThreads` map in nx.json. The tune
 * owns one key of those tables, the machine profile's core count in its mode's
 * table (`{ "check": { "2": 2 } }`), and touches nothing else; a count a
 * person set as a plain number (for all modes, or for the mode) is theirs.
 */
import {
  addProjectConfiguration,
  readNxJson,
  readProjectConfiguration,
  updateNxJson,
  updateProjectConfiguration,
  type Tree,
} from '@nx/devkit';
import { PLUGIN_NAME } from '../../plugins/plugin-options';

/** Where a crate's option lives. */
export type Owner = { kind: 'project'; project: string; root: string } | { kind: 'nx.json' };

/** What the tune wants for one crate at this core count: a count, 1 (set back), or undefined (remove its key). */
export interface Change {
  crate: string;
  owner: Owner;
  threads: number | undefined;
}

export interface Applied {
  crate: string;
  where: string;
  from: number | undefined;
  to: number | undefined;
  /** Set when the option was left alone, with why. */
  skipped?: string;
}

type Setting = number | Record<string, number | Record<string, number>> | undefined;
export type TuneMode = 'build' | 'check';

/**
 * The new setting, or `skip` when a person's plain count is in the way. Where the tune takes a
 * crate's threads away but a core-count entry beside the modes (an older table) would still give
 * it threads in this mode, it writes an explicit 1 rather than remove its key.
 */
function withKey(current: Setting, mode: TuneMode, cores: number, threads: number | undefined): { next: Setting; from: number | undefined; to: number | undefined } | 'skip' {
  const key = String(cores);
  if (typeof current === 'number') return 'skip';
  const setting = { ...(current ?? {}) };
  const own = setting[mode];
  if (typeof own === 'number') return 'skip';
  const table = { ...(own ?? {}) };
  const from = table[key];
  const general = setting[key];
  if (threads === undefined && typeof general === 'number' && general > 1) threads = 1;
  if (threads === undefined) delete table[key];
  else table[key] = threads;
  if (Object.keys(table).length) setting[mode] = table;
  else delete setting[mode];
  return { next: Object.keys(setting).length ? setting : undefined, from, to: threads };
}

function hasProjectJson(tree: Tree, root: string): boolean {
  return tree.exists(`${root === '.' ? '' : `${root}/`}project.json`);
}

function applyToProject(tree: Tree, change: Change & { owner: { kind: 'project' } }, mode: TuneMode, cores: number): Applied {
  const { project, root } = change.owner;
  const where = `${root === '.' ? '' : `${root}/`}project.json`;
  const exists = hasProjectJson(tree, root);
  const config = exists ? readProjectConfiguration(tree, project) : { root };
  const metadata = { ...(config.metadata ?? {}) } as Record<string, unknown>;
  const r = withKey(metadata.frontendThreads as Setting, mode, cores, change.threads);
  if (r === 'skip') {
    return { crate: change.crate, where, from: metadata.frontendThreads as number, to: metadata.frontendThreads as number, skipped: 'set by hand as a plain count' };
  }
  if (r.from === r.to) return { crate: change.crate, where, from: r.from, to: r.to };
  if (r.next === undefined) delete metadata.frontendThreads;
  else metadata.frontendThreads = r.next;
  const { metadata: _old, ...rest } = config;
  const next = Object.keys(metadata).length ? { ...rest, metadata } : rest;
  if (exists) updateProjectConfiguration(tree, project, next);
  else if (r.next !== undefined) addProjectConfiguration(tree, project, next);
  return { crate: change.crate, where, from: r.from, to: r.to };
}

function applyToNxJson(tree: Tree, changes: Change[], mode: TuneMode, cores: number): Applied[] {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = [...(nxJson.plugins ?? [])];
  let index = plugins.findIndex((p) => p === PLUGIN_NAME || (typeof p === 'object' && p.plugin === PLUGIN_NAME));
  if (index < 0) {
    plugins.push(PLUGIN_NAME);
    index = plugins.length - 1;
  }
  const entry = plugins[index];
  const spec = typeof entry === 'string' ? { plugin: entry } : { ...entry };
  const options = { ...((spec.options as Record<string, unknown> | undefined) ?? {}) };
  const map = { ...((options.frontendThreads as Record<string, Setting> | undefined) ?? {}) };
  const applied: Applied[] = [];
  let changed = false;
  for (const change of changes) {
    const r = withKey(map[change.crate], mode, cores, change.threads);
    if (r === 'skip') {
      applied.push({ crate: change.crate, where: 'nx.json', from: map[change.crate] as number, to: map[change.crate] as number, skipped: 'set by hand as a plain count' });
      continue;
    }
    applied.push({ crate: change.crate, where: 'nx.json', from: r.from, to: r.to });
    if (r.from === r.to) continue;
    changed = true;
    if (r.next === undefined) delete map[change.crate];
    else map[change.crate] = r.next;
  }
  if (changed) {
    if (Object.keys(map).length) options.frontendThreads = map;
    else delete options.frontendThreads;
    plugins[index] = Object.keys(options).length ? { ...spec, options } : spec.plugin;
    updateNxJson(tree, { ...nxJson, plugins });
  }
  return applied;
}

/** The core-count keys the tune has written before in this mode's table, per crate: what it may change or remove now. */
export function tunedCrates(tree: Tree, projects: { project: string; root: string; crates: string[] }[], mode: TuneMode, cores: number): Map<string, Owner> {
  const key = String(cores);
  const written = (setting: Setting) => {
    const own = setting && typeof setting === 'object' ? setting[mode] : undefined;
    return own !== undefined && typeof own === 'object' && key in own;
  };
  const out = new Map<string, Owner>();
  for (const p of projects) {
    if (!hasProjectJson(tree, p.root)) continue;
    if (written(readProjectConfiguration(tree, p.project).metadata?.frontendThreads as Setting)) {
      for (const crate of p.crates) out.set(crate, { kind: 'project', project: p.project, root: p.root });
    }
  }
  const nxJson = readNxJson(tree);
  for (const entry of nxJson?.plugins ?? []) {
    if (typeof entry !== 'object' || entry.plugin !== PLUGIN_NAME) continue;
    const map = (entry.options as { frontendThreads?: Record<string, Setting> } | undefined)?.frontendThreads ?? {};
    for (const [crate, setting] of Object.entries(map)) if (written(setting)) out.set(crate, { kind: 'nx.json' });
  }
  return out;
}

export function applyChanges(tree: Tree, changes: Change[], mode: TuneMode, cores: number): Applied[] {
  const applied: Applied[] = [];
  for (const c of changes) if (c.owner.kind === 'project') applied.push(applyToProject(tree, c as Change & { owner: { kind: 'project' } }, mode, cores));
  applied.push(...applyToNxJson(tree, changes.filter((c) => c.owner.kind === 'nx.json'), mode, cores));
  return applied;
}
