import type { ProjectConfiguration } from '@nx/devkit';
import { cratesFromMetadata } from '../utils/crates';
import type { CargoMetadata } from '../utils/cargo-metadata';
import metadata from '../utils/__fixtures__/workspace-metadata.json';
import { crateDependencies } from './dependencies';

const crates = cratesFromMetadata(metadata as unknown as CargoMetadata, '/nx');
const projects: Record<string, ProjectConfiguration> = Object.fromEntries(
  crates.map((c) => [c.packageName, { name: c.packageName, root: c.root }]),
);
projects.web = { name: 'web', root: 'packages/web' };
projects.docs = { name: 'docs', root: 'packages/docs' };

const packageJsons: Record<string, object> = {
  'packages/web': { dependencies: { '@acme/my-lib-native': '*', react: '^19' }, devDependencies: { cli: '*' } },
  'packages/docs': { dependencies: { 'my-lib': '*' } },
};
const edges = crateDependencies(crates, projects, (root) => packageJsons[root]);
const pairs = edges.map((e) => `${e.source} -> ${e.target}`).sort();

describe('crateDependencies', () => {
  it('turns normal, build and dev path dependencies into static edges, from the manifest', () => {
    expect(pairs).toEqual(
      expect.arrayContaining(['cli -> my-lib', 'helpers -> base', 'my-lib -> base', 'my-lib -> gen', 'my-lib -> helpers']),
    );
    const e = edges.find((d) => d.source === 'my-lib' && d.target === 'gen');
    expect(e).toMatchObject({ type: 'static', sourceFile: 'rust/crates/my-lib/Cargo.toml' });
  });

  it('links a TS project to the crates its package.json names by npm name', () => {
    expect(pairs).toContain('web -> my-lib');
    expect(pairs).toContain('web -> cli');
    expect((edges.find((d) => d.source === 'web' && d.target === 'my-lib') as { sourceFile?: string })?.sourceFile).toBe('packages/web/package.json');
  });

  it('does not match a crate by its cargo name when it has another npm name', () => {
    expect(pairs.filter((p) => p.startsWith('docs'))).toEqual([]);
  });

  it('emits each edge once and nothing else', () => {
    expect(pairs).toHaveLength(new Set(pairs).size);
    expect(pairs).toHaveLength(7);
  });
});
