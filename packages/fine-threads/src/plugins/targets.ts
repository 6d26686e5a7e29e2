import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';

type InputDefinition = NonNullable<TargetConfiguration['inputs']>[number];
import type { CrateInfo } from '../utils/crates';
import type { NormalizedPluginOptions } from './plugin-options';

/** Executors of this package, as Nx names them. */
const EXECUTOR = {
  build: 'fine-threads:build',
  check: 'fine-threads:check',
  test: 'fine-threads:test',
  lint: 'fine-threads:lint',
  run: 'fine-threads:run',
} as const;

function under(dir: string, path: string): string {
  return dir === '.' ? path : `${dir}/${path}`;
}

/** File-set inputs for a crate's own sources, as Nx input globs. */
function sourceInputs(crate: CrateInfo, prefix: string): string[] {
  return crate.sources.map((s) => (s.endsWith('/') ? `${prefix}/${s}**/*` : `${prefix}/${s}`));
}

/** Files outside the crate that change what cargo builds for it. */
function workspaceInputs(crate: CrateInfo): string[] {
  const ws = `{workspaceRoot}/${crate.cargoWorkspaceRoot === '.' ? '' : `${crate.cargoWorkspaceRoot}/`}`;
  const files = new Set([
    `${ws}Cargo.toml`,
    `${ws}Cargo.lock`,
    `${ws}rust-toolchain`,
    `${ws}rust-toolchain.toml`,
    `${ws}.cargo/config`,
    `${ws}.cargo/config.toml`,
    // cargo also reads config from every directory above its cwd.
    '{workspaceRoot}/.cargo/config',
    '{workspaceRoot}/.cargo/config.toml',
  ]);
  files.delete(`{workspaceRoot}/${crate.root}/Cargo.toml`);
  return [...files];
}

/** The project-level named input holding a crate's own sources. */
export const CARGO_SOURCES = 'cargo-sources';

/**
 * The crate's sources, the sources of every crate it depends on (Nx follows
 * the graph's edges for `^`, so the list stays the same length however deep
 * the graph is), the workspace files, the flags and the compiler.
 * The edges include dev-dependencies, so a change to one also misses the
 * cache of build and check: safe, and cheaper than a per-target closure.
 */
function inputsFor(crate: CrateInfo): InputDefinition[] {
  return [
    CARGO_SOURCES,
    `^${CARGO_SOURCES}`,
    ...workspaceInputs(crate),
    { env: 'RUSTFLAGS' },
    { env: 'CARGO_ENCODED_RUSTFLAGS' },
    { env: 'CARGO_BUILD_TARGET' },
    { runtime: 'rustc -vV' },
  ];
}

/**
 * Artifacts cargo writes for this crate under the target directory, for any
 * profile or target triple (`**`): its library and binaries, their dep-info,
 * fingerprints and build-script output. `rmetaOnly` is for `cargo check`.
 */
function outputsFor(crate: CrateInfo, rmetaOnly: boolean): string[] {
  const t = crate.targetDirectory.startsWith('/') ? undefined : `{workspaceRoot}/${crate.targetDirectory}`;
  if (!t) return [];
  const out: string[] = [];
  if (crate.libName) {
    out.push(`${t}/**/deps/lib${crate.libName}-*${rmetaOnly ? '.rmeta' : ''}`);
    if (!rmetaOnly) out.push(`${t}/**/lib${crate.libName}.*`);
  }
  if (!rmetaOnly) {
    for (const bin of crate.bins) {
      out.push(`${t}/**/deps/${bin.replace(/-/g, '_')}-*`, `${t}/**/${bin}`, `${t}/**/${bin}.d`);
    }
  }
  out.push(`${t}/**/.fingerprint/${crate.packageName}-*/**`);
  if (crate.hasBuildScript) out.push(`${t}/**/build/${crate.packageName}-*/**`);
  return out;
}

/** The inferred Nx project of one crate. */
export function projectForCrate(
  crate: CrateInfo,
  name: string,
  options: NormalizedPluginOptions,
): ProjectConfiguration {
  const inputs = inputsFor(crate);
  const describe = (command: string) => ({
    technologies: ['cargo'],
    description: `cargo ${command} -p ${crate.packageName}`,
  });
  const targets: Record<string, TargetConfiguration> = {
    [options.buildTargetName]: {
      executor: EXECUTOR.build,
      cache: true,
      inputs,
      outputs: outputsFor(crate, false),
      configurations: { release: { release: true } },
      metadata: describe('build'),
    },
    [options.checkTargetName]: {
      executor: EXECUTOR.check,
      cache: true,
      inputs,
      outputs: outputsFor(crate, true),
      metadata: describe('check'),
    },
    [options.testTargetName]: {
      executor: EXECUTOR.test,
      cache: true,
      inputs,
      outputs: [],
      configurations: { release: { release: true } },
      metadata: describe('test'),
    },
    [options.lintTargetName]: {
      executor: EXECUTOR.lint,
      cache: true,
      inputs,
      outputs: [],
      metadata: describe('clippy'),
    },
    [options.fmtTargetName]: {
      executor: 'nx:run-commands',
      cache: true,
      inputs: [CARGO_SOURCES, '{workspaceRoot}/rustfmt.toml', '{workspaceRoot}/.rustfmt.toml'],
      outputs: [],
      options: {
        command: `cargo fmt --check -p ${crate.packageName}`,
        cwd: crate.cargoWorkspaceRoot,
      },
      metadata: describe('fmt --check'),
    },
  };
  if (crate.bins.length > 0) {
    targets[options.runTargetName] = {
      executor: EXECUTOR.run,
      cache: false,
      metadata: describe('run'),
    };
  }
  return {
    name,
    root: crate.root,
    sourceRoot: crate.sources.includes('src/') ? under(crate.root, 'src') : crate.root,
    projectType: crate.bins.length > 0 && !crate.libName ? 'application' : 'library',
    tags: ['lang:rust'],
    namedInputs: { [CARGO_SOURCES]: sourceInputs(crate, '{projectRoot}') },
    targets,
    metadata: {
      technologies: ['cargo'],
      targetGroups: { Cargo: Object.keys(targets) },
      cargo: {
        package: crate.packageName,
        manifestPath: crate.manifestPath,
        workspaceRoot: crate.cargoWorkspaceRoot,
        targetDirectory: crate.targetDirectory,
        npmName: crate.npmName,
        // The names rustc compiles this package's units under, for the thread table.
        crateNames: [...new Set([crate.libName, ...crate.bins.map((b) => b.replace(/-/g, '_'))].filter(Boolean))],
      },
    },
  };
}
