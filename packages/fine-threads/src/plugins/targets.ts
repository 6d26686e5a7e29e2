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
  publish: 'fine-threads:publish',
} as const;

function under(dir: string, path: string): string {
  return dir === '.' ? path : `${dir}/${path}`;
}

/**
 * File-set inputs for a crate's own sources, as Nx input globs. A build script
 * may read any file of its crate (its `rerun-if-changed` list is known only
 * after a build), so such a crate's sources are its whole directory, but the
 * target directory when it lies inside.
 */
function sourceInputs(crate: CrateInfo, prefix: string): string[] {
  if (crate.hasBuildScript) {
    const t = crate.targetDirectory;
    const inside = !t.startsWith('/') && !t.startsWith('..') && (crate.root === '.' || t.startsWith(`${crate.root}/`));
    return [`${prefix}/**/*`, ...(inside ? [`!{workspaceRoot}/${t}/**/*`] : [])];
  }
  return crate.sources.map((s) => (s.endsWith('/') ? `${prefix}/${s}**/*` : `${prefix}/${s}`));
}

/** The directory and each one above it, up to the Nx root: where cargo, rustup, rustfmt and clippy look. */
export function dirsUp(dir: string): string[] {
  if (dir.startsWith('..')) return ['.']; // above the Nx root, only the root itself holds workspace files
  const out: string[] = [];
  for (let d = dir; d !== '.'; d = d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '.') out.push(d);
  out.push('.');
  return out;
}

const file = (dir: string, name: string) => `{workspaceRoot}/${dir === '.' ? '' : `${dir}/`}${name}`;
const inEach = (dirs: string[], names: string[]) => dirs.flatMap((d) => names.map((n) => file(d, n)));
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The project-level named inputs; each target takes those that change its result. */
export const CARGO_SOURCES = 'cargo-sources';
export const CARGO_TOOLCHAIN = 'cargo-toolchain';
export const CARGO_CONFIG = 'cargo-config';
export const RUSTFMT_CONFIG = 'rustfmt-config';
export const CLIPPY_CONFIG = 'clippy-config';

/** cargo's own config in $CARGO_HOME lies outside the workspace: hashed by its contents. */
export const CARGO_HOME_CONFIG =
  'for f in "${CARGO_HOME:-$HOME/.cargo}/config" "${CARGO_HOME:-$HOME/.cargo}/config.toml"; do cat "$f" 2>/dev/null; done; true';

function namedInputsFor(crate: CrateInfo): Record<string, InputDefinition[]> {
  const ws = crate.cargoWorkspaceRoot;
  // cargo runs in the Cargo workspace root: rustup's and cargo's config searches start there.
  const fromWorkspace = dirsUp(ws);
  // rustfmt looks from each source file's directory up (the directories inside the
  // crate's sources are in cargo-sources), clippy from the crate's manifest directory up.
  const fromCrate = dirsUp(crate.root);
  const workspaceFiles = new Set([file(ws, 'Cargo.toml'), file(ws, 'Cargo.lock')]);
  workspaceFiles.delete(file(crate.root, 'Cargo.toml')); // already a source
  return {
    [CARGO_SOURCES]: sourceInputs(crate, '{projectRoot}'),
    [CARGO_TOOLCHAIN]: [
      ...inEach(fromWorkspace, ['rust-toolchain', 'rust-toolchain.toml']),
      // Where cargo runs, so that a toolchain file there picks the compiler it reports.
      { runtime: ws === '.' ? 'rustc -vV' : `cd ${shellQuote(ws)} && rustc -vV` },
    ],
    [CARGO_CONFIG]: [
      ...workspaceFiles,
      ...inEach(fromWorkspace, ['.cargo/config', '.cargo/config.toml']),
      { env: 'CARGO_HOME' },
      { runtime: CARGO_HOME_CONFIG },
      { env: 'RUSTFLAGS' },
      { env: 'CARGO_ENCODED_RUSTFLAGS' },
      { env: 'CARGO_BUILD_TARGET' },
    ],
    [RUSTFMT_CONFIG]: inEach(fromCrate, ['rustfmt.toml', '.rustfmt.toml']),
    [CLIPPY_CONFIG]: [...inEach(fromCrate, ['clippy.toml', '.clippy.toml']), { env: 'CLIPPY_CONF_DIR' }],
  };
}

/**
 * The crate's sources, the sources of every crate it depends on (Nx follows
 * the graph's edges for `^`, so the list stays the same length however deep
 * the graph is), the toolchain and cargo's config.
 * The edges include dev-dependencies, so a change to one also misses the
 * cache of build and check: safe, and cheaper than a per-target closure.
 */
const CARGO_INPUTS: InputDefinition[] = [CARGO_SOURCES, `^${CARGO_SOURCES}`, CARGO_TOOLCHAIN, CARGO_CONFIG];

/** cargo fmt reads the manifests (the edition may be inherited), not cargo's config or the lock file. */
function fmtInputs(crate: CrateInfo): InputDefinition[] {
  const workspaceManifest = file(crate.cargoWorkspaceRoot, 'Cargo.toml');
  return [
    CARGO_SOURCES,
    CARGO_TOOLCHAIN,
    RUSTFMT_CONFIG,
    ...(workspaceManifest === file(crate.root, 'Cargo.toml') ? [] : [workspaceManifest]),
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
  const inputs = CARGO_INPUTS;
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
      inputs: [...CARGO_INPUTS, CLIPPY_CONFIG],
      outputs: [],
      metadata: describe('clippy'),
    },
    [options.fmtTargetName]: {
      executor: 'nx:run-commands',
      cache: true,
      inputs: fmtInputs(crate),
      outputs: [],
      options: {
        command: `cargo fmt --check -p ${crate.packageName}`,
        cwd: crate.cargoWorkspaceRoot,
      },
      metadata: describe('fmt --check'),
    },
  };
  // What `nx release publish` runs; a crate's dependencies are published first, as cargo needs.
  targets['nx-release-publish'] = {
    executor: EXECUTOR.publish,
    cache: false,
    dependsOn: ['^nx-release-publish'],
    options: {},
    metadata: describe('publish'),
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
    namedInputs: namedInputsFor(crate),
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
