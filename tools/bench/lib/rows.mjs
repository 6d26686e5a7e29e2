// The rows of the benchmark, what each one sets, and one timed run of a row:
// settings files written, Nx's graph warmed for them (untimed), a clean target
// dir, then `nx <mode> <project> --skip-nx-cache`, timed, through the plugin.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchEnv, nx } from './exec.mjs';
import { repo, diffSettings, snapshotSettings } from './workspaces.mjs';

/** The seed's cranelift rows: listed with the reason they do not run. */
export const SEED_CRANELIFT_ROWS = [
  { row: 'cranelift', seed: 'CARGO_PROFILE_DEV_CODEGEN_BACKEND=cranelift' },
  { row: 'cranelift-global0', seed: "CARGO_PROFILE_DEV_CODEGEN_BACKEND=cranelift RUSTFLAGS='-Zthreads=0'" },
  { row: 'cranelift-hand', seed: "CARGO_PROFILE_DEV_CODEGEN_BACKEND=cranelift CARGO_CRATE_cargo_RUSTFLAGS='-Zthreads=0'" },
];

const globalRow = (n) => ({
  id: `global${n}`,
  how: `\`RUSTFLAGS=-Zthreads=${n} RUSTC_BOOTSTRAP=1\` in nx's environment: every rustc, build scripts too, as in the seed (the plugin has no "every crate" setting; its record is dropped, since it would say 1 thread)`,
  env: { RUSTFLAGS: `-Zthreads=${n}`, RUSTC_BOOTSTRAP: '1' },
  // The plugin does not know these threads: its record would teach the tuner and the report wrong times for 1 thread.
  dropRecord: true,
});

/**
 * The rows for one workload and mode. Every row is `nx <mode> <project>
 * --skip-nx-cache` through the plugin (none is raw cargo); they differ in
 * the settings files, the environment, or one executor option.
 */
export function rowsFor(ws, mode, tuned, { quick = false, cores = 2 } = {}) {
  const rows = [
    { id: 'baseline', how: 'no threads anywhere (`-Zthreads=1`, nothing set); recorded, as by default' },
    ...(mode === 'build' && !quick ? [{ id: 'unrecorded', how: 'as baseline, with `--record=false` (no `--timings`, no record)', args: ['--record=false'] }] : []),
    // -Zthreads=0 is "all cores": on 2 cores the same as global2, so it would only cost rounds.
    ...(quick || cores <= 2 ? [] : [globalRow(0)]),
    globalRow(2),
    { id: 'hand', how: ws.hand.how, files: ws.hand.files },
  ];
  // The team's own pick, where the tuner chose otherwise: the report then says why.
  if (ws.hand2 && tuned?.available && !sameCrates(ws.hand2.crates, tuned.table)) rows.push({ id: 'hand2', how: ws.hand2.how, files: ws.hand2.files });
  if (tuned?.available) {
    rows.push({ id: 'tuned', how: `the table \`nx g fine-threads:tune --mode ${mode}\` wrote from the recorded baseline: ${fmtTable(tuned.table)}`, files: tuned.files });
  }
  return rows;
}

/** Do the tuned table's threaded crates equal `crates`? (Its entries may be per-mode tables.) */
function sameCrates(crates, table) {
  const above1 = (v) => (typeof v === 'number' ? v !== 1 : v && typeof v === 'object' ? Object.values(v).some(above1) : false);
  const threaded = Object.entries(table ?? {}).filter(([, v]) => above1(v)).map(([c]) => c.split('@')[0]).sort();
  return JSON.stringify(threaded) === JSON.stringify([...crates].sort());
}

/** Why rows of the full set did not run with these options, for the results. */
export function rowsNotRun(mode, { quick = false, cores = 2 } = {}) {
  const out = {};
  if (quick) {
    out.global0 = `left out of --quick (the full run has it)${cores === 2 ? '; on 2 cores it sets what global2 sets' : ''}`;
    if (mode === 'build') out.unrecorded = 'left out of --quick (the full run has it): one round cannot show a 1 % cost';
  } else if (cores <= 2) out.global0 = `-Zthreads=0 means all ${cores} cores here: the global2 row`;
  return out;
}

/** The line of a failed command's output that says what went wrong, for a one-line reason. */
export function errorLine(message) {
  const lines = String(message).split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /\b(error|cannot|not found|failed)\b/i.test(l) && !/^`/.test(l)) ?? lines.at(-1) ?? '';
}

const fmtTable = (t) => `\`${Object.entries(t).map(([c, n]) => `${c}=${typeof n === 'object' ? JSON.stringify(n) : n}`).join(' ') || '(no crate threaded)'}\``;

/** Round r's order: the rows rotated by r, so no row always runs first or after the same one. */
export function rotate(rows, r) {
  const k = r % rows.length;
  return [...rows.slice(k), ...rows.slice(0, k)];
}

function fileSize(file) {
  return existsSync(file) ? statSync(file).size : 0;
}

/** The records appended to the file since it had `from` bytes. */
function recordsSince(file, from) {
  if (!existsSync(file)) return [];
  const size = statSync(file).size;
  if (size < from) return []; // the store halved itself: nothing reliable to read
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(size - from);
  readSync(fd, buf, 0, buf.length, from);
  closeSync(fd);
  return buf
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

/** Makes `ws` hold the row's settings, with Nx's project graph computed for them outside the timing. */
export function prepareRow(ws, row, log) {
  if (ws.apply(row.files ?? {})) nx(ws, ['show', 'projects'], { log });
}

/** One timed run of a row from a clean target dir: seconds, and cargo's own seconds and units from the record. */
export function runRow(ws, row, mode, log) {
  prepareRow(ws, row, log);
  ws.clean();
  const before = fileSize(ws.recordsFile());
  const { seconds, load } = nx(ws, [mode, ws.project, '--skip-nx-cache', ...(row.args ?? [])], { env: benchEnv(row.env), log });
  const record = recordsSince(ws.recordsFile(), before).filter((r) => r.mode === mode).at(-1);
  if (row.dropRecord && existsSync(ws.recordsFile())) truncateSync(ws.recordsFile(), before);
  return { seconds, cargoSeconds: record?.duration, units: record?.units, load };
}

/** Why `nx g fine-threads:tune` cannot run, or undefined when it can. */
export function tuneUnavailable() {
  const gens = JSON.parse(readFileSync(join(repo, 'packages', 'fine-threads', 'generators.json'), 'utf8')).generators ?? {};
  if (!gens.tune) return '`nx g fine-threads:tune` does not exist yet (packages/fine-threads/generators.json has no `tune`): the tune issue is not done';
  // The entry names the compiled file, with or without its `.js` (and maybe `#export`).
  const factory = join(repo, 'packages', 'fine-threads', `${gens.tune.factory.split('#')[0].replace(/\.js$/, '')}.js`);
  if (!existsSync(factory)) return `the tune generator is declared but not built (${factory} is missing; npm run build)`;
  return undefined;
}

/**
 * The tuned row's settings for one mode: `nx g fine-threads:tune --mode <m>`
 * on the records already in `ws` (the recorded baseline), the files it changed
 * kept, and the workspace put back. With `predictCores`, also its dry-run
 * predictions for other machines.
 */
export function tuneRow(ws, mode, { log, predictCores = [] }) {
  const reason = tuneUnavailable();
  if (reason) return { available: false, reason };
  ws.apply({});
  const before = snapshotSettings(ws.root);
  let output;
  try {
    output = nx(ws, ['g', 'fine-threads:tune', '--mode', mode, '--no-interactive'], { log, capture: true }).output;
  } catch (e) {
    ws.reset(before); // the generator may have written part of its change
    return { available: false, reason: `\`nx g fine-threads:tune --mode ${mode}\` failed: ${errorLine(e.message)}` };
  }
  const files = diffSettings(before, snapshotSettings(ws.root));
  ws.reset(before);
  const predictions = {};
  for (const cores of predictCores) {
    try {
      const out = nx(ws, ['g', 'fine-threads:tune', '--mode', mode, '--cores', String(cores), '--dry-run', '--no-interactive'], { log, capture: true }).output;
      predictions[cores] = out.split('\n').map((l) => l.trimEnd()).filter((l) => l && !/^NOTE: The "dryRun" flag/.test(l));
    } catch (e) {
      predictions[cores] = [`failed: ${errorLine(e.message)}`];
    }
    ws.reset(before); // a dry run writes nothing; this makes sure
  }
  return { available: true, files, table: ws.threadTable(files), output: output.split('\n').filter((l) => l.trim()), predictions };
}

/** The tune report's data: the JSON the HTML carries in `<script id="report-data">`. */
function reportDataOf(html) {
  const m = /<script id="report-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
  return m ? JSON.parse(m[1]) : undefined;
}

/**
 * After the rounds: `nx g fine-threads:tune --mode <m>` once more on every
 * record (baseline, hand, tuned), for its HTML report: the seed-style figure,
 * predicted vs measured per configuration, and 4/8/16/64-core predictions.
 * The files it changes are put back.
 */
export function reportTune(ws, mode, { log, reportFile }) {
  const reason = tuneUnavailable();
  if (reason) return { available: false, reason };
  ws.apply({});
  const before = snapshotSettings(ws.root);
  try {
    const rel = `.fine-threads/bench-report-${mode}.html`;
    const { output } = nx(ws, ['g', 'fine-threads:tune', '--mode', mode, '--report', rel, '--no-interactive'], { log, capture: true });
    const html = readFileSync(join(ws.root, rel), 'utf8');
    writeFileSync(reportFile, html);
    const data = reportDataOf(html);
    if (!data) return { available: false, reason: `the report ${rel} carries no report-data JSON` };
    return {
      available: true,
      file: reportFile,
      output: output.split('\n').filter((l) => l.trim()),
      predictions: data.predictions ?? [],
      configurations: (data.configurations ?? []).map((c) => ({
        label: c.label,
        threads: c.threads,
        ...(c.runs ? { measuredSeconds: c.runs.median, measuredRuns: c.runs.n } : c.measured ? { measuredSeconds: c.measured.makespan } : {}),
        ...(c.predicted ? { predictedSeconds: c.predicted.makespan } : {}),
      })),
    };
  } catch (e) {
    return { available: false, reason: `\`nx g fine-threads:tune --mode ${mode} --report\` failed: ${errorLine(e.message)}` };
  } finally {
    ws.reset(before);
  }
}
