#!/usr/bin/env node
// Brings a fresh clone to a state where the tests and the demo can run:
// npm dependencies installed from the lock file, the Rust toolchain present,
// the plugin built. Uses only Node's standard library, since it runs before
// anything is installed. Each step says what it does.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const step = (msg) => console.log(`[setup] ${msg}`);

function fail(msg) {
  console.error(`[setup] ${msg}`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) fail(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

function version(cmd, args) {
  try {
    return execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return undefined;
  }
}

// 1. npm dependencies: `npm ci` when node_modules is missing or older than the lock file.
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  step('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
} else {
  step('npm dependencies are installed');
}

// 2. Rust: cargo, rustc, clippy and rustfmt on the default toolchain. They cannot
// be downloaded here (no network but npm and Debian), so a missing one is an error
// that says how to get it.
const tools = [
  ['cargo', ['--version']],
  ['rustc', ['--version']],
  ['cargo', ['clippy', '--version']],
  ['cargo', ['fmt', '--version']],
];
for (const [cmd, args] of tools) {
  const v = version(cmd, args);
  if (!v) fail(`\`${cmd} ${args.join(' ')}\` failed: install Rust with rustup (https://rustup.rs), with the clippy and rustfmt components`);
  step(v);
}
// The front-end threads tests build on nightly too (no RUSTC_BOOTSTRAP there).
const nightly = version('cargo', ['+nightly', '--version']);
if (!nightly) fail('`cargo +nightly --version` failed: the tests need a nightly toolchain (rustup toolchain install nightly)');
step(nightly);

// The HTML report's e2e spec opens the report in Debian's chromium (driven by playwright-core,
// which downloads no browser of its own); install it when missing rather than skip the spec.
const chromium = '/usr/bin/chromium';
if (!existsSync(chromium)) {
  step(`installing Debian's chromium for the report's browser test (apt-get install chromium)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  run('apt-get', ['install', '-y', '-qq', 'chromium'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
} else {
  step(`chromium: ${version(chromium, ['--version']) ?? chromium}`);
}

// 3. The plugin, compiled to packages/fine-threads/dist (what Nx loads).
step('building the plugin (tsc)');
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'packages/fine-threads/tsconfig.lib.json']);
step('ready');
