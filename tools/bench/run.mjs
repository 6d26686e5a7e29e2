#!/usr/bin/env node
// The benchmark of fine-threads (npm run bench): the bundled example and the
// seed's workload, each an Nx workspace in a temp dir, built through the
// plugin the way a user runs it, every row from a clean target dir,
// interleaved over rounds; then the smaller benches (wrapper, no-op, inference,
// run-many, simulator). Writes bench-results.json and BENCHMARKS.md.
//   npm run bench                    full: both workloads, 8 paired rounds of check and 5 of build
//   npm run bench -- --quick         the example, 1 round, the cheap benches (< 10 min)
//   options: --rounds N (every mode), --only example|seed, --keep (keep the temp dir), --no-setup,
//            --reuse-micro FILE (take the smaller benches' results from an earlier run's JSON, said so)
// Each round runs every row once, rotated so the order alternates; a row's ratio to baseline is
// the median of its per-round ratios (paired), with a bootstrap 95 % interval. A round in which
// any run had other work beside it (more than LOAD_LIMIT cores) is run again after the machine
// is quiet, up to twice; the runs it replaced are kept in the results, marked.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { clearedFromCaller } from './lib/exec.mjs';
import { fileJsonBench, stdoutJsonBench } from './lib/external.mjs';
import { craneliftReason, load, machine } from './lib/machine.mjs';
import { replaceGenerated } from './lib/markdown.cjs';
import { consoleSummary, evaluateTargets, figureData, MODES, renderMarkdown } from './lib/report.cjs';
import { waitForQuiet } from './interference.mjs';
import { prepareRow, reportTune, rotate, rowsFor, rowsNotRun, runRow, SEED_CRANELIFT_ROWS, tuneRow } from './lib/rows.mjs';
import { pairedRatios, ratios, summarize } from './lib/stats.cjs';
import { ensureDebianCargo, exampleWorkspace, lockedPackages, repo, seedWorkspace } from './lib/workspaces.mjs';
import { benchNoop } from './noop.mjs';

const argv = process.argv.slice(2);
const has = (flag) => argv.includes(flag);
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? fallback : argv[i + 1];
};
const quick = has('--quick');
// Paired rounds per mode: the seed's check gain is a few percent, its build's about none; 8 and 5
// rounds give intervals narrow enough to tell on this VM (run-to-run spread up to ~20 %).
const ROUNDS = quick ? { check: 1, build: 1 } : { check: 8, build: 5 };
if (arg('rounds', undefined) !== undefined) for (const m of Object.keys(ROUNDS)) ROUNDS[m] = Number(arg('rounds'));
const rounds = Math.max(...Object.values(ROUNDS));
/** Cores of other work (and steal) above which a round is run again. */
const LOAD_LIMIT = 0.25;
const MAX_REPEATS = 2;
const only = arg('only', undefined);
const workloadIds = quick ? ['example'] : only ? only.split(',') : ['example', 'seed'];
const PREDICT_CORES = [4, 8, 16, 64];
const say = (msg) => console.log(`[bench] ${msg}`);
const elapsed = (t0) => `${((Date.now() - t0) / 60000).toFixed(1)} min`;

/** Every row of one workload, both modes, interleaved over rounds; then medians and ratios. */
function benchWorkload(ws, { log, out }) {
  say(`${ws.id}: ${ws.description}, ${lockedPackages(ws) ?? '?'} packages in Cargo.lock, Nx workspace ${ws.root}`);
  prepareRow(ws, { id: 'baseline' }, log);
  // A recorded baseline per mode, untimed: warms the machine and gives the tuner its records.
  const warm = {};
  for (const mode of MODES) {
    process.stdout.write(`[bench] ${ws.id} ${mode}: warm-up, recorded baseline for the tuner … `);
    warm[mode] = runRow(ws, { id: 'baseline' }, mode, log).seconds;
    console.log(`${warm[mode].toFixed(1)} s`);
  }
  const tune = {};
  for (const mode of MODES) {
    tune[mode] = tuneRow(ws, mode, { log, predictCores: quick ? [] : PREDICT_CORES });
    say(`${ws.id} ${mode}: tuned row: ${tune[mode].available ? `table ${JSON.stringify(tune[mode].table)}` : `not available: ${tune[mode].reason}`}`);
  }
  const cores = availableParallelism();
  const rows = Object.fromEntries(MODES.map((mode) => [mode, rowsFor(ws, mode, tune[mode], { quick, cores })]));
  const estimate = MODES.reduce((s, mode) => s + warm[mode] * rows[mode].length * ROUNDS[mode], 0);
  say(`${ws.id}: ${MODES.map((m) => `${ROUNDS[m]} round(s) of ${rows[m].length} ${m} rows`).join(' and ')}, about ${Math.ceil(estimate / 60)} min`);
  const data = Object.fromEntries(MODES.map((mode) => [mode, Object.fromEntries(rows[mode].map((r) => [r.id, []]))]));
  const discarded = Object.fromEntries(MODES.map((mode) => [mode, []]));
  const busy = (run) => (run.load ? run.load.others + run.load.steal : 0);
  for (const mode of MODES) {
    for (let r = 0; r < ROUNDS[mode]; r++) {
      for (let attempt = 0; ; attempt++) {
        const round = [];
        for (const row of rotate(rows[mode], r)) {
          process.stdout.write(`[bench] ${ws.id} ${mode}, round ${r + 1}/${ROUNDS[mode]}${attempt ? ` (again, ${attempt})` : ''}: ${row.id.padEnd(10)} … `);
          const run = { ...runRow(ws, row, mode, log), round: r };
          round.push({ id: row.id, run });
          const load = run.load ? `, others ${run.load.others.toFixed(2)} steal ${run.load.steal.toFixed(2)} cores` : '';
          console.log(`${run.seconds.toFixed(1)} s${run.cargoSeconds !== undefined ? ` (cargo ${run.cargoSeconds.toFixed(1)} s)` : ''}${load}`);
        }
        const loaded = round.filter(({ run }) => busy(run) > LOAD_LIMIT);
        if (loaded.length === 0 || attempt >= MAX_REPEATS) {
          for (const { id, run } of round) data[mode][id].push({ ...run, ...(loaded.length ? { loaded: true } : {}) });
          if (loaded.length) say(`  round ${r + 1} kept after ${MAX_REPEATS} repeats though ${loaded.map((x) => x.id).join(', ')} ran beside other work`);
          break;
        }
        for (const { id, run } of round) discarded[mode].push({ row: id, round: r, seconds: run.seconds, load: run.load });
        say(`  ${loaded.map((x) => `${x.id} (${busy(x.run).toFixed(2)} cores)`).join(', ')} ran beside other work: waiting for a quiet machine, then the round again`);
        waitForQuiet({ max: LOAD_LIMIT, maxWait: 600, say });
      }
    }
  }
  // The tune's report on every record: the seed-style figure, predicted vs measured, bigger machines.
  const report = {};
  for (const mode of MODES) {
    const file = join(out.reports, `${ws.id}-${mode}.html`);
    report[mode] = reportTune(ws, mode, { log, reportFile: file });
    if (!report[mode].available) {
      say(`${ws.id} ${mode}: tune report not available: ${report[mode].reason}`);
      continue;
    }
    const png = join(out.figures, `${ws.id}-${mode}.png`);
    const r = spawnSync(process.execPath, [join(repo, 'tools', 'bench', 'lib', 'figure-png.mjs'), file, png], { encoding: 'utf8' });
    if (r.status === 0) report[mode].figure = relative(out.md, png);
    else report[mode].figureError = (r.stderr || `exit ${r.status}`).trim().split('\n')[0];
    report[mode].file = relative(repo, file);
    say(`${ws.id} ${mode}: tune report ${report[mode].file}${report[mode].figure ? `, figure ${relative(repo, png)}` : ` (no figure: ${report[mode].figureError})`}`);
  }
  ws.apply({});
  const modes = {};
  for (const mode of MODES) {
    const out = { rounds: ROUNDS[mode], rows: {}, ratios: {}, paired: {}, notRun: rowsNotRun(mode, { quick, cores }), discarded: discarded[mode], figure: [] };
    const unitsByRow = {};
    for (const row of rows[mode]) {
      const runs = data[mode][row.id];
      const cargo = runs.map((x) => x.cargoSeconds).filter((x) => x !== undefined);
      out.rows[row.id] = {
        how: row.how,
        ...summarize(runs.map((x) => x.seconds)),
        runs: runs.map((x) => ({ round: x.round, seconds: +x.seconds.toFixed(3), ...(x.load ? { others: x.load.others, steal: x.load.steal } : {}), ...(x.loaded ? { loaded: true } : {}) })),
        ...(cargo.length === runs.length ? { cargoSeconds: summarize(cargo) } : {}),
      };
      if (row.env) out.rows[row.id].env = row.env;
      const units = runs.map((x) => x.units).filter(Boolean);
      if (units.length) unitsByRow[row.id] = units;
    }
    if (!tune[mode].available) out.notRun.tuned = tune[mode].reason;
    out.ratios = ratios(Object.fromEntries(Object.entries(out.rows).map(([id, r]) => [id, r.median])));
    out.paired = pairedRatios(Object.fromEntries(Object.entries(out.rows).map(([id, r]) => [id, r.runs])));
    out.figure = figureData(unitsByRow);
    modes[mode] = out;
  }
  return { title: ws.title, project: ws.project, packages: lockedPackages(ws), warmUpSeconds: warm, modes, tune, report };
}

function main() {
  const t0 = Date.now();
  if (!has('--no-setup')) {
    const r = spawnSync(process.execPath, [join(repo, 'tools', 'setup.mjs')], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  const results = {
    schema: 1,
    kind: quick ? 'quick' : 'full',
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    startedAt: new Date().toISOString(),
    rounds: ROUNDS,
    loadLimit: LOAD_LIMIT,
    machine: machine(),
    settings: {
      nxDaemon: false,
      cache: '--skip-nx-cache on every row; target dir removed before every run',
      incremental: 'cargo defaults (CARGO_INCREMENTAL not set)',
      clearedFromEnvironment: clearedFromCaller,
    },
    notRun: SEED_CRANELIFT_ROWS.map((r) => ({ ...r, reason: craneliftReason() })),
    workloads: {},
    micro: {},
  };
  const m = results.machine;
  say(`${results.kind} run: ${m.cores} cores, ${m.rustc}, ${m.nightly ?? 'no nightly'}, load ${m.loadAverage.start}; rounds ${rounds}`);
  say(`the seed's rows ${results.notRun.map((r) => r.row).join(', ')}: not run: ${results.notRun[0].reason}`);
  // Only a full run of both workloads speaks for the repository; others go to tmp/bench/.
  const official = !quick && !only && ROUNDS.check >= 8 && ROUNDS.build >= 5;
  const outDir = official ? repo : join(repo, 'tmp', 'bench');
  const out = { md: outDir, reports: join(repo, 'tmp', 'bench', 'reports'), figures: official ? join(repo, 'tools', 'bench', 'figures') : join(outDir, 'figures') };
  for (const dir of Object.values(out)) mkdirSync(dir, { recursive: true });
  const base = mkdtempSync(join(tmpdir(), 'ft-bench-'));
  mkdirSync(join(base, 'logs'));
  say(`work dir ${base} (logs in logs/; removed at the end unless --keep or a step fails)`);
  let example;
  for (const id of workloadIds) {
    let ws;
    if (id === 'seed') {
      ensureDebianCargo(say);
      ws = seedWorkspace(base);
    } else if (id === 'example') ws = example = exampleWorkspace(base);
    else throw new Error(`unknown workload ${id} (example, seed)`);
    results.workloads[id] = benchWorkload(ws, { log: join(base, 'logs', `${id}.log`), out });
    say(`${id} done (${elapsed(t0)} so far)`);
  }
  if (!workloadIds.includes('seed')) {
    results.workloads.seed = { title: 'Seed workload (a package depending on `cargo` 0.66)', skipped: quick ? 'not run with --quick (the full run has it)' : 'not selected with --only' };
  }

  const reuse = arg('reuse-micro', undefined);
  if (reuse) {
    const earlier = JSON.parse(readFileSync(reuse, 'utf8'));
    results.micro = earlier.micro ?? {};
    results.microFrom = { file: relative(repo, reuse), startedAt: earlier.startedAt, command: earlier.command };
    say(`the smaller benches are not run again: their results are taken from ${relative(repo, reuse)} (${earlier.startedAt})`);
  } else {
    say(`rustc wrapper cost (tools/bench/wrapper-cost.mjs)`);
    results.micro.wrapper = fileJsonBench('wrapper-cost.mjs', quick ? ['--n', '1000', '--rounds', '5'] : ['--n', '4000', '--rounds', '10'], join(base, 'wrapper.json'), say);
    say(`inference, 200 generated crates (tools/bench/inference.mjs)`);
    results.micro.inference = fileJsonBench('inference.mjs', ['--crates', '200', '--rounds', quick ? '3' : '7'], join(base, 'inference.json'), say);
    say(`warm no-op: cargo vs Nx alone vs a 3-line executor vs Nx with the plugin, with and without the Nx daemon (tools/bench/noop.mjs)`);
    example ??= exampleWorkspace(base);
    results.micro.noop = benchNoop(example, base, { rounds: quick ? 3 : 7, log: join(base, 'logs', 'noop.log') });
    const n = results.micro.noop;
    for (const [label, x] of [['Nx daemon', n], ['NX_DAEMON=false', n.noDaemon]]) {
      say(`  ${label}, medians: cargo ${x.cargo.median.toFixed(2)} s, Nx alone ${x.nx.median.toFixed(2)} s, a 3-line executor ${x.executor.median.toFixed(2)} s, plugin ${x.plugin.median.toFixed(2)} s`);
    }
    say(`nx run-many vs cargo build --workspace (tools/bench/run-many.mjs)`);
    // Like the simulator check below, it waits for a quiet machine before each run: in --quick, 30 s at most.
    // Five rounds in the full run: this VM's speed drifts by ±10 % between runs, and the target is 5 %.
    const manyArgs = quick ? ['--rounds', '1', '--max-wait', '30'] : ['--rounds', String(Math.max(5, rounds))];
    results.micro.runMany = stdoutJsonBench('run-many.mjs', manyArgs, say);
    if (results.micro.runMany.notRun) say(`  not available: ${results.micro.runMany.notRun}`);
    say(`the same with the Nx daemon (tools/bench/run-many.mjs --daemon)`);
    results.micro.runManyDaemon = stdoutJsonBench('run-many.mjs', [...manyArgs, '--daemon'], say);
    if (results.micro.runManyDaemon.notRun) say(`  not available: ${results.micro.runManyDaemon.notRun}`);
    // Quick: the example's check at J=2 only (4 clean checks), waiting at most 30 s for a quiet
    // machine; full: both workloads, both modes, J=2 and J=1, waiting as long as it likes.
    // Full: two rounds, medians of measured against medians of predicted (one run's record can be 30 % off another's here).
    const simArgs = quick ? ['--quick', '--modes', 'check', '--jobs', '2', '--max-wait', '30', '--retries', '0'] : ['--rounds', '2'];
    say(`simulator, predicted vs measured (tools/bench/simulator-check.mjs ${simArgs.join(' ')})`);
    const sim = fileJsonBench('simulator-check.mjs', simArgs, join(base, 'simulator.json'), say);
    delete sim.runs; // records and unit graphs, for its --replay: too big for the results
    results.micro.simulator = sim;
    if (sim.notRun) say(`  not available: ${sim.notRun}`);
  }

  results.machine.loadAverage.end = load();
  results.finishedAt = new Date().toISOString();
  results.durationSeconds = Math.round((Date.now() - t0) / 1000);
  results.targets = evaluateTargets(results);

  const jsonPath = join(outDir, 'bench-results.json');
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  const mdSource = join(repo, 'BENCHMARKS.md');
  const mdPath = join(outDir, 'BENCHMARKS.md');
  writeFileSync(mdPath, replaceGenerated(existsSync(mdSource) ? readFileSync(mdSource, 'utf8') : '# Benchmarks\n', renderMarkdown(results)));

  console.log(`\n${consoleSummary(results)}\n`);
  say(`wrote ${jsonPath} and ${mdPath}${official ? '' : ' (not a full run: the repository root is left alone)'}; ${elapsed(t0)} in all`);
  if (!has('--keep')) rmSync(base, { recursive: true, force: true });
}

try {
  main();
} catch (e) {
  console.error(`[bench] failed: ${e.message}`);
  process.exit(1);
}
