#!/usr/bin/env node
// One cargo where one cargo is enough: `nx run-many -t build` over every crate of the example in
// Nx's batch mode (--batch, --skip-nx-cache) against plain `cargo build --workspace` in each of the
// example's Cargo workspaces, one after the other, as a user would type them. Every run starts from
// clean target dirs; the two alternate in order over the rounds, in one run on one machine.
// It also times both on built target dirs (cargo has nothing to do): that is Nx's own cost.
// On built target dirs it also times `run-many` without --batch (one cargo per crate), to show
// what batch mode saves when there is little to build.
// This machine is shared: before each timed run the bench waits (up to --max-wait seconds) until
// other processes use at most 0.3 cores, and it reports the cores they took during each run.
//   node tools/bench/run-many.mjs [--rounds 3] [--daemon] [--max-wait 600] [--json]
//   --daemon: with the Nx daemon (a user's default outside CI) instead of NX_DAEMON=false;
//   --json: JSON on stdout, text on stderr.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyExample } from './lib/workspaces.mjs';
import { runMeasured, waitForQuiet } from './interference.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const nxBin = join(repo, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const rounds = Number(arg('rounds', 3));
const json = process.argv.includes('--json');
const daemon = process.argv.includes('--daemon');
const maxWait = Number(arg('max-wait', 600));
const say = (line) => (json ? process.stderr : process.stdout).write(`${line}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Directories under `root` whose Cargo.toml is a workspace root, root first. */
function cargoWorkspaces(root) {
  const found = [];
  const walk = (dir) => {
    const names = readdirSync(dir, { withFileTypes: true });
    if (names.some((e) => e.name === 'Cargo.toml' && e.isFile()) && /^\s*\[workspace\]/m.test(readFileSync(join(dir, 'Cargo.toml'), 'utf8'))) {
      found.push(dir);
    }
    for (const e of names) if (e.isDirectory() && !/^(target|node_modules|\.nx|\.git|dist)$/.test(e.name)) walk(join(dir, e.name));
  };
  walk(root);
  return found;
}

const ws = mkdtempSync(join(tmpdir(), 'ft-bench-many-'));
try {
  copyExample(ws);
  symlinkSync(join(repo, 'node_modules'), join(ws, 'node_modules'), 'dir');
  const env = { ...process.env, NX_DAEMON: String(daemon), NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true' };
  delete env.NX_BATCH_MODE;
  const workspaces = cargoWorkspaces(ws);
  const clean = () => {
    for (const dir of workspaces) rmSync(join(dir, 'target'), { recursive: true, force: true });
  };
  const others = [];
  const cpu = new Map();
  /**
   * Wall seconds of one run of argv, after a quiet spell. The cores others took meanwhile go to
   * `others`; the run's own CPU seconds (it and its children: cargo, rustc) to `cpu`, by label:
   * CPU time does not stretch when other processes load the machine, so it shows Nx's share too.
   */
  const timed = (label, argv, extraEnv = {}) => {
    waitForQuiet({ max: 0.3, maxWait, say });
    const m = runMeasured(argv, { cwd: ws, env: { ...env, ...extraEnv }, stdio: 'ignore' });
    if (m.result.status !== 0) throw new Error(`${argv.join(' ')} failed (exit ${m.result.status})`);
    others.push(m.others);
    cpu.set(label, [...(cpu.get(label) ?? []), m.own]);
    return m.wall;
  };
  // Every crate (the plugin tags them lang:rust), not the example's TS package.
  const select = '--projects=tag:lang:rust';
  const projects = JSON.parse(execFileSync(process.execPath, [nxBin, 'show', 'projects', select, '--json'], { cwd: ws, env, encoding: 'utf8' }));
  const nxArgs = ['run-many', '-t', 'build', select, '--batch', '--skip-nx-cache'];
  const commands = workspaces.map((dir) => `(cd ${relative(ws, dir) || '.'} && cargo build --workspace)`);
  const nx = (label) => timed(`nx ${label}`, [process.execPath, nxBin, ...nxArgs]);
  const nxUnbatched = () => timed('nx unbatched fresh', [process.execPath, nxBin, ...nxArgs.filter((a) => a !== '--batch')], { NX_BATCH_MODE: 'false' });
  const cargo = (label) => timed(`cargo ${label}`, ['sh', '-c', commands.join(' && ')]);
  const untimed = (argv) => execFileSync(argv[0], argv.slice(1), { cwd: ws, env, stdio: 'ignore' });
  say(`run-many vs cargo: the example's ${projects.length} crates (${projects.sort().join(', ')})`);
  say(`  nx:    nx ${nxArgs.join(' ')}   (NX_DAEMON=${daemon})`);
  say(`  cargo: ${commands.join(' && ')}`);

  // Warm-up: Nx's project graph and inference cache, the toolchain probes, the OS's file cache.
  clean();
  untimed([process.execPath, nxBin, ...nxArgs]);
  clean();
  untimed(['sh', '-c', commands.join(' && ')]);
  const nxClean = [];
  const cargoClean = [];
  for (let i = 0; i < rounds; i++) {
    const pair = [
      () => (clean(), nxClean.push(nx('clean'))),
      () => (clean(), cargoClean.push(cargo('clean'))),
    ];
    if (i % 2) pair.reverse();
    for (const run of pair) run();
    const load = others.slice(-2).map((o) => o.toFixed(2)).join(', ');
    say(`  round ${i + 1}: nx ${nxClean[i].toFixed(2)} s, cargo ${cargoClean[i].toFixed(2)} s (cores other processes took: ${load})`);
  }
  // Built target dirs: cargo finds everything fresh, so what is left is Nx's (and the plugin's) own time.
  const nxFresh = [];
  const cargoFresh = [];
  const unbatchedFresh = [];
  for (let i = 0; i < rounds; i++) {
    nxFresh.push(nx('fresh'));
    cargoFresh.push(cargo('fresh'));
    unbatchedFresh.push(nxUnbatched());
  }

  const result = {
    crates: projects.length,
    cargoWorkspaces: workspaces.map((d) => relative(ws, d) || '.'),
    nxCommand: `nx ${nxArgs.join(' ')}`,
    cargoCommand: commands.join(' && '),
    rounds,
    cleanSeconds: { nx: nxClean, cargo: cargoClean, nxMedian: median(nxClean), cargoMedian: median(cargoClean) },
    ratio: median(nxClean) / median(cargoClean),
    target: 1.05,
    daemon,
    freshSeconds: {
      nx: nxFresh,
      cargo: cargoFresh,
      nxUnbatched: unbatchedFresh,
      nxMedian: median(nxFresh),
      cargoMedian: median(cargoFresh),
      nxUnbatchedMedian: median(unbatchedFresh),
    },
    nxOwnSeconds: median(nxFresh) - median(cargoFresh),
    othersCores: { median: median(others), max: Math.max(...others) },
    cpuSeconds: Object.fromEntries([...cpu].map(([label, xs]) => [label, { runs: xs, median: median(xs) }])),
  };
  say(`clean build, medians of ${rounds} interleaved rounds: nx ${result.cleanSeconds.nxMedian.toFixed(2)} s, cargo ${result.cleanSeconds.cargoMedian.toFixed(2)} s`);
  say(`  nx / cargo = ${result.ratio.toFixed(3)} (target ≤ ${result.target})`);
  say(`nothing to build (target dirs built): nx ${result.freshSeconds.nxMedian.toFixed(2)} s, cargo ${result.freshSeconds.cargoMedian.toFixed(2)} s: Nx's own time ≈ ${result.nxOwnSeconds.toFixed(2)} s`);
  say(`  the same without --batch (one cargo per crate): nx ${result.freshSeconds.nxUnbatchedMedian.toFixed(2)} s`);
  const c = (label) => result.cpuSeconds[label].median.toFixed(2);
  say(`CPU seconds (own, with children), medians: clean nx ${c('nx clean')}, cargo ${c('cargo clean')}; nothing to build nx ${c('nx fresh')}, cargo ${c('cargo fresh')}, nx without --batch ${c('nx unbatched fresh')}`);
  say(`cores other processes took during the timed runs: median ${result.othersCores.median.toFixed(2)}, max ${result.othersCores.max.toFixed(2)}`);
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  if (daemon) {
    try {
      execFileSync(process.execPath, [nxBin, 'daemon', '--stop'], { cwd: ws, stdio: 'ignore' });
    } catch {
      // not running
    }
  }
  rmSync(ws, { recursive: true, force: true });
}
