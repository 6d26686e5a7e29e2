import { cratesFromMetadata, type CrateInfo } from '../utils/crates';
import type { CargoMetadata } from '../cargo/metadata';
import metadata from '../utils/__fixtures__/workspace-metadata.json';
import { normalizePluginOptions } from './plugin-options';
import { CARGO_HOME_CONFIG, dirsUp, projectForCrate } from './targets';

const crates = cratesFromMetadata(metadata as unknown as CargoMetadata, '/nx');
const crate = (name: string) => crates.find((c) => c.packageName === name) as CrateInfo;
const project = (name: string, options = {}) =>
  projectForCrate(crate(name), name, normalizePluginOptions(options));

describe('projectForCrate', () => {
  it('infers build, check, test, lint, fmt and nx-release-publish for every crate, and run only with a binary', () => {
    expect(Object.keys(project('my-lib').targets ?? {}).sort()).toEqual(['build', 'check', 'fmt', 'lint', 'nx-release-publish', 'test']);
    expect(Object.keys(project('cli').targets ?? {})).toContain('run');
    expect(project('cli').projectType).toBe('application');
    expect(project('my-lib').projectType).toBe('library');
  });

  it('honours renamed targets', () => {
    const targets = project('cli', { buildTargetName: 'cargo-build', runTargetName: 'serve' }).targets ?? {};
    expect(targets['cargo-build']?.executor).toBe('fine-threads:build');
    expect(targets.serve?.executor).toBe('fine-threads:run');
    expect(targets.build).toBeUndefined();
  });

  it('caches build, check, test and lint but never run, and starts no cargo per dependency', () => {
    const t = project('cli').targets ?? {};
    for (const name of ['build', 'check', 'test', 'lint', 'fmt']) expect(t[name]?.cache).toBe(true);
    expect(t.run?.cache).toBe(false);
    // nx release publish alone runs its dependencies' target first: cargo publishes a crate's dependencies before it.
    for (const [name, target] of Object.entries(t)) if (name !== 'nx-release-publish') expect(target.dependsOn).toBeUndefined();
    expect(t['nx-release-publish']).toMatchObject({ executor: 'fine-threads:publish', cache: false, dependsOn: ['^nx-release-publish'] });
  });

  it("hashes its own sources through a named input, and its dependencies' through ^", () => {
    expect(project('cli').namedInputs?.['cargo-sources']).toEqual(['{projectRoot}/Cargo.toml', '{projectRoot}/src/**/*']);
    for (const target of ['build', 'check', 'test', 'lint']) {
      expect(project('cli').targets?.[target]?.inputs?.slice(0, 2)).toEqual(['cargo-sources', '^cargo-sources']);
    }
  });

  it('takes the whole directory of a crate with a build script, but a target dir inside it', () => {
    // my-lib has build.rs: it may read any file of its crate.
    expect(project('my-lib').namedInputs?.['cargo-sources']).toEqual(['{projectRoot}/**/*']);
    const solo: CrateInfo = { ...crate('my-lib'), root: 'solo', manifestPath: 'solo/Cargo.toml', cargoWorkspaceRoot: 'solo', targetDirectory: 'solo/target' };
    expect(projectForCrate(solo, 'solo', normalizePluginOptions({})).namedInputs?.['cargo-sources']).toEqual([
      '{projectRoot}/**/*',
      '!{workspaceRoot}/solo/target/**/*',
    ]);
  });

  it("hashes cargo's config and the toolchain files from the Cargo workspace root up to the Nx root", () => {
    const named = project('cli').namedInputs ?? {};
    expect(named['cargo-config']).toEqual([
      '{workspaceRoot}/rust/Cargo.toml',
      '{workspaceRoot}/rust/Cargo.lock',
      '{workspaceRoot}/rust/.cargo/config',
      '{workspaceRoot}/rust/.cargo/config.toml',
      '{workspaceRoot}/.cargo/config',
      '{workspaceRoot}/.cargo/config.toml',
      { env: 'CARGO_HOME' },
      { runtime: CARGO_HOME_CONFIG },
      { env: 'RUSTFLAGS' },
      { env: 'CARGO_ENCODED_RUSTFLAGS' },
      { env: 'CARGO_BUILD_TARGET' },
    ]);
    expect(named['cargo-toolchain']).toEqual([
      '{workspaceRoot}/rust/rust-toolchain',
      '{workspaceRoot}/rust/rust-toolchain.toml',
      '{workspaceRoot}/rust-toolchain',
      '{workspaceRoot}/rust-toolchain.toml',
      { runtime: "cd 'rust' && rustc -vV" },
    ]);
    for (const target of ['build', 'check', 'test', 'lint']) {
      expect(project('cli').targets?.[target]?.inputs).toEqual(expect.arrayContaining(['cargo-toolchain', 'cargo-config']));
    }
  });

  it('hashes rustfmt.toml for fmt and clippy.toml for lint, in the crate dir and every dir above it', () => {
    const p = project('cli');
    const up = ['rust/crates/cli/', 'rust/crates/', 'rust/', ''];
    expect(p.namedInputs?.['rustfmt-config']).toEqual(
      up.flatMap((d) => [`{workspaceRoot}/${d}rustfmt.toml`, `{workspaceRoot}/${d}.rustfmt.toml`]),
    );
    expect(p.namedInputs?.['clippy-config']).toEqual([
      ...up.flatMap((d) => [`{workspaceRoot}/${d}clippy.toml`, `{workspaceRoot}/${d}.clippy.toml`]),
      { env: 'CLIPPY_CONF_DIR' },
    ]);
    expect(p.targets?.lint?.inputs).toContain('clippy-config');
    expect(p.targets?.build?.inputs).not.toContain('clippy-config');
    expect(p.targets?.build?.inputs).not.toContain('rustfmt-config');
    // fmt: the crate's sources, rustfmt's config, the toolchain and the workspace manifest (edition).
    expect(p.targets?.fmt?.inputs).toEqual(['cargo-sources', 'cargo-toolchain', 'rustfmt-config', '{workspaceRoot}/rust/Cargo.toml']);
  });

  it('a crate at the Nx root hashes each file once', () => {
    const root: CrateInfo = { ...crate('cli'), root: '.', manifestPath: 'Cargo.toml', cargoWorkspaceRoot: '.', targetDirectory: 'target' };
    const p = projectForCrate(root, 'cli', normalizePluginOptions({}));
    expect(p.namedInputs?.['cargo-config']?.slice(0, 3)).toEqual([
      '{workspaceRoot}/Cargo.lock',
      '{workspaceRoot}/.cargo/config',
      '{workspaceRoot}/.cargo/config.toml',
    ]);
    expect(p.namedInputs?.['cargo-toolchain']).toContainEqual({ runtime: 'rustc -vV' });
    expect(p.namedInputs?.['rustfmt-config']).toEqual(['{workspaceRoot}/rustfmt.toml', '{workspaceRoot}/.rustfmt.toml']);
    expect(p.targets?.fmt?.inputs).toEqual(['cargo-sources', 'cargo-toolchain', 'rustfmt-config']);
  });

  it('keeps its input list the same length however many crates it depends on, and short', () => {
    expect(project('cli').targets?.build?.inputs?.length).toBe(project('base').targets?.build?.inputs?.length);
    // Linear in the crate's depth below the Nx root (here 3), never in the number of crates.
    const named = Object.values(project('cli').namedInputs ?? {}).flat();
    expect(named.length).toBeLessThanOrEqual(40);
  });

  it("names the crate's own artifacts as outputs, for any profile; check keeps only metadata", () => {
    const t = project('my-lib').targets ?? {};
    expect(t.build?.outputs).toEqual(
      expect.arrayContaining([
        '{workspaceRoot}/rust/target/**/deps/libmy_lib-*',
        '{workspaceRoot}/rust/target/**/.fingerprint/my-lib-*/**',
        '{workspaceRoot}/rust/target/**/build/my-lib-*/**',
      ]),
    );
    expect(t.check?.outputs).toContain('{workspaceRoot}/rust/target/**/deps/libmy_lib-*.rmeta');
    expect(t.check?.outputs).not.toContain('{workspaceRoot}/rust/target/**/deps/libmy_lib-*');
    expect(project('cli').targets?.build?.outputs).toEqual(
      expect.arrayContaining(['{workspaceRoot}/rust/target/**/cli', '{workspaceRoot}/rust/target/**/cli-extra']),
    );
  });

  it('carries the cargo package and manifest for the executors', () => {
    expect(project('my-lib').metadata?.cargo).toMatchObject({
      package: 'my-lib',
      manifestPath: 'rust/crates/my-lib/Cargo.toml',
      workspaceRoot: 'rust',
    });
  });
});

describe('dirsUp', () => {
  it('lists a directory and its parents up to the Nx root', () => {
    expect(dirsUp('rust/crates/a')).toEqual(['rust/crates/a', 'rust/crates', 'rust', '.']);
    expect(dirsUp('.')).toEqual(['.']);
    expect(dirsUp('../elsewhere')).toEqual(['.']);
  });
});
