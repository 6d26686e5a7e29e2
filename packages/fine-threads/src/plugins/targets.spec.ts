import { cratesFromMetadata, type CrateInfo } from '../utils/crates';
import type { CargoMetadata } from '../utils/cargo-metadata';
import metadata from '../utils/__fixtures__/workspace-metadata.json';
import { normalizePluginOptions } from './plugin-options';
import { projectForCrate } from './targets';

const crates = cratesFromMetadata(metadata as unknown as CargoMetadata, '/nx');
const crate = (name: string) => crates.find((c) => c.packageName === name) as CrateInfo;
const project = (name: string, options = {}) =>
  projectForCrate(crate(name), name, normalizePluginOptions(options));

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

  it('hashes its own sources through a named input, and its dependencies\' through ^', () => {
    const p = project('my-lib');
    expect(p.namedInputs?.['cargo-sources']).toEqual([
      '{projectRoot}/Cargo.toml',
      '{projectRoot}/build.rs',
      '{projectRoot}/src/**/*',
    ]);
    for (const target of ['build', 'check', 'test', 'lint']) {
      expect(p.targets?.[target]?.inputs?.slice(0, 2)).toEqual(['cargo-sources', '^cargo-sources']);
    }
  });

  it('hashes the workspace files, the flags and the compiler', () => {
    const inputs = project('cli').targets?.build?.inputs ?? [];
    expect(inputs).toEqual(
      expect.arrayContaining([
        '{workspaceRoot}/rust/Cargo.toml',
        '{workspaceRoot}/rust/Cargo.lock',
        '{workspaceRoot}/rust/rust-toolchain.toml',
        '{workspaceRoot}/rust/.cargo/config.toml',
        '{workspaceRoot}/.cargo/config.toml',
        { env: 'RUSTFLAGS' },
        { runtime: 'rustc -vV' },
      ]),
    );
    expect(inputs).not.toContain('{workspaceRoot}/rust/crates/cli/Cargo.toml');
  });

  it('keeps its input list the same length however many crates it depends on', () => {
    expect(project('cli').targets?.build?.inputs?.length).toBe(project('base').targets?.build?.inputs?.length);
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
