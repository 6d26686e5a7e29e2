import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../packages/fine-threads/src/testing/temp-workspace';

// What `npm pack ./packages/fine-threads` (the README's install path) puts in the tarball.
describe('the packed package', () => {
  it('ships its README, the compiled plugin, the rustc wrapper and the schemas, and no TypeScript source', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(repoRoot, 'packages', 'fine-threads'), encoding: 'utf8' });
    expect(r.status).toBe(0);
    const [pack] = JSON.parse(r.stdout) as { name: string; files: { path: string }[] }[];
    const files = pack.files.map((f) => f.path);
    expect(pack.name).toBe('fine-threads');
    for (const f of ['README.md', 'package.json', 'dist/index.js', 'bin/fine-threads-rustc', 'executors.json', 'generators.json', 'src/generators/tune/schema.json', 'src/executors/build/schema.json', 'src/executors/publish/schema.json', 'release/version-actions.js', 'dist/release/version-actions.js']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });
});
