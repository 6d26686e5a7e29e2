'use strict';
// What a benchmark run means: the targets judged, the seed-style figure's data,
// and the text of BENCHMARKS.md and of the console summary. Pure: results in, text out.
const { median, spread } = require('./stats.cjs');
const { table, seconds, ratio } = require('./markdown.cjs');

const MODES = ['check', 'build'];
const ROW_ORDER = ['baseline', 'unrecorded', 'global0', 'global2', 'hand', 'tuned'];
const RATIO_KEYS = [
  'tuned/baseline',
  'tuned/global0',
  'tuned/global2',
  'tuned/best-global',
  'hand/baseline',
  'hand/best-global',
  'global0/baseline',
  'global2/baseline',
  'baseline/unrecorded',
];
/** Noise allowed for "never slower than baseline" when a row ran once and has no spread of its own. */
const SINGLE_ROUND_NOISE = 0.05;

/** (workload, mode) pairs that ran, in a stable order. */
function runs(results) {
  const out = [];
  for (const [wid, w] of Object.entries(results.workloads ?? {})) {
    for (const mode of MODES) if (w.modes?.[mode]) out.push({ wid, w, mode, m: w.modes[mode] });
  }
  return out;
}

const fmtTable = (t) => Object.entries(t ?? {}).map(([c, n]) => `${c}=${typeof n === 'object' ? JSON.stringify(n) : n}`).join(' ') || '(none)';

/** One line per target of the issue: value, goal, met (true, false, or null when not measured) and why. */
function evaluateTargets(results) {
  const targets = [];
  const add = (what, value, goal, met, note = '') => targets.push({ what, value, goal, met, note });
  const workloadNote = (w) => w?.skipped ?? 'not run';

  // Paired ratios (per-round tuned/baseline), their median and bootstrap 95 % interval.
  const seed = results.workloads?.seed;
  const iv = (p) => `${ratio(p.median)} [${ratio(p.lo)}, ${ratio(p.hi)}], ${p.n} pairs`;
  {
    const m = seed?.modes?.check;
    const p = m?.paired?.['tuned/baseline'];
    const why = m ? (m.notRun?.tuned ?? 'no paired runs') : workloadNote(seed);
    add('seed workload, check: tuned/baseline (paired)', p ? iv(p) : '–', 'median ≤ 0.93, upper < 1.00', p ? p.median <= 0.93 && p.hi < 1 : null, p ? tunedNote(seed, 'check') : why);
  }
  for (const [wid, w] of Object.entries(results.workloads ?? {})) {
    for (const mode of MODES) {
      const m = w.modes?.[mode];
      if (!m && w.skipped) continue;
      const p = m?.paired?.['tuned/baseline'];
      add(`${wid}, ${mode}: tuned never slower (paired tuned/baseline)`, p ? iv(p) : '–', 'upper ≤ 1.02', p ? p.hi <= 1.02 : null, p ? tunedNote(w, mode) : m ? (m.notRun?.tuned ?? 'no paired runs') : workloadNote(w));
    }
  }
  for (const mode of MODES) {
    const m = seed?.modes?.[mode];
    const r = m?.ratios?.['tuned/best-global'];
    const why = m ? (m.notRun?.tuned ?? '') : workloadNote(seed);
    add(`seed workload, ${mode}: tuned/best-global (ratio of medians)`, ratio(r), '≤ 0.90', r === undefined ? null : r <= 0.9, r === undefined ? why : tunedNote(seed, mode));
  }
  // The tune report's own error on this run's idle builds: median measured against predicted.
  for (const [wid, w] of Object.entries(results.workloads ?? {})) {
    for (const mode of MODES) {
      const confs = (w.report?.[mode]?.configurations ?? []).filter((c) => ['baseline', 'tuned'].includes(c.label) && c.measuredSeconds && c.predictedSeconds !== undefined);
      if (!confs.length) continue;
      const errs = confs.map((c) => ({ label: c.label, e: (c.predictedSeconds - c.measuredSeconds) / c.measuredSeconds }));
      const worst = Math.max(...errs.map((x) => Math.abs(x.e)));
      add(`${wid}, ${mode}: the tune report's prediction error (baseline, tuned)`, errs.map((x) => `${x.label} ${(x.e * 100).toFixed(1)} %`).join(', '), '≤ 10 % each', worst <= 0.1, 'predicted makespan against the median of the full, unloaded builds the report used');
    }
  }

  const wr = results.micro?.wrapper;
  if (wr?.wall) {
    const v = wr.wall.passThroughMicros;
    add('rustc wrapper, per rustc (pass-through)', `${v.toFixed(0)} µs`, '≤ 2000 µs', v <= 2000,
      `threaded path ${wr.wall.threadedMicros.toFixed(0)} µs; the floor of any \`#!/bin/sh\` wrapper here is ${wr.wall.minimalWrapperMicros.toFixed(0)} µs, the script's own work over it ${wr.wall.passThroughOverFloorMicros.toFixed(0)} µs`);
  } else add('rustc wrapper, per rustc', '–', '≤ 2000 µs', null, wr?.notRun ?? 'not run');

  let recorded = false;
  for (const { wid, m, mode } of runs(results)) {
    if (mode !== 'build') continue;
    const r = m.ratios?.['baseline/unrecorded'];
    if (r === undefined) continue;
    recorded = true;
    const s = [m.rows.baseline, m.rows.unrecorded].map((row) => spread(row));
    const noise = s.every((x) => x !== undefined) ? `; spread of the rows ${s.map((x) => `${(x * 100).toFixed(1)} %`).join(' and ')}` : '; one round';
    add(`recording, ${wid} build: recorded/unrecorded`, ratio(r), '≤ 1.01', r <= 1.01, `${((r - 1) * 100).toFixed(1)} % of build time${noise}`);
  }
  if (!recorded) add('recording overhead', '–', '≤ 1.01', null, runs(results).map(({ m }) => m.notRun?.unrecorded).find(Boolean) ?? 'not run');

  const noop = results.micro?.noop;
  if (noop?.pluginMinusCargo !== undefined) {
    const parts = (x) =>
      `Nx alone (a run-commands target running the same cargo) adds ${x.nxMinusCargo.toFixed(2)} s` +
      (x.executorMinusNx !== undefined ? `, Nx's task process for any executor (a 3-line one) ${x.executorMinusNx.toFixed(2)} s, the plugin over that ${x.pluginMinusExecutor.toFixed(2)} s` : `; the plugin over Nx alone ${x.pluginMinusNx.toFixed(2)} s`);
    const daemon = noop.noDaemon !== undefined;
    add(`Nx plugin, warm no-op${daemon ? ' (Nx daemon)' : ''}: nx build − cargo build`, `${noop.pluginMinusCargo.toFixed(2)} s`, '≤ 0.3 s', noop.pluginMinusCargo <= 0.3, parts(noop));
    if (daemon) {
      const n = noop.noDaemon;
      add('Nx plugin, warm no-op (NX_DAEMON=false): nx build − cargo build', `${n.pluginMinusCargo.toFixed(2)} s`, '≤ 0.3 s', n.pluginMinusCargo <= 0.3, parts(n));
    }
  } else add('Nx plugin, warm no-op', '–', '≤ 0.3 s', null, noop?.notRun ?? 'not run');

  const inf = results.micro?.inference;
  if (inf?.addedSeconds !== undefined) {
    add(`inference, ${inf.crates} crates, warm: added by the plugin`, `${inf.addedSeconds.toFixed(2)} s`, '< 1 s', inf.addedSeconds < 1,
      `warm \`nx show projects\` ${inf.warmWithPlugin.median.toFixed(2)} s with the plugin, ${inf.warmWithoutPlugin.median.toFixed(2)} s without`);
  } else add('inference, 200 crates, warm', '–', '< 1 s', null, inf?.notRun ?? 'not run');

  const sim = results.micro?.simulator;
  // The medians over rounds when there are rounds (a single round's rows are noise-bound here).
  let errors = sim && !sim.notRun ? simulatorErrors(Array.isArray(sim.summary) && sim.summary.length ? sim.summary : sim) : [];
  let source = 'tools/bench/simulator-check.mjs';
  if (!errors.length) {
    // Else the tune reports': each configuration's predicted makespan against its last measured build.
    errors = runs(results).flatMap(({ wid, w, mode }) => simulatorErrors(w.report?.[mode]?.configurations ?? []).map((e) => ({ ...e, path: `${wid} ${mode} ${e.path}` })));
    source = 'the tune reports (cargo time of the last build of each table)';
  }
  if (errors.length) {
    const worst = errors.reduce((a, b) => (Math.abs(b.error) > Math.abs(a.error) ? b : a));
    add('simulator, predicted vs measured', `worst ${(worst.error * 100).toFixed(1)} %`, '≤ 10 %', Math.abs(worst.error) <= 0.1, `${errors.length} configurations, from ${source}`);
  } else add('simulator, predicted vs measured', '–', '≤ 10 %', null, sim?.notRun ?? 'no predicted/measured pairs');

  for (const [key, label] of [['runMany', 'NX_DAEMON=false'], ['runManyDaemon', 'Nx daemon']]) {
    const rm = results.micro?.[key];
    if (key === 'runManyDaemon' && !rm) continue;
    const what = `nx run-many / cargo build --workspace${results.micro?.runManyDaemon ? ` (${label})` : ''}`;
    const rmRatio = rm && !rm.notRun ? findNumber(rm, /ratio/i) : undefined;
    const rmNote = rm?.cleanSeconds ? `clean, medians: nx ${seconds(rm.cleanSeconds.nxMedian)} s, cargo ${seconds(rm.cleanSeconds.cargoMedian)} s; nothing to build: Nx's own ${seconds(rm.nxOwnSeconds)} s` : '';
    if (rmRatio !== undefined) add(what, ratio(rmRatio), '≤ 1.05 (jobserver issue)', rmRatio <= 1.05, rmNote);
    else add(what, '–', '≤ 1.05 (jobserver issue)', null, rm?.notRun ?? 'no ratio in its output');
  }
  return targets;
}

function tunedNote(w, mode) {
  const t = w.tune?.[mode];
  const m = w.modes?.[mode];
  const parts = [`tuned table: ${t?.table ? fmtTable(t.table) : '?'}`];
  for (const k of ['hand/baseline', 'hand2/baseline', 'global2/baseline']) {
    const p = m?.paired?.[k];
    if (p) parts.push(`${k} ${ratio(p.median)} [${ratio(p.lo)}, ${ratio(p.hi)}]`);
    else if (m?.ratios?.[k] !== undefined) parts.push(`${k} ${ratio(m.ratios[k])}`);
  }
  return parts.join('; ');
}

/** Pairs of predicted and measured seconds anywhere in a simulator check's JSON, with their relative error. */
function simulatorErrors(json) {
  const out = [];
  const visit = (x, path) => {
    if (Array.isArray(x)) return x.forEach((y, i) => visit(y, `${path}[${i}]`));
    if (!x || typeof x !== 'object') return;
    const p = Object.keys(x).find((k) => /^predicted/i.test(k) && typeof x[k] === 'number');
    const m = Object.keys(x).find((k) => /^measured/i.test(k) && typeof x[k] === 'number');
    if (p && m && x[m] > 0) out.push({ path, predicted: x[p], measured: x[m], error: (x[p] - x[m]) / x[m] });
    for (const [k, v] of Object.entries(x)) visit(v, path ? `${path}.${k}` : k);
  };
  visit(json, '');
  return out;
}

function findNumber(json, re) {
  if (!json || typeof json !== 'object') return undefined;
  for (const [k, v] of Object.entries(json)) if (re.test(k) && typeof v === 'number') return v;
  for (const v of Object.values(json)) {
    const found = typeof v === 'object' ? findNumber(v, re) : undefined;
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The seed's figure as data: per crate, each row's median front-end and
 * back-end seconds, for the crates whose time changed most against baseline
 * (and the longest baseline front-ends). `unitsByRow`: row → runs → units
 * `{ crate, kind, frontend?, backend?, start, end }` as in build records.
 */
function figureData(unitsByRow, { limit = 10, minChange = 0.5 } = {}) {
  const per = new Map(); // "crate kind" → row → { f: [], b: [] }
  for (const [row, runsOfRow] of Object.entries(unitsByRow)) {
    for (const units of runsOfRow) {
      for (const u of units) {
        if (u.kind.startsWith('build-script')) continue;
        const key = `${u.crate} ${u.kind}`;
        if (!per.has(key)) per.set(key, {});
        const cell = (per.get(key)[row] ??= { f: [], b: [] });
        const total = u.end - u.start;
        const f = u.frontend ?? total;
        cell.f.push(f);
        cell.b.push(u.backend ?? Math.max(0, total - f));
      }
    }
  }
  const crates = [];
  for (const [key, rows] of per) {
    const [crate, kind] = key.split(' ');
    const med = {};
    for (const [row, c] of Object.entries(rows)) med[row] = { frontend: median(c.f), backend: median(c.b) };
    const base = med.baseline;
    const total = (x) => x.frontend + x.backend;
    const change = base ? Math.max(0, ...Object.values(med).map((x) => Math.abs(total(x) - total(base)))) : 0;
    crates.push({ crate, kind, rows: med, change, baseFrontend: base?.frontend ?? 0 });
  }
  const byChange = crates.filter((c) => c.change >= minChange).sort((a, b) => b.change - a.change);
  const byFrontend = [...crates].sort((a, b) => b.baseFrontend - a.baseFrontend).slice(0, 3);
  const chosen = [...new Set([...byFrontend, ...byChange])].slice(0, limit);
  return chosen.sort((a, b) => b.baseFrontend - a.baseFrontend).map(({ crate, kind, rows }) => ({ crate, kind, rows }));
}

/** Rows in display order, then any others. */
function rowIds(rows) {
  const ids = Object.keys(rows);
  return [...ROW_ORDER.filter((r) => ids.includes(r)), ...ids.filter((r) => !ROW_ORDER.includes(r))];
}

const PAIRED_KEYS = ['tuned/baseline', 'hand/baseline', 'hand2/baseline', 'global0/baseline', 'global2/baseline', 'tuned/hand', 'baseline/unrecorded'];

/**
 * The ratio table: one line per ratio, one column per workload and mode. Paired ratios (the
 * median of per-round ratios, with a bootstrap 95 % interval) where the rounds were paired;
 * ratios of medians for the keys that compare with the best global row.
 */
function ratioTable(results) {
  const cols = runs(results);
  const pairedKeys = PAIRED_KEYS.filter((k) => cols.some(({ m }) => m.paired?.[k]));
  const cell = (p) => (p ? `${ratio(p.median)} [${ratio(p.lo)}, ${ratio(p.hi)}]` : '–');
  const lines = pairedKeys.map((k) => [`${k} (paired)`, ...cols.map(({ m }) => cell(m.paired?.[k]))]);
  const keys = RATIO_KEYS.filter((k) => cols.some(({ m }) => m.ratios?.[k] !== undefined) && (!pairedKeys.includes(k) || cols.some(({ m }) => !m.paired)));
  lines.push(...keys.map((k) => [`${k} (of medians)`, ...cols.map(({ m }) => ratio(m.ratios?.[k]))]));
  return table(['ratio', ...cols.map(({ wid, mode, m }) => `${wid} ${mode}${m.rounds ? ` (${m.rounds} round${m.rounds === 1 ? '' : 's'})` : ''}`)], lines, { numeric: true });
}

function rowsTable(m) {
  const base = m.rows.baseline?.median;
  const others = (r) => {
    const xs = (r.runs ?? []).map((x) => x.others).filter((x) => x !== undefined);
    return xs.length ? `${median(xs).toFixed(2)} (max ${Math.max(...xs).toFixed(2)})` : '–';
  };
  const lines = rowIds(m.rows).map((id) => {
    const r = m.rows[id];
    return [id, r.how, seconds(r.min), seconds(r.median), seconds(r.max), base ? ratio(r.median / base) : '–', others(r)];
  });
  for (const [id, why] of Object.entries(m.notRun ?? {})) lines.push([id, `not run: ${why}`, '–', '–', '–', '–', '–']);
  const out = table(['row', 'how it runs', 'min s', 'median s', 'max s', 'median / baseline median', 'other work, cores (median)'], lines);
  const d = m.discarded ?? [];
  return d.length ? `${out}\n\n${d.length} run(s) of rounds run again because some run of the round had other work beside it: ${d.map((x) => `${x.row} r${x.round + 1} ${x.seconds.toFixed(1)} s (${((x.load?.others ?? 0) + (x.load?.steal ?? 0)).toFixed(2)} cores)`).join(', ')}.` : out;
}

function targetsTable(targets) {
  const mark = (met) => (met === true ? 'met' : met === false ? '**not met**' : 'not measured');
  return table(['target', 'value', 'goal', 'result', 'note'], targets.map((t) => [t.what, t.value, t.goal, mark(t.met), t.note]));
}

function figureTable(fig, ids) {
  const cell = (x) => (x ? `${x.frontend.toFixed(1)} + ${x.backend.toFixed(1)}` : '–');
  return table(['crate (unit)', ...ids.map((id) => `${id}: front + back s`)], fig.map((c) => [`${c.crate} (${c.kind})`, ...ids.map((id) => cell(c.rows[id]))]));
}

/** Primitive fields and, when present, a `rows` array, as markdown: for the other benches' JSON. */
function genericJson(json) {
  if (!json || typeof json !== 'object') return String(json);
  const out = [];
  const prim = Object.entries(json).filter(([, v]) => v === null || typeof v !== 'object');
  if (prim.length) out.push(prim.map(([k, v]) => `- ${k}: ${typeof v === 'number' ? +v.toFixed(4) : v}`).join('\n'));
  const rows = Object.values(json).find((v) => Array.isArray(v) && v.length && v.every((x) => x && typeof x === 'object' && !Array.isArray(x)));
  if (rows) {
    const keys = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => r[k] === null || typeof r[k] !== 'object')))];
    out.push(table(keys, rows.map((r) => keys.map((k) => (typeof r[k] === 'number' ? +r[k].toFixed(3) : r[k])))));
  }
  return out.join('\n\n') || '```json\n' + JSON.stringify(json, null, 2) + '\n```';
}

function roundsText(rounds) {
  if (typeof rounds === 'number') return `${rounds} ${rounds === 1 ? 'round' : 'interleaved rounds'}`;
  return Object.entries(rounds ?? {}).map(([mode, n]) => `${n} paired round${n === 1 ? '' : 's'} of ${mode}`).join(', ');
}

/** The generated part of BENCHMARKS.md. */
function renderMarkdown(results) {
  const mc = results.machine ?? {};
  const s = [];
  s.push(`## Results of one ${results.kind} run (${results.startedAt?.slice(0, 10) ?? '?'})`);
  s.push(
    [
      `Machine: ${mc.cores} cores (${mc.cpu ?? '?'}), ${mc.memoryGiB ?? '?'} GiB, ${mc.os ?? '?'}; load average ${mc.loadAverage?.start ?? '?'} at the start, ${mc.loadAverage?.end ?? '?'} at the end.`,
      `Toolchain: ${mc.rustc ?? '?'} (default), ${mc.nightly ?? 'no nightly'}; ${mc.cargo ?? '?'}; Node ${mc.node ?? '?'}, Nx ${mc.nx ?? '?'}.`,
      `Reproduce: \`${results.command}\` (${roundsText(results.rounds)}, ${Math.round((results.durationSeconds ?? 0) / 60)} min here). Every number below comes from this one run on this one machine${results.microFrom ? `, except the smaller benches under "Other measurements", taken from the run of ${results.microFrom.startedAt?.slice(0, 10)} (\`${results.microFrom.command}\`)` : ''}.`,
    ].join('\n'),
  );
  s.push('### Ratios\n\n' + ratioTable(results));
  s.push('### Targets\n\n' + targetsTable(results.targets ?? evaluateTargets(results)));
  for (const { wid, w, mode, m } of runs(results)) {
    s.push(`### ${w.title}, ${mode === 'check' ? '`check`' : 'debug `build`'}: seconds per run\n\n${rowsTable(m)}`);
  }
  for (const [wid, w] of Object.entries(results.workloads ?? {})) if (w.skipped) s.push(`### ${w.title ?? wid}\n\nNot run: ${w.skipped}.`);
  if (results.notRun?.length) {
    s.push('### Rows of the seed that do not run here\n\n' + table(['row', 'as in the seed', 'why not'], results.notRun.map((r) => [r.row, `\`${r.seed}\``, r.reason])));
  }
  s.push('### Tuned tables\n\n' + tuneSection(results));
  for (const { w, mode } of runs(results)) {
    const rep = w.report?.[mode];
    if (rep) s.push(`### Tune report: ${w.title}, ${mode}\n\n${reportSection(rep)}`);
  }
  for (const { w, mode, m } of runs(results)) {
    if (!m.figure?.length) continue;
    const ids = rowIds(m.rows).filter((id) => m.figure.some((c) => c.rows[id]));
    s.push(`### Figure (as the seed's): ${w.title}, ${mode}, medians of front-end + back-end seconds per crate\n\n${figureTable(m.figure, ids)}`);
  }
  s.push('### Other measurements\n\n' + microSection(results.micro ?? {}));
  return s.join('\n\n');
}

function tuneSection(results) {
  const out = [];
  for (const [wid, w] of Object.entries(results.workloads ?? {})) {
    for (const mode of MODES) {
      const t = w.tune?.[mode];
      if (!t) continue;
      if (!t.available) {
        out.push(`- ${wid} ${mode}: not available: ${t.reason}`);
        continue;
      }
      out.push(`- ${wid} ${mode}: \`${fmtTable(t.table)}\``);
      const m = w.modes?.[mode];
      if (m?.rows?.hand2) {
        // The team's pick ran beside the tuner's: the tuner's own lines say why it chose otherwise.
        const why = (t.output ?? []).filter((l) => /^\s+(cargo|toml_edit)(@\S+)?: front-end/.test(l)).map((l) => l.trim());
        out.push(`  - the tuner chose otherwise than cargo + toml_edit (row hand2); its reasons:\n\n    \`\`\`\n${(why.length ? why : ['(no line for cargo or toml_edit in its output)']).map((l) => `    ${l}`).join('\n')}\n    \`\`\``);
      }
      for (const [cores, lines] of Object.entries(t.predictions ?? {})) {
        out.push(`  - predicted for ${cores} cores (\`nx g fine-threads:tune --mode ${mode} --cores ${cores} --dry-run\`):\n\n    \`\`\`\n${lines.map((l) => `    ${l}`).join('\n')}\n    \`\`\``);
      }
    }
  }
  return out.join('\n') || 'None.';
}

/** The tune report of one workload and mode: its figure, predicted vs measured, and bigger machines. */
function reportSection(rep) {
  if (!rep.available) return `Not available: ${rep.reason}`;
  const out = [];
  if (rep.figure) out.push(`![front-end and back-end time per crate, per configuration](${rep.figure})`);
  else if (rep.figureError) out.push(`(No picture of the report's chart: ${rep.figureError}.)`);
  out.push(
    'Predicted (simulator) vs measured (the median of the full, unloaded builds of each table), cargo seconds:\n\n' +
      table(['configuration', 'predicted s', 'measured s', 'error'], rep.configurations.map((c) => [
        c.label,
        seconds(c.predictedSeconds),
        seconds(c.measuredSeconds),
        c.predictedSeconds !== undefined && c.measuredSeconds ? `${(((c.predictedSeconds - c.measuredSeconds) / c.measuredSeconds) * 100).toFixed(1)} %` : '–',
      ])),
  );
  if (rep.predictions?.length) {
    out.push(
      'Predicted for bigger machines (jobs = cores), from this machine\'s records:\n\n' +
        table(['cores', 'baseline s', 'tuned s', 'tuned/baseline'], rep.predictions.map((p) => [p.cores, seconds(p.baseline), seconds(p.tuned), ratio(p.tuned / p.baseline)]), { numeric: true }),
    );
  }
  return out.join('\n\n');
}

function microSection(micro) {
  const out = [];
  const w = micro.wrapper;
  if (w?.wall) {
    out.push(
      `**rustc wrapper** (${w.invocations} calls per path, ${w.rounds} interleaved rounds, /bin/true as rustc; µs added per call, wall clock, medians):\n\n` +
        table(['path', 'µs per call', 'over a 2-line sh floor'], [
          ['floor: `#!/bin/sh` + `exec "$@"`', w.wall.minimalWrapperMicros.toFixed(0), '–'],
          ['pass-through (crate not in the table)', w.wall.passThroughMicros.toFixed(0), w.wall.passThroughOverFloorMicros.toFixed(0)],
          ['threaded (flag added, stderr held)', w.wall.threadedMicros.toFixed(0), w.wall.threadedOverFloorMicros.toFixed(0)],
        ], { numeric: true }),
    );
  } else out.push(`**rustc wrapper**: not run: ${w?.notRun ?? '?'}`);
  out.push('**Recording**: the `unrecorded` row (`--record=false`) against `baseline` (recorded, the default) in each debug build table above; the ratio is `baseline/unrecorded`.');
  const n = micro.noop;
  if (n?.cargo) {
    const line = (x, label) =>
      `${label}: \`cargo build -p ${n.project}\` ${seconds(x.cargo.median)} s; ` +
      `Nx without the plugin, an \`nx:run-commands\` target running that cargo ${seconds(x.nx.median)} s` +
      (x.executor ? `, a 3-line local executor running it ${seconds(x.executor.median)} s` : '') +
      `; \`nx build ${n.project} --skip-nx-cache\` with the plugin ${seconds(x.plugin.median)} s. ` +
      `Plugin − cargo ${seconds(x.pluginMinusCargo)} s: Nx itself ${seconds(x.nxMinusCargo)} s` +
      (x.executor ? `, Nx's task process for any executor ${seconds(x.executorMinusNx)} s, the plugin's own ${seconds(x.pluginMinusExecutor)} s.` : `, the plugin ${seconds(x.pluginMinusNx)} s.`);
    out.push(
      `**Warm no-op** (\`${n.project}\` already built; ${n.rounds} interleaved rounds, medians). ` +
        [line(n, n.noDaemon ? 'With the Nx daemon (warmed up)' : 'NX_DAEMON=false'), ...(n.noDaemon ? [line(n.noDaemon, 'With NX_DAEMON=false')] : [])].join(' '),
    );
  } else out.push(`**Warm no-op**: not run: ${n?.notRun ?? '?'}`);
  const i = micro.inference;
  if (i?.warmWithPlugin) {
    out.push(`**Inference** (${i.crates} generated crates, ${i.rounds} interleaved rounds, warm \`nx show projects\`): ${seconds(i.warmWithPlugin.median)} s with the plugin, ${seconds(i.warmWithoutPlugin.median)} s without: ${seconds(i.addedSeconds)} s added (cold, running cargo metadata: ${seconds(i.coldWithPluginSeconds)} s).`);
  } else out.push(`**Inference**: not run: ${i?.notRun ?? '?'}`);
  for (const rm of [micro.runMany, micro.runManyDaemon].filter(Boolean)) {
    const how = rm.daemon === undefined ? '' : rm.daemon ? ', with the Nx daemon' : ', NX_DAEMON=false';
    if (rm?.cleanSeconds) {
      out.push(
        `**\`nx run-many\` vs \`cargo build --workspace\`** (tools/bench/run-many.mjs, ${rm.crates} crates, ${rm.rounds} ${rm.rounds === 1 ? 'round' : 'interleaved rounds'}, clean target dirs, medians${how}): ` +
          `\`${rm.nxCommand}\` ${seconds(rm.cleanSeconds.nxMedian)} s, \`${rm.cargoCommand}\` ${seconds(rm.cleanSeconds.cargoMedian)} s: ratio ${ratio(rm.ratio)}; ` +
          `with nothing to build, Nx's own time ${seconds(rm.nxOwnSeconds)} s.`,
      );
    } else if (rm && !rm.notRun) out.push(`**\`nx run-many\` vs \`cargo build --workspace\`**:\n\n${genericJson(rm)}`);
    else out.push(`**\`nx run-many\` vs \`cargo build --workspace\`**: not available: ${rm?.notRun ?? '?'}`);
  }
  const sim = micro.simulator;
  if (Array.isArray(sim?.results)) {
    const pct = (x) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
    out.push(
      '**Simulator, predicted vs measured** (tools/bench/simulator-check.mjs: clean cargo builds, each predicted from a baseline record; cargo seconds):\n\n' +
        table(
          ['workload', 'mode', 'J', 'configuration', 'rounds', 'measured s (median)', 'measured range', 'predicted s (median)', 'error'],
          (Array.isArray(sim.summary) && sim.summary.length ? sim.summary : sim.results).map((r) => [
            r.workload, r.mode, r.jobs, r.config, r.rounds ?? 1, seconds(r.measured), r.measuredRange ? r.measuredRange.map((x) => x.toFixed(1)).join('–') : '–', seconds(r.predicted), pct(r.error),
          ]),
        ),
    );
    if (sim.scaling?.length) {
      // One row per workload, mode and core count: the median over rounds.
      const byKey = new Map();
      for (const r of sim.scaling) byKey.set(`${r.workload} ${r.mode} ${r.cores}`, [...(byKey.get(`${r.workload} ${r.mode} ${r.cores}`) ?? []), r]);
      const med = (xs) => {
        const s = [...xs].sort((a, b) => a - b);
        return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
      };
      const rows = [...byKey.values()].map((rs) => {
        const m = (k) => med(rs.map((r) => r[k]));
        return [rs[0].workload, rs[0].mode, rs[0].cores, seconds(m('baseline')), seconds(m('global')), seconds(m('tuned')), ratio(m('tuned') / m('baseline'))];
      });
      out.push(
        'Its predictions for bigger machines (tokens = cores; global and tuned as in the check above: every crate at 2 threads, and the hand table), cargo seconds, medians over rounds:\n\n' +
          table(['workload', 'mode', 'cores', 'baseline', 'global', 'tuned', 'tuned/baseline'], rows),
      );
    }
  } else if (sim && !sim.notRun) out.push(`**Simulator, predicted vs measured**:\n\n${genericJson(sim)}`);
  else out.push(`**Simulator, predicted vs measured**: not available: ${sim?.notRun ?? '?'}`);
  return out.join('\n\n');
}

/** What the console shows at the end: the ratio table and the targets. */
function consoleSummary(results) {
  return ['Ratios:', ratioTable(results), '', 'Targets:', targetsTable(results.targets ?? evaluateTargets(results))].join('\n');
}

module.exports = { MODES, ROW_ORDER, RATIO_KEYS, evaluateTargets, simulatorErrors, figureData, ratioTable, rowsTable, renderMarkdown, consoleSummary };
