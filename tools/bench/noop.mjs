#!/usr/bin/env node
// Nx plugin overhead on a warm no-op: with `app` of the example already built,
// interleaved over rounds, median wall-clock seconds of
//   cargo     `cargo build -p app` (the floor),
//   nx        `nx run app:build --skip-nx-cache` in a plugin-free Nx workspace whose
//             one target is an nx:run-commands of that same cargo command (Nx's own cost;
//             Nx runs run-commands without a task process of its own),
//   executor  the same workspace, a local executor of three lines that spawns that cargo
//             (what Nx costs any plugin's executor: its task process),
//   plugin    `nx build app --skip-nx-cache` with the plugin (what a user runs),
// each with the Nx daemon (a user's default outside CI, warmed up first) and with
// NX_DAEMON=false (as in CI).
//   node tools/bench/noop.mjs [--rounds 7] [--json out.json]
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEnv, nx, timed } from './lib/exec.mjs';
import { exampleWorkspace, repo } from './lib/workspaces.mjs';
import { summarize } from './lib/stats.cjs';

/** A plugin-free Nx workspace with a run-commands target and a local executor, both running `command` in `cwd`. */
function plainWorkspace(dir, project, command, cwd) {
  mkdirSync(join(dir, project), { recursive: true });
  writeFileSync(join(dir, 'nx.json'), JSON.stringify({ plugins: [] }));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'noop-plain', private: true }));
  const exec = join(dir, 'tools', 'exec');
  mkdirSync(exec, { recursive: true });
  writeFileSync(join(exec, 'package.json'), JSON.stringify({ name: 'noop-exec', version: '0.0.0', executors: './executors.json' }));
  writeFileSync(join(exec, 'executors.json'), JSON.stringify({ executors: { run: { implementation: './run.js', schema: './schema.json', description: 'spawns a command' } } }));
  writeFileSync(join(exec, 'schema.json'), JSON.stringify({ type: 'object', properties: {} }));
  writeFileSync(
    join(exec, 'run.js'),
    `const { spawnSync } = require('node:child_process');\nmodule.exports = async () => ({ success: spawnSync('sh', ['-c', ${JSON.stringify(command)}], { cwd: ${JSON.stringify(cwd)}, stdio: 'inherit' }).status === 0 });\n`,
  );
  writeFileSync(
    join(dir, project, 'project.json'),
    JSON.stringify({
      name: project,
      targets: { build: { executor: 'nx:run-commands', options: { command, cwd } }, exec: { executor: './tools/exec:run' } },
    }),
  );
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

function measure(paths, rounds) {
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
    ...s,
    pluginMinusCargo: s.plugin.median - s.cargo.median,
    nxMinusCargo: s.nx.median - s.cargo.median,
    executorMinusNx: s.executor.median - s.nx.median,
    pluginMinusNx: s.plugin.median - s.nx.median,
    pluginMinusExecutor: s.plugin.median - s.executor.median,
  };
}

/** `ws`: a BenchWorkspace of the example at its base settings; `base`: a temp dir for the plugin-free workspace. */
export function benchNoop(ws, base, { rounds = 7, log } = {}) {
  const project = ws.project;
  const plain = join(base, 'noop-plain-nx');
  const command = `cargo build -p ${project}`;
  plainWorkspace(plain, project, command, ws.cargoRoot);
  ws.apply({});
  const runs = (daemon) => {
    const env = benchEnv({ NX_DAEMON: String(daemon) });
    return {
      cargo: () => timed('cargo', ['build', '-p', project], { cwd: ws.cargoRoot, log }).seconds,
      nx: () => nx(plain, ['run', `${project}:build`, '--skip-nx-cache'], { env, log }).seconds,
      executor: () => nx(plain, ['run', `${project}:exec`, '--skip-nx-cache'], { env, log }).seconds,
      plugin: () => nx(ws, ['build', project, '--skip-nx-cache'], { env, log }).seconds,
    };
  };
  const stopDaemons = () => {
    for (const dir of [plain, ws.root]) {
      try {
        nx(dir, ['daemon', '--stop'], { log });
      } catch {
        // not running
      }
    }
  };
  const results = {};
  try {
    for (const daemon of [false, true]) {
      const paths = runs(daemon);
      // Warm-up: the build itself, then each path twice (Nx's graph caches and daemon, the toolchain probe).
      paths.plugin();
      for (const run of [...Object.values(paths), ...Object.values(paths)]) run();
      results[daemon ? 'daemon' : 'noDaemon'] = measure(paths, rounds);
    }
  } finally {
    stopDaemons();
  }
  // The top-level figures are the daemon's: `nx build` as a user runs it outside CI.
  return { project, rounds, ...results.daemon, noDaemon: results.noDaemon };
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
    for (const [label, x] of [['Nx daemon', r], ['NX_DAEMON=false', r.noDaemon]]) {
      console.log(`  ${label}:`);
      console.log(`    cargo build -p ${r.project}                        ${x.cargo.median.toFixed(2)} s`);
      console.log(`    nx, no plugin (run-commands of that cargo)    ${x.nx.median.toFixed(2)} s`);
      console.log(`    nx, no plugin (a 3-line executor, the same)   ${x.executor.median.toFixed(2)} s`);
      console.log(`    nx build ${r.project} --skip-nx-cache (plugin)       ${x.plugin.median.toFixed(2)} s`);
      console.log(
        `    plugin − cargo ${x.pluginMinusCargo.toFixed(2)} s (target ≤ 0.3 s: ${x.pluginMinusCargo <= 0.3 ? 'met' : 'NOT met'}); Nx alone ${x.nxMinusCargo.toFixed(2)} s, ` +
          `Nx's task process for any executor ${x.executorMinusNx.toFixed(2)} s, the plugin over that ${x.pluginMinusExecutor.toFixed(2)} s`,
      );
    }
    const out = arg('json', undefined);
    if (out) writeFileSync(out, `${JSON.stringify(r, null, 2)}\n`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
