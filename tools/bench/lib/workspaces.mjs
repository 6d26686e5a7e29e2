// The benchmark's workloads as Nx workspaces in temp dirs, run the way a user
// runs them: the bundled example (a copy) and the seed's workload (the Cargo
// package of tools/bench/seed-workload at the root of an Nx workspace that
// registers the plugin). Also the files that make up a row's settings
// (nx.json, project.json), so one workspace can switch between rows.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export const repo = join(dirname(new URL(import.meta.url).pathname), '..', '..', '..');
const DEBIAN_REGISTRY = '/usr/share/cargo/registry';
const SKIP = /^(node_modules|target|\.nx|\.git|\.fine-threads|dist|tmp)$/;

function write(root, rel, text) {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

/** The files that hold thread settings: nx.json and every project.json, by relative path. */
export function snapshotSettings(root) {
  const files = { 'nx.json': readFileSync(join(root, 'nx.json'), 'utf8') };
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && !SKIP.test(e.name)) walk(join(dir, e.name));
      else if (e.isFile() && e.name === 'project.json') files[relative(root, join(dir, e.name))] = readFileSync(join(dir, e.name), 'utf8');
    }
  };
  walk(root);
  return files;
}

/** The files of `after` that differ from `before` (null: deleted). */
export function diffSettings(before, after) {
  const out = {};
  for (const rel of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[rel] !== after[rel]) out[rel] = after[rel] ?? null;
  }
  return out;
}

class BenchWorkspace {
  constructor({ id, title, root, project, hand, hand2, description, cargoRoot = root }) {
    Object.assign(this, { id, title, root, project, hand, hand2, description, cargoRoot });
    this.base = snapshotSettings(root);
    this.tracked = new Set(Object.keys(this.base));
    this.applied = '{}';
  }

  /** Writes the base settings with `overrides` on top; returns whether anything changed. */
  apply(overrides = {}) {
    const key = JSON.stringify(overrides);
    if (key === this.applied) return false;
    for (const rel of Object.keys(overrides)) this.tracked.add(rel);
    for (const rel of this.tracked) {
      const text = rel in overrides ? overrides[rel] : (this.base[rel] ?? null);
      if (text === null) rmSync(join(this.root, rel), { force: true });
      else write(this.root, rel, text);
    }
    this.applied = key;
    return true;
  }

  /** Back to the base settings, whatever a generator wrote since `before` (a snapshot). */
  reset(before = this.base) {
    for (const rel of Object.keys(diffSettings(before, snapshotSettings(this.root)))) this.tracked.add(rel);
    this.applied = null;
    this.apply({});
    this.applied = null; // so the next row warms Nx's graph again
  }

  /** Front-end thread counts set in a row's files: nx.json's plugin option and project metadata. */
  threadTable(overrides) {
    const table = {};
    const files = { ...this.base, ...overrides };
    try {
      for (const p of JSON.parse(files['nx.json']).plugins ?? []) {
        if (typeof p === 'object' && p.plugin === 'fine-threads') Object.assign(table, p.options?.frontendThreads ?? {});
      }
    } catch {
      // an unreadable nx.json shows as an empty table; the row's run fails loudly anyway
    }
    for (const [rel, text] of Object.entries(files)) {
      if (rel === 'nx.json' || !text) continue;
      try {
        const n = JSON.parse(text).metadata?.frontendThreads;
        if (n !== undefined) table[JSON.parse(text).name ?? dirname(rel).split('/').pop()] = n;
      } catch {
        // as above
      }
    }
    return table;
  }

  /** Removes cargo's output, so a run starts from a clean target dir. */
  clean() {
    rmSync(join(this.cargoRoot, 'target'), { recursive: true, force: true });
  }

  recordsFile() {
    return join(this.root, '.fine-threads', 'records.jsonl');
  }
}

function linkNodeModules(root) {
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
}

/**
 * Copies examples/mixed-workspace to `dest` without what a run leaves there (target, node_modules,
 * .nx, dist, tmp, .fine-threads), judged on the path inside the example, so a checkout that
 * itself lies under such a name (/tmp/...) is copied whole.
 */
export function copyExample(dest) {
  const src = join(repo, 'examples', 'mixed-workspace');
  cpSync(src, dest, { recursive: true, filter: (p) => !/[/\\](target|node_modules|\.nx|dist|tmp|\.fine-threads)([/\\]|$)/.test(p.slice(src.length)) });
  return dest;
}

/** A copy of examples/mixed-workspace (as src/testing/temp-workspace.ts makes one). */
export function exampleWorkspace(base) {
  const root = copyExample(join(base, 'example'));
  linkNodeModules(root);
  return new BenchWorkspace({
    id: 'example',
    title: 'Example (examples/mixed-workspace, `app` and every crate it needs)',
    description: 'the bundled example',
    root,
    project: 'app',
    hand: {
      how: 'threads on `heavy` only, all cores (`crates/heavy/project.json`: `metadata.frontendThreads: 0`)',
      files: { 'crates/heavy/project.json': `${JSON.stringify({ metadata: { frontendThreads: 0 } }, null, 2)}\n` },
    },
  });
}

/** True when Debian's sources of cargo 0.66 are installed. */
export function hasDebianCargo() {
  return existsSync(DEBIAN_REGISTRY) && readdirSync(DEBIAN_REGISTRY).some((d) => d.startsWith('cargo-0.66'));
}

/** Installs librust-cargo-dev with apt-get when its sources are missing. */
export function ensureDebianCargo(say) {
  if (hasDebianCargo()) return;
  say(`installing Debian's cargo 0.66 sources: apt-get update && apt-get install -y librust-cargo-dev (about 2 min)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'librust-cargo-dev']]) {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.error?.message}); the seed workload needs librust-cargo-dev`);
  }
  if (!hasDebianCargo()) throw new Error(`librust-cargo-dev is installed but ${DEBIAN_REGISTRY} has no cargo-0.66*`);
}

/**
 * tools/bench/seed-workload in an Nx workspace that registers the plugin. The
 * package sits in a directory of its own: a project at the Nx root would
 * contain the plugin's directory in Nx's eyes (packages/fine-threads through
 * the node_modules link), and Nx would then load the executors from their
 * TypeScript sources as a local plugin's.
 */
export function seedWorkspace(base) {
  const root = join(base, 'seed');
  const src = join(repo, 'tools', 'bench', 'seed-workload');
  const cargoRoot = join(root, 'seed-workload');
  cpSync(src, cargoRoot, { recursive: true, filter: (p) => !/[/\\](target|README\.md)$/.test(p) });
  const nxJson = (options) => `${JSON.stringify({ plugins: [{ plugin: 'fine-threads', options }] }, null, 2)}\n`;
  write(root, 'nx.json', nxJson({}));
  write(root, 'package.json', `${JSON.stringify({ name: 'seed-bench', private: true }, null, 2)}\n`);
  write(root, '.gitignore', 'target/\n.nx/\nnode_modules/\n.fine-threads/\n');
  linkNodeModules(root);
  return new BenchWorkspace({
    id: 'seed',
    title: 'Seed workload (a package depending on `cargo` 0.66, 146 crates)',
    description: "the seed's workload",
    root,
    cargoRoot,
    project: 'seed-workload',
    hand: {
      how: 'threads on `cargo` only, all cores (`nx.json` plugin option `frontendThreads: { "cargo": 0 }`), as in the seed',
      files: { 'nx.json': nxJson({ frontendThreads: { cargo: 0 } }) },
    },
    // The team's measurement (0.91 on check): cargo and toml_edit. Run where the tuner picks otherwise.
    hand2: {
      crates: ['cargo', 'toml_edit'],
      how: 'threads on `cargo` and `toml_edit`, all cores (`nx.json` `frontendThreads: { "cargo": 0, "toml_edit": 0 }`): the pick measured at 0.91 on check earlier',
      files: { 'nx.json': nxJson({ frontendThreads: { cargo: 0, toml_edit: 0 } }) },
    },
  });
}

/** Packages in a Cargo.lock: the workload's size. */
export function lockedPackages(ws) {
  const lock = join(ws.cargoRoot, 'Cargo.lock');
  return existsSync(lock) ? (readFileSync(lock, 'utf8').match(/^\[\[package\]\]/gm) ?? []).length : undefined;
}
