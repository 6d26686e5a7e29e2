import { formatFiles, logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { PLUGIN_NAME } from '../../plugins/plugin-options';
import { readManifests } from '../crate/cargo-workspace';
import type { InitGeneratorSchema } from './schema';

function registered(plugin: unknown): boolean {
  return plugin === PLUGIN_NAME || (typeof plugin === 'object' && plugin !== null && (plugin as { plugin?: unknown }).plugin === PLUGIN_NAME);
}

/** Appends `entry` to .gitignore unless `present` already matches a line. */
function ignore(tree: Tree, present: RegExp, entry: string): void {
  const current = tree.exists('.gitignore') ? (tree.read('.gitignore', 'utf8') ?? '') : '';
  if (present.test(current)) return;
  const sep = current.length === 0 || current.endsWith('\n') ? '' : '\n';
  tree.write('.gitignore', `${current}${sep}${entry}`);
}

/** Build records are per machine: they stay out of git. */
const ignoreRecords = (tree: Tree) => ignore(tree, /^\/?\.fine-threads\/?$/m, '# fine-threads build records (per machine)\n.fine-threads/\n');

export const VIRTUAL_WORKSPACE = '[workspace]\nresolver = "2"\nmembers = []\n';

/**
 * With no Cargo workspace anywhere, `--cargoWorkspace` makes a virtual one at the Nx root, for
 * `fine-threads:library` and `:binary` to add members to; without it, one line says how.
 */
function cargoWorkspace(tree: Tree, create: boolean): void {
  if (readManifests(tree).some((m) => m.workspace)) return;
  if (!create) {
    logger.info('fine-threads: no Cargo workspace found: `nx g fine-threads:init --cargoWorkspace` makes a virtual one (Cargo.toml) at the root.');
  } else if (tree.exists('Cargo.toml')) {
    logger.warn('fine-threads: the root Cargo.toml is not a Cargo workspace: add a [workspace] table to it to make one; nothing written.');
  } else {
    tree.write('Cargo.toml', VIRTUAL_WORKSPACE);
    ignore(tree, /^\/?target\/?$/m, '/target\n');
  }
}

/** Adds the plugin to nx.json once; a second run, or an entry with options, is left alone. */
export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}): Promise<void> {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  if (!plugins.some(registered)) {
    nxJson.plugins = [...plugins, PLUGIN_NAME];
    updateNxJson(tree, nxJson);
  }
  ignoreRecords(tree);
  cargoWorkspace(tree, options.cargoWorkspace ?? false);
  if (!options.skipFormat) await formatFiles(tree);
}

export default initGenerator;
