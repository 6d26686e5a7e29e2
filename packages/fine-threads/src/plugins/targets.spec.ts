import { cratesFromMetadata, type CrateInfo } from '../utils/crates';
import type { CargoMetadata } from '../utils/cargo-metadata';
import metadata from '../utils/__fixtures__/workspace-metadata.json';
import { normalizePluginOptions } from './plugin-options';
import { projectForCrate } from './targets';

const crates = cratesFromMetadata(metadata as unknown as CargoMetadata, '/nx');
const byRoot = new Map(crates.map((c) => [c.root, c]));
const crate = (name: string) => crates.find((c) => c.packageName === name) as CrateInfo;
const project = (name: string, options = {}) =>
  projectForCrate(crate(name), name, byRoot, normalizePluginOptions(options));

describe('projectForCrate', () => {
  it('infers build, check, test, lint and fmt for every crate, and run only with a binary', () => {
    expect(Object.keys(project('my-lib').targets ?? {}).sort()).toEqual(['build', 'check', 'fmt', 'lint', 'test']);
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
    for (const target of Object.values(t)) expect(target.dependsOn).toBeUndefined();
  });

  it('hashes its own sources, the sources of every workspace crate it builds, and the workspace files', () => {
    const inputs = project('cli').targets?.build?.inputs ?? [];
    expect(inputs).toEqual(
      expect.arrayContaining([
        '{projectRoot}/Cargo.toml',
        '{projectRoot}/src/**/*',
        '{workspaceRoot}/rust/crates/my-lib/src/**/*',
        '{workspaceRoot}/rust/crates/my-lib/build.rs',
        '{workspaceRoot}/rust/crates/base/src/**/*',
        '{workspaceRoot}/rust/tools/gen/src/**/*',
        '{workspaceRoot}/rust/Cargo.toml',
        '{workspaceRoot}/rust/Cargo.lock',
        '{workspaceRoot}/rust/rust-toolchain.toml',
        '{workspaceRoot}/rust/.cargo/config.toml',
        { env: 'RUSTFLAGS' },
        { runtime: 'rustc -vV' },
      ]),
    );
    // helpers is only a dev-dependency of my-lib: it does not change what cli builds.
    expect(inputs).not.toContain('{workspaceRoot}/rust/crates/helpers/src/**/*');
  });

  it("adds the crate's dev-dependencies to test and lint inputs only", () => {
    const t = project('my-lib').targets ?? {};
    expect(t.test?.inputs).toContain('{workspaceRoot}/rust/crates/helpers/src/**/*');
    expect(t.lint?.inputs).toContain('{workspaceRoot}/rust/crates/helpers/src/**/*');
    expect(t.build?.inputs).not.toContain('{workspaceRoot}/rust/crates/helpers/src/**/*');
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
