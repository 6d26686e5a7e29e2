import type { ProjectConfiguration } from '@nx/devkit';
import { cratesFromMetadata } from '../utils/crates';
import type { CargoMetadata } from '../cargo/metadata';
import metadata from '../utils/__fixtures__/workspace-metadata.json';
import { log } from '../utils/log';
import { crateDependencies } from './dependencies';

const crates = cratesFromMetadata(metadata as unknown as CargoMetadata, '/nx');
const projects: Record<string, ProjectConfiguration> = Object.fromEntries(
  crates.map((c) => [c.packageName, { name: c.packageName, root: c.root }]),
);
projects.web = { name: 'web', root: 'packages/web' };
projects.docs = { name: 'docs', root: 'packages/docs' };
projects.site = { name: 'site', root: 'packages/site' };

const packageJsons: Record<string, object> = {
  'packages/web': { dependencies: { '@acme/my-lib-native': '*', react: '^19' }, devDependencies: { cli: '*' } },
  'packages/docs': { dependencies: { 'my-lib': '*' } },
  // The declaration npm ignores: by Nx project or Cargo package name.
  'packages/site': { 'fine-threads': { crates: ['base', 'my-lib', 'no-such-crate'] } },
};
const warn = jest.spyOn(log, 'warn').mockImplementation(() => undefined);
const edges = crateDependencies(crates, projects, (root) => packageJsons[root]);
const warnings = warn.mock.calls.map((c) => c[0] as string);
warn.mockRestore();
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

  it('links a TS project to the crates its package.json names under "fine-threads": { "crates" }', () => {
    expect(pairs.filter((p) => p.startsWith('site'))).toEqual(['site -> base', 'site -> my-lib']);
    expect(warnings).toContainEqual(
      'fine-threads: packages/site/package.json names "no-such-crate" in fine-threads.crates, but no crate is called so.',
    );
  });

  it('keeps a dependency on a bare crate name, warning that npm would fetch it from its registry', () => {
    const npm = warnings.filter((w) => /npm would install/.test(w));
    expect(npm).toHaveLength(1); // cli; my-lib's npm name is declared, so it is a real npm package
    expect(npm[0]).toBe(
      'fine-threads: packages/web/package.json lists the crate "cli" in devDependencies, so npm would install a registry package of that name; declare it as "fine-threads": { "crates": ["cli"] } instead (the edge is kept).',
    );
  });

  it('does not match a crate by its cargo name when it has another npm name', () => {
    expect(pairs.filter((p) => p.startsWith('docs'))).toEqual([]);
  });

  it('emits each edge once and nothing else', () => {
    expect(pairs).toHaveLength(new Set(pairs).size);
    expect(pairs).toHaveLength(9);
  });
});
