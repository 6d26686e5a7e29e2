#!/usr/bin/env node
// Front-end speed-up of single crates at 1 and 2 threads, each compiled ALONE (every other unit
// fresh), for the simulator's DEFAULT_CURVES (src/simulation/fit.ts). For each crate and setting,
// interleaved over rounds: `cargo clean -p <crate>`, then `cargo check --timings`, and the
// crate's front-end (until its .rmeta) from cargo's report.
//   settings: t1     -Zthreads absent, -j2
//             t2     -Zthreads=2, -j2          (a free token: the helper thread can run)
//             t2j1   -Zthreads=2, -j1          (no free token: the parallel front-end's overhead alone)
//             t1c1   no threads, -j1, taskset -c 0
//             t2c1   -Zthreads=2, -j2, taskset -c 0 (a token but one core)
//   node tools/bench/frontend-curve.mjs [--rounds 3] [--only heavy|seed] [--mode check|build] [--json out.json]
//                                       [--nice -19] [--max-wait seconds]
// Uses the built dist (npm run build) for the report parser. CARGO_INCREMENTAL=0.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyExample } from './lib/workspaces.mjs';
import { ownSessionWithNice, runMeasured, waitForQuiet } from './interference.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { parseTimingReport } = require(join(repo, 'packages/fine-threads/dist/recording/timings.js'));
const wrapper = join(repo, 'packages/fine-threads/bin/fine-threads-rustc');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const rounds = Number(arg('rounds', 3));
const only = arg('only', undefined);
const nice = arg('nice', undefined);
ownSessionWithNice(nice, (line) => console.error(line));
const maxWait = Number(arg('max-wait', nice === undefined ? 1800 : 0));
const attempts = nice === undefined ? 3 : 1;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// --mode build: the same in `cargo build`, which also gives each unit's back-end (codegen).
const mode = arg('mode', 'check');
const SETTINGS = {
  t1: { threads: 1, jobs: 2, taskset: false },
  t2: { threads: 2, jobs: 2, taskset: false },
  t2j1: { threads: 2, jobs: 1, taskset: false },
  t1c1: { threads: 1, jobs: 1, taskset: true },
  t2c1: { threads: 2, jobs: 2, taskset: true },
};

function run(cmd, args, opts) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  return r;
}

/** One measurement: the crate recompiled alone. Returns its front-end and whole span in seconds. */
function measure(cwd, targetDir, pkg, crate, setting) {
  const env = { ...process.env, CARGO_INCREMENTAL: '0', CARGO_TERM_COLOR: 'never' };
  if (setting.threads > 1) {
    Object.assign(env, {
      RUSTC_WRAPPER: wrapper,
      FINE_THREADS_TABLE: `${crate}=${setting.threads}`,
      FINE_THREADS_FLAG: '-Zthreads=',
      FINE_THREADS_BOOTSTRAP: '1',
    });
  }
  const cargo = ['cargo', mode, '--timings', `-j${setting.jobs}`, '--target-dir', targetDir];
  const argv = setting.taskset ? ['taskset', '-c', '0', ...cargo] : cargo;
  const cpu = setting.taskset ? 'cpu0' : 'cpu';
  let m;
  // The machine is shared: wait for a quiet spell, and measure again when others took > 0.3 cores.
  for (let attempt = 0; attempt < attempts; attempt++) {
    run('cargo', ['clean', '-p', pkg, '--target-dir', targetDir], { cwd, env });
    waitForQuiet({ max: 0.3, cpu, maxWait, say: (line) => console.error(line) });
    m = runMeasured(argv, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 }, cpu);
    if (m.result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${(m.result.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
    if (m.others <= 0.3) break;
  }
  const report = parseTimingReport(readFileSync(join(targetDir, 'cargo-timings', 'cargo-timing.html'), 'utf8'));
  const unit = report.units.find((u) => u.crateName === crate && u.kind === 'lib');
  if (!unit || unit.frontend === undefined) throw new Error(`${crate}: no front-end in the report`);
  return { frontend: unit.frontend, backend: unit.backend, span: unit.end - unit.start, concurrent: unit.concurrentDuringFrontend, wall: m.wall, others: m.others };
}

const tmp = mkdtempSync(join(tmpdir(), 'ft-curve-'));
const results = {};
try {
  const subjects = [];
  if (only !== 'seed') {
    const ws = join(tmp, 'example');
    copyExample(ws);
    subjects.push({ cwd: ws, targetDir: join(tmp, 'example-target'), pkg: 'heavy', crate: 'heavy' });
  }
  if (only !== 'heavy') {
    const seed = join(repo, 'tools', 'bench', 'seed-workload');
    const targetDir = join(tmp, 'seed-target');
    subjects.push({ cwd: seed, targetDir, pkg: 'cargo', crate: 'cargo' });
    subjects.push({ cwd: seed, targetDir, pkg: 'toml_edit', crate: 'toml_edit' });
  }
  const warmed = new Set();
  for (const s of subjects) {
    if (!warmed.has(s.targetDir)) {
      run('cargo', [mode, '--target-dir', s.targetDir], { cwd: s.cwd, env: { ...process.env, CARGO_INCREMENTAL: '0' } });
      warmed.add(s.targetDir);
    }
    const samples = Object.fromEntries(Object.keys(SETTINGS).map((k) => [k, []]));
    for (let round = 0; round < rounds; round++) {
      // Interleaved, in a rotating order, so a slow spell on the shared machine hits every setting.
      const names = Object.keys(SETTINGS);
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + round) % names.length];
        const m = measure(s.cwd, s.targetDir, s.pkg, s.crate, SETTINGS[name]);
        samples[name].push(m);
        console.error(`${s.crate} ${name} round ${round + 1}: front-end ${m.frontend.toFixed(2)} s (other units ${m.concurrent.toFixed(2)}; other processes ${m.others.toFixed(2)} cores)`);
      }
    }
    const fe = (name) => median(samples[name].map((m) => m.frontend));
    const be = (name) => median(samples[name].map((m) => m.backend));
    results[s.crate] = {
      frontend: Object.fromEntries(Object.keys(SETTINGS).map((k) => [k, fe(k)])),
      // factor(2 threads, a free token), factor(2 requested, no free token), relative to 1 thread.
      factorFree: fe('t2') / fe('t1'),
      factorNoToken: fe('t2j1') / fe('t1'),
      factorOneCore: fe('t2c1') / fe('t1c1'),
      backend: Object.fromEntries(Object.keys(SETTINGS).map((k) => [k, be(k)])),
      samples,
    };
    const r = results[s.crate];
    console.log(
      `${s.crate}: 1 thread ${fe('t1').toFixed(2)} s; 2 threads ${fe('t2').toFixed(2)} s (×${r.factorFree.toFixed(3)}); ` +
        `2 threads without a token ${fe('t2j1').toFixed(2)} s (×${r.factorNoToken.toFixed(3)}); ` +
        `one core: 1 thread ${fe('t1c1').toFixed(2)} s, 2 threads ${fe('t2c1').toFixed(2)} s (×${r.factorOneCore.toFixed(3)})`,
    );
    if (mode === 'build') {
      console.log(
        `${s.crate} back-end: 1 thread ${be('t1').toFixed(2)} s; 2 threads ${be('t2').toFixed(2)} s (×${(be('t2') / be('t1')).toFixed(3)}); ` +
          `without a token ${be('t2j1').toFixed(2)} s (×${(be('t2j1') / be('t1')).toFixed(3)}); one core ${be('t1c1').toFixed(2)} → ${be('t2c1').toFixed(2)} s (×${(be('t2c1') / be('t1c1')).toFixed(3)})`,
      );
    }
  }
  const load = readFileSync('/proc/loadavg', 'utf8').trim();
  console.log(`load average at the end: ${load}`);
  const out = arg('json', undefined);
  if (out) writeFileSync(out, `${JSON.stringify({ rounds, load, results }, null, 2)}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
