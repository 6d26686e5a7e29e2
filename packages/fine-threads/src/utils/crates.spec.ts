import { cratesFromMetadata, type CrateInfo } from './crates';
import type { CargoMetadata } from '../cargo/metadata';
import metadata from './__fixtures__/workspace-metadata.json';

const crates = cratesFromMetadata(metadata as unknown as CargoMetadata, '/nx');
const byName = (name: string) => crates.find((c) => c.packageName === name) as CrateInfo;

describe('cratesFromMetadata', () => {
  it('turns every workspace member into a crate with paths relative to the Nx root', () => {
    expect(crates.map((c) => c.packageName).sort()).toEqual(['base', 'cli', 'gen', 'helpers', 'my-lib']);
    const lib = byName('my-lib');
    expect(lib.root).toBe('rust/crates/my-lib');
    expect(lib.manifestPath).toBe('rust/crates/my-lib/Cargo.toml');
    expect(lib.cargoWorkspaceRoot).toBe('rust');
    expect(lib.targetDirectory).toBe('rust/target');
  });

  it('records the library name as rustc sees it, binaries and the build script', () => {
    expect(byName('my-lib')).toMatchObject({ libName: 'my_lib', bins: [], hasBuildScript: true });
    expect(byName('cli')).toMatchObject({ libName: undefined, bins: ['cli', 'cli-extra'], hasBuildScript: false });
  });

  it('lists the source entries of each target: directories end in a slash, root files stand alone', () => {
    expect(byName('my-lib').sources).toEqual(['Cargo.toml', 'build.rs', 'src/']);
    expect(byName('cli').sources).toEqual(['Cargo.toml', 'src/']);
  });

  it('keeps path dependencies of every kind, by the root of the crate they point at', () => {
    expect(byName('my-lib').dependencies).toEqual([
      { root: 'rust/crates/base', kind: 'normal' },
      { root: 'rust/crates/helpers', kind: 'dev' },
      { root: 'rust/tools/gen', kind: 'build' },
    ]);
    // A renamed dependency is still found by its path.
    expect(byName('cli').dependencies).toEqual([{ root: 'rust/crates/my-lib', kind: 'normal' }]);
  });

  it('takes the npm name from package.metadata.fine-threads, else the crate name', () => {
    expect(byName('my-lib').npmName).toBe('@acme/my-lib-native');
    expect(byName('base').npmName).toBe('base');
  });

  it('keeps a target directory outside the Nx workspace absolute', () => {
    const outside = cratesFromMetadata({ ...(metadata as unknown as CargoMetadata), target_directory: '/tmp/t' }, '/nx');
    expect(outside[0].targetDirectory).toBe('/tmp/t');
  });
});
