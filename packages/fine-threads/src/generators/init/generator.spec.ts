import { readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { initGenerator } from './generator';

describe('init generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    // The test workspace names oxfmt as its formatter, which is not installed here.
    tree.delete('.oxfmtrc.json');
  });

  it('registers the plugin in nx.json', async () => {
    await initGenerator(tree, { skipFormat: true });
    expect(readNxJson(tree)?.plugins).toContain('fine-threads');
  });

  it('is idempotent', async () => {
    await initGenerator(tree, {});
    const once = tree.read('nx.json', 'utf8');
    const ignoreOnce = tree.read('.gitignore', 'utf8');
    await initGenerator(tree, {});
    expect(tree.read('nx.json', 'utf8')).toBe(once);
    expect(tree.read('.gitignore', 'utf8')).toBe(ignoreOnce);
    expect(readNxJson(tree)?.plugins?.filter((p) => p === 'fine-threads')).toHaveLength(1);
  });

  it('keeps an entry that already has options, and other plugins', async () => {
    const nxJson = readNxJson(tree) ?? {};
    nxJson.plugins = ['@nx/js/typescript', { plugin: 'fine-threads', options: { buildTargetName: 'cargo-build' } }];
    updateNxJson(tree, nxJson);
    await initGenerator(tree, { skipFormat: true });
    expect(readNxJson(tree)?.plugins).toEqual([
      '@nx/js/typescript',
      { plugin: 'fine-threads', options: { buildTargetName: 'cargo-build' } },
    ]);
  });

  it('keeps the build records out of git, once', async () => {
    tree.write('.gitignore', 'node_modules\ntarget');
    await initGenerator(tree, { skipFormat: true });
    await initGenerator(tree, { skipFormat: true });
    expect(tree.read('.gitignore', 'utf8')).toBe('node_modules\ntarget\n# fine-threads build records (per machine)\n.fine-threads/\n');
  });

  it('writes formatted JSON', async () => {
    await initGenerator(tree, {});
    const text = tree.read('nx.json', 'utf8') as string;
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  });
});
