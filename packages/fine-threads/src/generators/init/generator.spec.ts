import { logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
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

  describe('with no Cargo workspace', () => {
    let info: jest.SpyInstance;
    let warn: jest.SpyInstance;
    beforeEach(() => {
      info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
      warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    });
    afterEach(() => jest.restoreAllMocks());

    it('says in one line how to make one, and writes no Cargo.toml', async () => {
      await initGenerator(tree, { skipFormat: true });
      expect(tree.exists('Cargo.toml')).toBe(false);
      expect(info.mock.calls).toEqual([[expect.stringMatching(/^fine-threads: no Cargo workspace found: .*--cargoWorkspace[^\n]*$/)]]);
    });

    it('with --cargoWorkspace, makes a virtual workspace at the root and ignores its target/', async () => {
      tree.write('.gitignore', 'node_modules\n');
      await initGenerator(tree, { skipFormat: true, cargoWorkspace: true });
      expect(tree.read('Cargo.toml', 'utf8')).toBe('[workspace]\nresolver = "2"\nmembers = []\n');
      expect(tree.read('.gitignore', 'utf8')).toBe('node_modules\n# fine-threads build records (per machine)\n.fine-threads/\n/target\n');
      expect(info).not.toHaveBeenCalled();
      // Once there is one, a second run leaves it alone.
      tree.write('Cargo.toml', '[workspace]\nmembers = ["a"] # mine\n');
      await initGenerator(tree, { skipFormat: true, cargoWorkspace: true });
      expect(tree.read('Cargo.toml', 'utf8')).toBe('[workspace]\nmembers = ["a"] # mine\n');
    });

    it('with --cargoWorkspace, leaves an existing workspace (anywhere) alone and says nothing', async () => {
      tree.write('rust/Cargo.toml', '[workspace]\nmembers = []\n');
      await initGenerator(tree, { skipFormat: true, cargoWorkspace: true });
      expect(tree.exists('Cargo.toml')).toBe(false);
      expect(info).not.toHaveBeenCalled();
      expect(warn).not.toHaveBeenCalled();
    });

    it('with --cargoWorkspace, does not overwrite a root Cargo.toml that is a package', async () => {
      const pkg = '[package]\nname = "root"\nversion = "0.1.0"\n';
      tree.write('Cargo.toml', pkg);
      await initGenerator(tree, { skipFormat: true, cargoWorkspace: true });
      expect(tree.read('Cargo.toml', 'utf8')).toBe(pkg);
      expect(warn.mock.calls).toEqual([[expect.stringMatching(/^fine-threads: the root Cargo.toml is not a Cargo workspace/)]]);
    });
  });
});
