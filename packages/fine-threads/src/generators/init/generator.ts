import { formatFiles, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { PLUGIN_NAME } from '../../plugins/plugin-options';
import type { InitGeneratorSchema } from './schema';

function registered(plugin: unknown): boolean {
  return plugin === PLUGIN_NAME || (typeof plugin === 'object' && plugin !== null && (plugin as { plugin?: unknown }).plugin === PLUGIN_NAME);
}

/** Build records are per machine: they stay out of git. */
function ignoreRecords(tree: Tree): void {
  const current = tree.exists('.gitignore') ? (tree.read('.gitignore', 'utf8') ?? '') : '';
  if (/^\/?\.fine-threads\/?$/m.test(current)) return;
  const sep = current.length === 0 || current.endsWith('\n') ? '' : '\n';
  tree.write('.gitignore', `${current}${sep}# fine-threads build records (per machine)\n.fine-threads/\n`);
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
  if (!options.skipFormat) await formatFiles(tree);
}

export default initGenerator;
