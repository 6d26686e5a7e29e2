#!/usr/bin/env node
// Inference overhead: warm `nx show projects` on a generated workspace of N crates
// (default 200) plus one TS package, with the plugin registered and without it,
// interleaved over rounds in one run. Prints medians and the difference.
//   node tools/bench/inference.mjs [--crates 200] [--rounds 5] [--json out.json]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const nxBin = join(repo, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const crates = Number(arg('crates', 200));
const rounds = Number(arg('rounds', 5));

function write(root, rel, text) {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

/** A Cargo workspace of `n` crates; crate i depends on up to three earlier crates. */
export function generateWorkspace(root, n, withPlugin) {
  write(root, 'nx.json', JSON.stringify({ plugins: withPlugin ? ['fine-threads'] : [] }));
  write(root, 'package.json', JSON.stringify({ name: 'gen', private: true, workspaces: ['packages/*'] }));
  write(root, '.gitignore', 'target/\n.nx/\nnode_modules/\n');
  write(root, 'packages/web/package.json', JSON.stringify({ name: '@gen/web', dependencies: { c0: '*' } }));
  write(root, 'Cargo.toml', '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n');
  for (let i = 0; i < n; i++) {
    const deps = [i - 1, Math.floor(i / 2), Math.floor(i / 7)].filter((d, k, a) => d >= 0 && d < i && a.indexOf(d) === k);
    const depLines = deps.map((d) => `c${d} = { path = "../c${d}" }`).join('\n');
    write(root, `crates/c${i}/Cargo.toml`, `[package]\nname = "c${i}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n${depLines}\n`);
    write(root, `crates/c${i}/src/lib.rs`, `pub fn f${i}() -> u32 { ${i} }\n`);
  }
  symlinkSync(join(repo, 'node_modules'), join(root, 'node_modules'), 'dir');
}

function timeShowProjects(root) {
  const start = process.hrtime.bigint();
  const out = execFileSync(process.execPath, [nxBin, 'show', 'projects'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, projects: out.trim().split('\n').length };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function benchInference(n = crates, r = rounds) {
  const base = mkdtempSync(join(tmpdir(), 'ft-bench-inf-'));
  const withDir = join(base, 'with');
  const withoutDir = join(base, 'without');
  try {
    generateWorkspace(withDir, n, true);
    generateWorkspace(withoutDir, n, false);
    // Warm-up: the first run with the plugin runs cargo metadata and fills its cache.
    const cold = timeShowProjects(withDir);
    timeShowProjects(withoutDir);
    const withTimes = [];
    const withoutTimes = [];
    for (let i = 0; i < r; i++) {
      const a = timeShowProjects(withDir);
      const b = timeShowProjects(withoutDir);
      if (a.projects !== n + 1) throw new Error(`expected ${n + 1} projects with the plugin, got ${a.projects}`);
      withTimes.push(a.seconds);
      withoutTimes.push(b.seconds);
    }
    return {
      crates: n,
      rounds: r,
      coldWithPluginSeconds: cold.seconds,
      warmWithPlugin: { min: Math.min(...withTimes), median: median(withTimes), max: Math.max(...withTimes) },
      warmWithoutPlugin: { min: Math.min(...withoutTimes), median: median(withoutTimes), max: Math.max(...withoutTimes) },
      addedSeconds: median(withTimes) - median(withoutTimes),
    };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = benchInference();
  console.log(`inference, ${result.crates} crates, ${result.rounds} interleaved rounds (nx show projects, NX_DAEMON=false):`);
  console.log(`  cold, with plugin (runs cargo metadata):   ${result.coldWithPluginSeconds.toFixed(2)} s`);
  console.log(`  warm, with plugin     median ${result.warmWithPlugin.median.toFixed(2)} s`);
  console.log(`  warm, without plugin  median ${result.warmWithoutPlugin.median.toFixed(2)} s`);
  console.log(`  added by the plugin:  ${result.addedSeconds.toFixed(2)} s (target < 1 s: ${result.addedSeconds < 1 ? 'met' : 'NOT met'})`);
  const out = arg('json', undefined);
  if (out) writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
}
