#!/usr/bin/env node
// Checks the simulator against real builds. For each workload, mode (check, build) and jobserver
// size J (2, and 1 under `taskset -c 0`), it runs clean cargo builds with --timings:
//   baseline A   no threads: the record every prediction starts from
//   baseline B   the same again: measured, predicted from A (and A's own run-to-run noise)
//   global       every crate at 2 front-end threads (through the rustc wrapper, as fine-threads sets it)
//   tuned        chosen crates at 2 threads (heavy on the example; cargo and toml_edit on the seed's workload)
// and predicts B, global and tuned from A's record and cargo's unit graph. Curves: for global,
// fitted from A and tuned; for tuned, from A and global (a run never helps predict itself);
// crates with no threaded record use the mode's default curve (DEFAULT_CURVES). It also predicts the three configurations
// from A at 4, 8, 16 and 64 cores (tokens = cores).
//   node tools/bench/simulator-check.mjs [--quick] [--workload example|seed] [--modes check,build]
//                                        [--jobs 2,1] [--rounds 1] [--json out.json] [--replay earlier.json]
//                                        [--resume interrupted.json]
// --rounds N repeats every series N times and compares the medians (the machine's noise is large).
// Each row also says how slow the machine ran against A (units unthreaded in both) and the error
// had the prediction run that slow: a diagnosis of noise, not a correction of the result.
// --json also saves the runs (records, unit graphs); --replay predicts them again without building.
// --quick: the example only. Needs the built dist (npm run build). CARGO_INCREMENTAL=0.
// Shared machine: each run waits until other processes use <= --max-others cores (0.3), and is
// repeated (--retries, 2) when they took more meanwhile; every row says how much they took.
// --nice -19 (root) runs it in its own session at that autogroup nice, above the other sessions'
// load (interference.mjs); --max-wait caps each wait for a quiet spell (s).
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
const dist = join(repo, 'packages/fine-threads/dist');
const { parseTimingReport } = require(join(dist, 'recording/timings.js'));
const { buildRecord } = require(join(dist, 'recording/record.js'));
const { simulate } = require(join(dist, 'simulation/simulate.js'));
const { joinUnitGraph } = require(join(dist, 'simulation/graph.js'));
const { fitCurve, curveSamples, defaultCurve, DEFAULT_CURVES } = require(join(dist, 'simulation/fit.js'));
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


function workload(name) {
  if (name === 'example') {
    const cwd = join(tmp, 'example');
    copyExample(cwd);
    return { name, cwd, cargoArgs: ['--workspace'], unitGraph: { workspace: true }, tuned: { heavy: 2 } };
  }
  if (name === 'seed') {
    return { name, cwd: join(repo, 'tools', 'bench', 'seed-workload'), cargoArgs: [], unitGraph: {}, tuned: { cargo: 2, toml_edit: 2 } };
  }
  throw new Error(`unknown workload ${name}`);
}

const nice = arg('nice', undefined);
// Under --nice the other sessions get a core only when the build leaves it idle, so what they
// take says little about the build: no waiting and no repeats unless asked for.
const maxOthers = Number(arg('max-others', 0.3));
const retries = Number(arg('retries', nice === undefined ? 2 : 0));
const maxWait = Number(arg('max-wait', nice === undefined ? 1800 : 0));
ownSessionWithNice(nice, (line) => console.error(line));
const tmp = mkdtempSync(join(tmpdir(), 'ft-simcheck-'));

/**
 * One clean cargo run with --timings; its record (as the recorder writes it), wall time, and the
 * cores other processes took meanwhile. The machine is shared: each run waits for a quiet spell
 * and is run again (up to --retries times) when others took more than --max-others cores.
 */
function run(w, mode, jobs, threads) {
  const targetDir = join(tmp, `${w.name}-target`);
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
  const cpu = jobs === 1 ? 'cpu0' : 'cpu';
  let measured;
  for (let attempt = 0; attempt <= retries; attempt++) {
    rmSync(targetDir, { recursive: true, force: true });
    waitForQuiet({ max: maxOthers, cpu, maxWait, say: (line) => console.error(line) });
    measured = runMeasured(argv, { cwd: w.cwd, env, encoding: 'utf8', maxBuffer: 256 << 20 }, cpu);
    const r = measured.result;
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
    if (measured.others <= maxOthers) break;
    console.error(`  others took ${measured.others.toFixed(2)} cores during the run${attempt < retries ? ': again' : ': kept, marked noisy'}`);
  }
  const report = parseTimingReport(readFileSync(join(targetDir, 'cargo-timings', 'cargo-timing.html'), 'utf8'));
  const record = buildRecord(
    report,
    { at: new Date(), project: w.name, cargoWorkspace: '.', mode, profile: 'dev', toolchain: 'stable', cores: jobs === 1 ? 1 : 2, success: true, threads: new Map(table) },
    [],
  );
  // cargo's -j as it ran (the report's header says so too).
  record.jobs = jobs;
  return { record, wall: measured.wall, cpu: measured.own, others: measured.others };
}

/** Curves for crates these records hold at 1 and at more threads (records of one mode). */
function curvesFrom(records) {
  const curves = {};
  for (const [crate, list] of curveSamples(records)) {
    if (list.some((s) => s.threads > 1) && list.some((s) => s.threads === 1)) curves[crate] = fitCurve(list, defaultCurve(records[0]?.mode ?? 'build'));
  }
  return curves;
}

const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

/** Every clean run one workload, mode and J needs, with cargo's unit graph. */
function measure(w, mode, jobs) {
  const unitGraph = loadUnitGraph({ cwd: w.cwd, mode, ...w.unitGraph });
  const crates = [...new Set(unitGraph.units.filter((u) => u.target.kind[0] !== 'custom-build').map((u) => u.target.name.replace(/-/g, '_')))];
  const configs = { baseline: {}, global: Object.fromEntries(crates.map((c) => [c, 2])), tuned: w.tuned };
  console.error(`${w.name} ${mode} J=${jobs}: running baseline A, global, tuned, baseline B ...`);
  const A = run(w, mode, jobs, configs.baseline);
  const global = run(w, mode, jobs, configs.global);
  const tuned = run(w, mode, jobs, configs.tuned);
  const baseline = run(w, mode, jobs, configs.baseline);
  return { workload: w.name, mode, jobs, cores: jobs === 1 ? 1 : 2, configs, unitGraph, A, measured: { baseline, global, tuned } };
}

/**
 * How slow the machine was during a run, against A: the summed spans of the units that ran
 * unthreaded in both, over the same in A. At J <= cores their spans depend on nothing the
 * configuration changes, only on the machine (this VM's speed drifts by ±30 % with its host's
 * load). Duplicated keys pair in order.
 */
function slowness(run, A) {
  const key = (u) => `${u.package} ${u.version} ${u.kind} ${u.crate}`;
  const ofA = new Map();
  for (const u of A.record.units) if (u.threads === 1) ofA.set(key(u), [...(ofA.get(key(u)) ?? []), u]);
  let here = 0;
  let there = 0;
  for (const u of run.record.units) {
    const twin = u.threads === 1 ? ofA.get(key(u))?.shift() : undefined;
    if (!twin) continue;
    here += u.end - u.start;
    there += twin.end - twin.start;
  }
  return { ratio: there > 0 ? here / there : 1, basis: there };
}

/** Predicts B, global and tuned from A; and the three at more cores. */
function predictAll(m, results, scaling) {
  const { workload: name, mode, jobs, cores, configs, unitGraph: ug, A, measured } = m;
  const startup = Math.min(...A.record.units.map((u) => u.start));
  const graph = joinUnitGraph(ug, A.record.units, {}, defaultCurve(mode), { tokens: jobs, cores, startup });
  const predict = (config, curves, tokens = jobs, simCores = cores) =>
    simulate(graph, { tokens, cores: simCores, threads: configs[config], curves, defaultCurve: defaultCurve(mode) });
  const fitted = {
    baseline: {},
    global: curvesFrom([A.record, measured.tuned.record]),
    tuned: curvesFrom([A.record, measured.global.record]),
  };
  const fittedFrom = { baseline: '-', global: 'A + tuned', tuned: 'A + global' };
  for (const config of ['baseline', 'global', 'tuned']) {
    const run = measured[config];
    const p = predict(config, fitted[config]);
    const row = {
      workload: name,
      round: m.round ?? 1,
      mode,
      jobs,
      config,
      measured: run.record.duration,
      wall: Number(run.wall.toFixed(2)),
      predicted: Number(p.makespan.toFixed(2)),
      error: (p.makespan - run.record.duration) / run.record.duration,
      others: Number(run.others.toFixed(2)),
      cpu: Number(run.cpu.toFixed(1)),
      // The prediction had the machine run as slow as it did in this run (a diagnosis, not the result).
      slowness: Number(slowness(run, A).ratio.toFixed(3)),
      /** Seconds of A's units the slowness is read from: a few seconds of build scripts say little. */
      slownessBasis: Number(slowness(run, A).basis.toFixed(1)),
      adjustedError: (p.makespan * slowness(run, A).ratio - run.record.duration) / run.record.duration,
      curves: Object.fromEntries(Object.entries(fitted[config]).map(([c, k]) => [c, { parallel: k.parallel, overhead: k.overhead }])),
      fittedFrom: fittedFrom[config],
    };
    results.push(row);
    const curveText = Object.entries(row.curves).map(([c, k]) => `${c} p=${k.parallel} o=${k.overhead}`).join(', ') || 'none';
    console.log(
      `${name.padEnd(7)} ${mode.padEnd(5)} J=${jobs} ${config.padEnd(8)} measured ${row.measured.toFixed(2).padStart(7)} s  predicted ${row.predicted.toFixed(2).padStart(7)} s  ${pct(row.error).padStart(8)}  (machine ×${row.slowness.toFixed(2)} vs A over ${row.slownessBasis} s of units: ${pct(row.adjustedError)}; others ${row.others} cores; curves from ${row.fittedFrom}: ${curveText})`,
    );
  }
  console.log(
    `        A measured ${A.record.duration.toFixed(2)} s (others ${A.others.toFixed(2)} cores; baseline B vs A ${pct((measured.baseline.record.duration - A.record.duration) / A.record.duration)}); recorded units not in the unit graph: ${(graph.leftOut ?? []).length}`,
  );
  if (jobs === 2) {
    for (const c of SCALE_CORES) {
      const row = { workload: name, mode, cores: c };
      for (const config of ['baseline', 'global', 'tuned']) row[config] = Number(predict(config, { ...fitted.global, ...fitted.tuned }, c, c).makespan.toFixed(2));
      scaling.push(row);
    }
  }
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const rounds = Number(arg('rounds', 1));
const out = arg('json', undefined);
const results = [];
const scaling = [];
const replay = arg('replay', undefined);
let runs = [];
// The runs (records and unit graphs) go along, so that --replay can predict them again.
const save = (summary = []) =>
  out && writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), defaultCurves: DEFAULT_CURVES, summary, results, scaling, runs }, null, 1)}\n`);
try {
  if (replay) {
    runs = JSON.parse(readFileSync(replay, 'utf8')).runs;
    for (const m of runs) predictAll(m, results, scaling);
  } else {
    const workloads = workloadNames.map(workload);
    // --resume: the series an interrupted run saved are kept, and predicted again.
    const resume = arg('resume', undefined);
    if (resume) runs = JSON.parse(readFileSync(resume, 'utf8')).runs;
    const done = new Set(runs.map((m) => `${m.workload} ${m.mode} ${m.jobs} ${m.round ?? 1}`));
    for (const m of runs) predictAll(m, results, scaling);
    // Rounds outermost: a slow spell of the shared machine then hits one round of everything.
    for (let round = 1; round <= rounds; round++) {
      for (const w of workloads) {
        for (const mode of modes) {
          for (const jobs of jobsList) {
            if (done.has(`${w.name} ${mode} ${jobs} ${round}`)) continue;
            const m = { ...measure(w, mode, jobs), round };
            runs.push(m);
            predictAll(m, results, scaling);
            save();
          }
        }
      }
    }
  }
  // Over rounds: the median measured against the median predicted, per configuration.
  const groups = new Map();
  for (const r of results) {
    const key = `${r.workload} ${r.mode} ${r.jobs} ${r.config}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const summary = [...groups.values()].map((rows) => {
    const measured = median(rows.map((r) => r.measured));
    const predicted = median(rows.map((r) => r.predicted));
    return {
      workload: rows[0].workload,
      mode: rows[0].mode,
      jobs: rows[0].jobs,
      config: rows[0].config,
      rounds: rows.length,
      measured: Number(measured.toFixed(2)),
      measuredRange: [Math.min(...rows.map((r) => r.measured)), Math.max(...rows.map((r) => r.measured))],
      predicted: Number(predicted.toFixed(2)),
      error: (predicted - measured) / measured,
      others: Number(median(rows.map((r) => r.others)).toFixed(2)),
      slowness: Number(median(rows.map((r) => r.slowness)).toFixed(3)),
      slownessBasis: Number(median(rows.map((r) => r.slownessBasis)).toFixed(1)),
      adjustedError: median(rows.map((r) => r.adjustedError)),
    };
  });
  console.log(`\nmedians over ${rounds} round(s) (predicted from each round's own baseline A):`);
  for (const r of summary) {
    console.log(
      `  ${r.workload.padEnd(7)} ${r.mode.padEnd(5)} J=${r.jobs} ${r.config.padEnd(8)} measured ${r.measured.toFixed(2).padStart(7)} s (${r.measuredRange.map((x) => x.toFixed(1)).join('–')})  predicted ${r.predicted.toFixed(2).padStart(7)} s  ${pct(r.error).padStart(8)}   machine ×${r.slowness.toFixed(2)} vs A (${r.slownessBasis} s of units), adjusted ${pct(r.adjustedError)}`,
    );
  }
  if (scaling.length) {
    console.log('\npredicted makespan (s) at more cores, from the J=2 baseline records (tokens = cores; medians over rounds):');
    const byKey = new Map();
    for (const r of scaling) {
      const key = `${r.workload} ${r.mode} ${r.cores}`;
      byKey.set(key, [...(byKey.get(key) ?? []), r]);
    }
    for (const rows of byKey.values()) {
      const m = (config) => median(rows.map((r) => r[config])).toFixed(1);
      console.log(`  ${rows[0].workload.padEnd(7)} ${rows[0].mode.padEnd(5)} ${String(rows[0].cores).padStart(2)} cores: baseline ${m('baseline')}, global ${m('global')}, tuned ${m('tuned')}`);
    }
  }
  const worst = Math.max(...summary.map((r) => Math.abs(r.error)));
  const worstAdjusted = Math.max(...summary.map((r) => Math.abs(r.adjustedError)));
  console.log(`\nworst |error| of the medians ${(worst * 100).toFixed(1)} % over ${summary.length} configurations (target ≤ 10 %); adjusted for the machine's speed ${(worstAdjusted * 100).toFixed(1)} %; load average now ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  save(summary);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
