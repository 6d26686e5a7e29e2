#!/usr/bin/env node
// Nx plugin overhead on a warm no-op: with `app` of the example already built,
// interleaved over rounds, median wall-clock seconds of
//   cargo   `cargo build -p app` (the floor),
//   nx      `nx run app:build --skip-nx-cache` in a plugin-free Nx workspace whose
//           one target is an nx:run-commands of that same cargo command (Nx's own cost),
//   plugin  `nx build app --skip-nx-cache` with the plugin (what a user runs).
//   node tools/bench/noop.mjs [--rounds 7] [--json out.json]
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nx, timed } from './lib/exec.mjs';
import { exampleWorkspace, repo } from './lib/workspaces.mjs';
import { summarize } from './lib/stats.cjs';

/** `ws`: a BenchWorkspace of the example at its base settings; `base`: a temp dir for the plugin-free workspace. */
export function benchNoop(ws, base, { rounds = 7, log } = {}) {
  const project = ws.project;
  const plain = join(base, 'noop-plain-nx');
  mkdirSync(join(plain, project), { recursive: true });
  writeFileSync(join(plain, 'nx.json'), JSON.stringify({ plugins: [] }));
  writeFileSync(join(plain, 'package.json'), JSON.stringify({ name: 'noop-plain', private: true }));
  const command = `cargo build -p ${project}`;
  writeFileSync(
    join(plain, project, 'project.json'),
    JSON.stringify({ name: project, targets: { build: { executor: 'nx:run-commands', options: { command, cwd: ws.cargoRoot } } } }),
  );
  symlinkSync(join(repo, 'node_modules'), join(plain, 'node_modules'), 'dir');

  const paths = {
    cargo: () => timed('cargo', ['build', '-p', project], { cwd: ws.cargoRoot, log }).seconds,
    nx: () => nx(plain, ['run', `${project}:build`, '--skip-nx-cache'], { log }).seconds,
    plugin: () => nx(ws, ['build', project, '--skip-nx-cache'], { log }).seconds,
  };
  ws.apply({});
  // Warm-up: the build itself, then each path once (Nx's graph caches, the toolchain probe).
  paths.plugin();
  for (const run of Object.values(paths)) run();
  const keys = Object.keys(paths);
  const times = Object.fromEntries(keys.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[(i + r) % keys.length];
      times[k].push(paths[k]());
    }
  }
  const s = Object.fromEntries(keys.map((k) => [k, summarize(times[k])]));
  return {
    project,
    rounds,
    ...s,
    pluginMinusCargo: s.plugin.median - s.cargo.median,
    nxMinusCargo: s.nx.median - s.cargo.median,
    pluginMinusNx: s.plugin.median - s.nx.median,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? fallback : process.argv[i + 1];
  };
  const base = mkdtempSync(join(tmpdir(), 'ft-bench-noop-'));
  try {
    const r = benchNoop(exampleWorkspace(base), base, { rounds: Number(arg('rounds', 7)), log: join(base, 'noop.log') });
    console.log(`warm no-op of \`${r.project}\`, ${r.rounds} interleaved rounds, medians:`);
    console.log(`  cargo build -p ${r.project}                     ${r.cargo.median.toFixed(2)} s`);
    console.log(`  nx, no plugin (run-commands of that cargo) ${r.nx.median.toFixed(2)} s`);
    console.log(`  nx build ${r.project} --skip-nx-cache (plugin)    ${r.plugin.median.toFixed(2)} s`);
    console.log(`  plugin − cargo ${r.pluginMinusCargo.toFixed(2)} s (target ≤ 0.3 s: ${r.pluginMinusCargo <= 0.3 ? 'met' : 'NOT met'}); Nx alone ${r.nxMinusCargo.toFixed(2)} s, the plugin over Nx ${r.pluginMinusNx.toFixed(2)} s`);
    const out = arg('json', undefined);
    if (out) writeFileSync(out, `${JSON.stringify(r, null, 2)}\n`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
