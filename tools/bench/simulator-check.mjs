#!/usr/bin/env node
// Checks the simulator against real builds. For each workload, mode (check, build) and jobserver
// size J (2, and 1 under `taskset -c 0`), it runs clean cargo builds with --timings:
//   baseline A   no threads: the record every prediction starts from
//   baseline B   the same again: measured, predicted from A (and A's own run-to-run noise)
//   global       every crate at 2 front-end threads (through the rustc wrapper, as fine-threads sets it)
//   tuned        chosen crates at 2 threads (heavy on the example; cargo and toml_edit on the seed's workload)
// and predicts B, global and tuned from A's record and cargo's unit graph. Curves: for global,
// fitted from A and tuned; for tuned, from A and global (a run never helps predict itself);
// crates with no threaded record use DEFAULT_CURVE. It also predicts the three configurations
// from A at 4, 8, 16 and 64 cores (tokens = cores).
//   node tools/bench/simulator-check.mjs [--quick] [--workload example|seed] [--modes check,build]
//                                        [--jobs 2,1] [--json out.json]
// --quick: the example only. Needs the built dist (npm run build). CARGO_INCREMENTAL=0.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const dist = join(repo, 'packages/fine-threads/dist');
const { parseTimingReport } = require(join(dist, 'recording/timings.js'));
const { buildRecord } = require(join(dist, 'recording/record.js'));
const { simulate } = require(join(dist, 'simulation/simulate.js'));
const { joinUnitGraph } = require(join(dist, 'simulation/graph.js'));
const { fitCurve, curveSamples, DEFAULT_CURVE } = require(join(dist, 'simulation/fit.js'));
const { loadUnitGraph } = require(join(dist, 'utils/unit-graph.js'));
const wrapper = join(repo, 'packages/fine-threads/bin/fine-threads-rustc');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const quick = process.argv.includes('--quick');
const modes = arg('modes', 'check,build').split(',');
const jobsList = arg('jobs', '2,1').split(',').map(Number);
const workloadNames = quick ? ['example'] : arg('workload', 'example,seed').split(',');
const SCALE_CORES = [4, 8, 16, 64];

const tmp = mkdtempSync(join(tmpdir(), 'ft-simcheck-'));
const load = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

function workload(name) {
  if (name === 'example') {
    const cwd = join(tmp, 'example');
    cpSync(join(repo, 'examples', 'mixed-workspace'), cwd, {
      recursive: true,
      filter: (src) => !/[/\\](target|node_modules|\.nx|dist|tmp)([/\\]|$)/.test(src),
    });
    return { name, cwd, cargoArgs: ['--workspace'], unitGraph: { workspace: true }, tuned: { heavy: 2 } };
  }
  if (name === 'seed') {
    return { name, cwd: join(repo, 'tools', 'bench', 'seed-workload'), cargoArgs: [], unitGraph: {}, tuned: { cargo: 2, toml_edit: 2 } };
  }
  throw new Error(`unknown workload ${name}`);
}

/** One clean cargo run with --timings; its record (as the recorder writes it) and wall time. */
function run(w, mode, jobs, threads) {
  const targetDir = join(tmp, `${w.name}-target`);
  rmSync(targetDir, { recursive: true, force: true });
  const env = { ...process.env, CARGO_INCREMENTAL: '0', CARGO_TERM_COLOR: 'never' };
  const table = Object.entries(threads).filter(([, n]) => n > 1);
  if (table.length) {
    Object.assign(env, {
      RUSTC_WRAPPER: wrapper,
      FINE_THREADS_TABLE: table.map(([c, n]) => `${c}=${n}`).join(' '),
      FINE_THREADS_FLAG: '-Zthreads=',
      FINE_THREADS_BOOTSTRAP: '1',
    });
  }
  const cargo = ['cargo', mode, '--timings', `-j${jobs}`, '--target-dir', targetDir, ...w.cargoArgs];
  const argv = jobs === 1 ? ['taskset', '-c', '0', ...cargo] : cargo;
  const loadBefore = load();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: w.cwd, env, encoding: 'utf8', maxBuffer: 256 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  const report = parseTimingReport(readFileSync(join(targetDir, 'cargo-timings', 'cargo-timing.html'), 'utf8'));
  const record = buildRecord(
    report,
    { at: new Date(), project: w.name, cargoWorkspace: '.', mode, profile: 'dev', toolchain: 'stable', cores: jobs === 1 ? 1 : 2, success: true, threads: new Map(table) },
    [],
  );
  // cargo's -j as it ran (the report's header says so too).
  record.jobs = jobs;
  return { record, wall, load: (loadBefore + load()) / 2 };
}

/** Curves for crates these records hold at 1 and at more threads. */
function curvesFrom(records) {
  const curves = {};
  for (const [crate, list] of curveSamples(records)) {
    if (list.some((s) => s.threads > 1) && list.some((s) => s.threads === 1)) curves[crate] = fitCurve(list);
  }
  return curves;
}

const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
const results = [];
const scaling = [];
try {
  for (const name of workloadNames) {
    const w = workload(name);
    for (const mode of modes) {
      const ug = loadUnitGraph({ cwd: w.cwd, mode, ...w.unitGraph });
      const crates = [...new Set(ug.units.filter((u) => u.target.kind[0] !== 'custom-build').map((u) => u.target.name.replace(/-/g, '_')))];
      const configs = { baseline: {}, global: Object.fromEntries(crates.map((c) => [c, 2])), tuned: w.tuned };
      for (const jobs of jobsList) {
        const cores = jobs === 1 ? 1 : 2;
        console.error(`${name} ${mode} J=${jobs}: running baseline A, global, tuned, baseline B ...`);
        const A = run(w, mode, jobs, configs.baseline);
        const measured = { global: run(w, mode, jobs, configs.global), tuned: run(w, mode, jobs, configs.tuned), baseline: run(w, mode, jobs, configs.baseline) };
        const startup = Math.min(...A.record.units.map((u) => u.start));
        const predict = (config, curves, tokens = jobs, simCores = cores) => {
          const graph = joinUnitGraph(ug, A.record.units, {}, DEFAULT_CURVE, { tokens: jobs, cores, startup });
          return simulate(graph, { tokens, cores: simCores, threads: configs[config], curves, defaultCurve: DEFAULT_CURVE });
        };
        const fitted = {
          baseline: {},
          global: curvesFrom([A.record, measured.tuned.record]),
          tuned: curvesFrom([A.record, measured.global.record]),
        };
        const fittedFrom = { baseline: '-', global: 'A + tuned', tuned: 'A + global' };
        const leftOut = joinUnitGraph(ug, A.record.units, {}, DEFAULT_CURVE).leftOut ?? [];
        for (const config of ['baseline', 'global', 'tuned']) {
          const m = measured[config];
          const p = predict(config, fitted[config]);
          const row = {
            workload: name,
            mode,
            jobs,
            config,
            measured: m.record.duration,
            wall: Number(m.wall.toFixed(2)),
            predicted: Number(p.makespan.toFixed(2)),
            error: (p.makespan - m.record.duration) / m.record.duration,
            load: Number(m.load.toFixed(2)),
            curves: Object.fromEntries(Object.entries(fitted[config]).map(([c, k]) => [c, { parallel: k.parallel, overhead: k.overhead }])),
            fittedFrom: fittedFrom[config],
          };
          results.push(row);
          console.log(
            `${name.padEnd(7)} ${mode.padEnd(5)} J=${jobs} ${config.padEnd(8)} measured ${row.measured.toFixed(2).padStart(7)} s  predicted ${row.predicted.toFixed(2).padStart(7)} s  ${pct(row.error).padStart(8)}  (load ${row.load}; curves fitted from ${row.fittedFrom}: ${Object.entries(row.curves).map(([c, k]) => `${c} p=${k.parallel} o=${k.overhead}`).join(', ') || 'none'})`,
          );
        }
        console.log(`        A measured ${A.record.duration.toFixed(2)} s (baseline B vs A: ${pct((measured.baseline.record.duration - A.record.duration) / A.record.duration)}); recorded units not in the unit graph: ${leftOut.length}`);
        if (jobs === 2) {
          for (const c of SCALE_CORES) {
            const row = { workload: name, mode, cores: c };
            for (const config of ['baseline', 'global', 'tuned']) {
              const curves = { ...fitted.global, ...fitted.tuned };
              row[config] = Number(predict(config, curves, c, c).makespan.toFixed(2));
            }
            scaling.push(row);
          }
        }
      }
    }
  }
  if (scaling.length) {
    console.log('\npredicted makespan (s) at more cores, from the J=2 baseline record (tokens = cores):');
    for (const r of scaling) console.log(`  ${r.workload.padEnd(7)} ${r.mode.padEnd(5)} ${String(r.cores).padStart(2)} cores: baseline ${r.baseline}, global ${r.global}, tuned ${r.tuned}`);
  }
  const worst = Math.max(...results.map((r) => Math.abs(r.error)));
  console.log(`\nworst |error| ${(worst * 100).toFixed(1)} % over ${results.length} predictions (target ≤ 10 %); load average now ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const out = arg('json', undefined);
  if (out) writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), defaultCurve: DEFAULT_CURVE, results, scaling }, null, 2)}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
