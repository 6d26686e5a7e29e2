/**
 * The HTML report as one self-contained document: tables rendered here (readable without
 * JavaScript), charts drawn in the browser by the inlined chart library from the embedded JSON.
 * Pure: data and the library's source in, HTML text out. Nothing is loaded from anywhere.
 */
import type { SimSample } from '../simulation/model';
import { CLIENT_SCRIPT } from './client';
import { describeSummary, MIN_RUNS } from '../tuning/stats';
import type { ReportConfiguration, ReportData, ReportRun } from './model';

/** What the page's script needs beside the data: one entry per timeline it can show. */
export interface ReportView {
  /** Units shown in the per-crate chart, longest first (the rest are in the table below it). */
  crateRows: string[];
  timelines: { config: number; kind: 'measured' | 'predicted'; label: string; caption: string }[];
}

/** How many units the per-crate chart shows at most (the table under it has all). */
export const MAX_CRATE_ROWS = 30;

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** JSON that is safe inside <script>: no `<` at all, so no `</script>` or `<!--`. */
export const scriptJson = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** `</script` inside the library would end its element; `<\/script` means the same in JS strings, regexes and comments. */
const inlineScript = (source: string) => source.replace(/<\/(script)/gi, '<\\/$1');

const secs = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(2)} s`);
const signedPct = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x * 100).toFixed(1)} %`;
/** A change in build time, green when shorter, red when longer. */
const change = (ratio: number, suffix = '') =>
  `<span class="${ratio < 1 ? 'better' : ratio > 1 ? 'worse' : ''}">${signedPct(ratio - 1)}${suffix}</span>`;
/** `2026-11-25T12:40:00.000Z` → `2026-11-25 12:40 UTC`; anything else as it is. */
const when = (iso: string) => {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d(\.\d+)?)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
};

/** The run a configuration is judged by: measured when there is one. */
const mainRun = (c: ReportConfiguration): ReportRun | undefined => c.measured ?? c.predicted;

/** Core-seconds left idle over [0, makespan], as a share of cores × makespan. */
export function idleShare(samples: readonly SimSample[], cores: number, makespan: number): number {
  if (makespan <= 0 || cores <= 0) return 0;
  let idle = 0;
  for (let i = 0; i < samples.length; i++) {
    const from = Math.min(samples[i].t, makespan);
    const to = Math.min(i + 1 < samples.length ? samples[i + 1].t : makespan, makespan);
    if (to > from) idle += Math.max(0, cores - samples[i].threads) * (to - from);
  }
  return idle / (cores * makespan);
}

function threadsSummary(c: ReportConfiguration): string {
  if (c.description) return c.description;
  const entries = Object.entries(c.threads).filter(([, n]) => n !== 1);
  if (entries.length === 0) return '1 thread for every crate';
  const shown = entries.slice(0, 6).map(([crate, n]) => `${crate}: ${n === 0 ? 'all cores' : n}`);
  return shown.join(', ') + (entries.length > 6 ? `, and ${entries.length - 6} more` : '');
}

/** Names of the units to chart: longest in any configuration first; every threaded unit kept. */
export function crateRows(data: ReportData, max = MAX_CRATE_ROWS): string[] {
  const longest = new Map<string, number>();
  const threaded = new Set<string>();
  for (const c of data.configurations) {
    for (const t of mainRun(c)?.crates ?? []) {
      longest.set(t.name, Math.max(longest.get(t.name) ?? 0, t.frontend + t.backend));
      if (t.threads !== 1) threaded.add(t.name);
    }
  }
  const byLength = [...longest.keys()].sort((a, b) => longest.get(b)! - longest.get(a)!);
  const rows = byLength.slice(0, max);
  for (const name of byLength.slice(max)) if (threaded.has(name)) rows.push(name);
  return rows;
}

function view(data: ReportData): ReportView {
  const timelines: ReportView['timelines'] = [];
  data.configurations.forEach((c, config) => {
    for (const kind of ['measured', 'predicted'] as const) {
      const run = c[kind];
      if (!run) continue;
      const idle = idleShare(run.samples, data.machine.cores, run.makespan);
      timelines.push({
        config,
        kind,
        label: `${c.label}, ${kind}`,
        caption: `${c.label} (${kind}): ${run.makespan.toFixed(2)} s, ${run.units.length} units; ${(idle * 100).toFixed(0)} % of the ${data.machine.cores} cores' time idle.`,
      });
    }
  });
  return { crateRows: crateRows(data), timelines };
}

/** The headline's three lines: the choice (predicted vs predicted), the verdict (measured vs measured), the error. */
function headlineBlock(data: ReportData): string {
  const h = data.headline;
  if (!h) return '';
  const verdictClass = h.measuredRatio === undefined ? 'muted' : h.measuredRatio < 1 ? 'better' : h.measuredRatio > 1 ? 'worse' : '';
  return `<div class="headline"><p>${esc(h.choice)}</p><p class="${verdictClass}">${esc(h.verdict)}</p>${h.error ? `<p class="muted">${esc(h.error)}</p>` : ''}</div>`;
}

function summary(data: ReportData): string {
  const base = data.configurations[0];
  const rows = data.configurations.map((c) => {
    const run = mainRun(c);
    // Like with like: predicted against the baseline's prediction, measured medians against its measured median.
    const vsPredicted = c !== base && c.predicted && base?.predicted ? change(c.predicted.makespan / base.predicted.makespan) : '';
    const enough = (x?: ReportConfiguration) => (x?.runs?.n ?? 0) >= MIN_RUNS;
    const vsMeasured =
      c === base || !c.runs || !base?.runs ? '' : enough(c) && enough(base) ? change(c.runs.median / base.runs.median) : '<span class="muted">not enough runs yet</span>';
    const measured = c.runs ? describeSummary(c.runs) : '–';
    const idle = run ? `${(idleShare(run.samples, data.machine.cores, run.makespan) * 100).toFixed(0)} %` : '–';
    return `<tr><th scope="row">${esc(c.label)}</th><td>${esc(threadsSummary(c))}</td><td class="num">${esc(measured)}</td><td class="num">${secs(c.predicted?.makespan)}</td><td class="num">${vsPredicted}</td><td class="num">${vsMeasured}</td><td class="num">${idle}</td></tr>`;
  });
  const vs = esc(base?.label ?? 'first');
  return `<table class="summary"><thead><tr><th>configuration</th><th>front-end threads</th><th>measured (full builds)</th><th>predicted</th><th>vs ${vs}, predicted</th><th>vs ${vs}, measured</th><th>idle core time</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function decisions(data: ReportData): string {
  if (data.decisions.length === 0) return '<p class="muted">The tuner recorded no decisions.</p>';
  const rows = data.decisions.map(
    (d) =>
      `<tr><th scope="row">${esc(d.crate)}</th><td class="num">${secs(d.frontend)}</td><td class="num">${d.idleCores.toFixed(1)}</td><td class="num">${d.threads === 0 ? 'all' : d.threads}</td><td class="num">${secs(d.saving)}</td><td>${esc(d.reason)}</td></tr>`,
  );
  return `<table><thead><tr><th>crate</th><th>front-end</th><th>idle cores</th><th>threads</th><th>predicted saving</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function reverts(data: ReportData): string {
  if (data.reverts.length === 0) return '';
  const items = data.reverts.map((r) => `<li><b>${esc(r.crate)}</b>: ${r.from} → ${r.to} threads. ${esc(r.reason)}</li>`);
  const title = data.revertsApplied === false ? 'The guard would set back (this report changes nothing; the next tune does)' : 'Set back by the guard';
  return `<h3>${esc(title)}</h3><ul class="reverts">${items.join('')}</ul>`;
}

function crateTable(data: ReportData): string {
  const configs = data.configurations.filter((c) => mainRun(c));
  const names: string[] = [];
  const seen = new Set<string>();
  const cells = configs.map((c) => {
    const byName = new Map<string, { frontend: number; backend: number; split: boolean; threads: number }>();
    for (const t of mainRun(c)!.crates) {
      if (!seen.has(t.name)) (seen.add(t.name), names.push(t.name));
      const prev = byName.get(t.name);
      byName.set(
        t.name,
        prev
          ? { frontend: prev.frontend + t.frontend, backend: prev.backend + t.backend, split: prev.split && t.split, threads: Math.max(prev.threads, t.threads) }
          : { ...t },
      );
    }
    return byName;
  });
  const head = configs.map((c) => `<th colspan="3">${esc(c.label)}${c.measured ? '' : ' (predicted)'}</th>`).join('');
  const sub = configs.map(() => '<th>threads</th><th>front-end</th><th>back-end</th>').join('');
  const rows = names.map((name) => {
    const tds = cells
      .map((byName) => {
        const t = byName.get(name);
        if (!t) return '<td></td><td></td><td></td>';
        return `<td class="num">${t.threads === 0 ? 'all' : t.threads}</td><td class="num">${t.split ? secs(t.frontend) : '–'}</td><td class="num">${t.split ? secs(t.backend) : `${secs(t.backend)} (whole)`}</td>`;
      })
      .join('');
    return `<tr><th scope="row">${esc(name)}</th>${tds}</tr>`;
  });
  return `<table class="crates"><thead><tr><th rowspan="2">unit</th>${head}</tr><tr>${sub}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function predictedVsMeasured(data: ReportData): string {
  const rows = data.configurations
    .filter((c) => c.measured || c.predicted)
    .map((c) => {
      const m = c.runs?.median ?? c.measured?.makespan;
      const p = c.predicted?.makespan;
      const both = m !== undefined && p !== undefined && m > 0;
      return `<tr><th scope="row">${esc(c.label)}</th><td class="num">${secs(p)}</td><td class="num">${secs(m)}</td><td class="num">${both ? `${p! - m! >= 0 ? '+' : '−'}${Math.abs(p! - m!).toFixed(2)} s` : '–'}</td><td class="num">${both ? signedPct(p! / m! - 1) : '–'}</td></tr>`;
    });
  return `<table><thead><tr><th>configuration</th><th>predicted</th><th>measured (median)</th><th>predicted − measured</th><th>error</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function coreTable(data: ReportData): string {
  if (data.predictions.length === 0) return '<p class="muted">No predictions by core count.</p>';
  const rows = data.predictions.map(
    (p) =>
      `<tr><th scope="row">${p.cores}</th><td class="num">${secs(p.baseline)}</td><td class="num">${secs(p.tuned)}</td><td class="num">${secs(p.baseline - p.tuned)}</td><td class="num">${p.baseline > 0 ? change(p.tuned / p.baseline) : '–'}</td></tr>`,
  );
  return `<table><thead><tr><th>cores</th><th>baseline</th><th>tuned</th><th>saving</th><th>change</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const STYLE = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-alt: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); margin: 0; background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-top: 12px; border-top: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta, .muted, .caption { color: var(--muted); }
.caption { margin: 4px 0 10px; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }
thead th { background: var(--bg-alt); font-weight: 600; }
tbody th { font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
.chart { position: relative; width: 100%; }
details { margin-top: 10px; }
summary { cursor: pointer; color: var(--muted); }
select { font: inherit; padding: 2px 6px; }
.reverts { margin: 4px 0; padding-left: 20px; }
.notes { margin: 6px 0 0; }
.headline p { margin: 4px 0; font-size: 15px; }
.better { color: #1a7f37; }
.worse { color: #cf222e; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;

/** The report as a complete HTML document. `chartLibSource` is Chart.js 4's UMD build, inlined as is. */
export function renderReport(data: ReportData, chartLibSource: string): string {
  const v = view(data);
  const m = data.machine;
  const machine = [
    `${m.cores} cores`,
    m.jobs !== undefined ? `${m.jobs} jobs` : '',
    `cargo ${m.mode}`,
    `profile ${m.profile}`,
    m.target ?? '',
    m.toolchain,
  ].filter(Boolean);
  const configCount = Math.max(1, data.configurations.filter((c) => mainRun(c)).length);
  const crateHeight = Math.max(160, v.crateRows.length * (configCount * 11 + 8) + 90);
  const allUnits = new Set(data.configurations.flatMap((c) => (mainRun(c)?.crates ?? []).map((t) => t.name))).size;
  const options = v.timelines.map((t, i) => `<option value="${i}">${esc(t.label)}</option>`).join('');
  const notes = (data.notes ?? []).map((n) => `<p class="notes muted">${esc(n)}</p>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${esc(data.title)}</h1>
<p class="meta">${esc(data.workspace)} · ${esc(machine.join(' · '))} · made ${esc(when(data.generatedAt))}</p>
${notes}

<h2>Summary</h2>
${headlineBlock(data)}
${summary(data)}
<h3>Tuner decisions</h3>
${decisions(data)}
${reverts(data)}

<h2>Front-end and back-end time per crate</h2>
<p class="caption">One bar per configuration for each unit: front-end (until its metadata was written) dark, back-end light; outlined where the record has no split (build-script runs, some binaries). ${
    v.crateRows.length < allUnits ? `The ${v.crateRows.length} longest of ${allUnits} units and every threaded one; all are in the table below.` : `All ${allUnits} units.`
  }</p>
<div class="chart" style="height:${crateHeight}px"><canvas id="crates-chart" role="img" aria-label="front-end and back-end time per crate"></canvas></div>
<details><summary>Every unit, every configuration</summary>${crateTable(data)}</details>

<h2>Timeline</h2>
<p><label>Build: <select id="timeline-select">${options}</select></label></p>
<p class="caption" id="timeline-caption"></p>
<div class="chart" id="timeline-box"><canvas id="timeline-chart" role="img" aria-label="units over time"></canvas></div>
<div class="chart" style="height:190px"><canvas id="idle-chart" role="img" aria-label="threads in use and idle cores over time"></canvas></div>

<h2>Predicted vs measured</h2>
${predictedVsMeasured(data)}

<h2>Predicted build time by core count</h2>
<div class="chart" style="height:260px;max-width:760px"><canvas id="cores-chart" role="img" aria-label="predicted build time by core count"></canvas></div>
${coreTable(data)}

<footer>Made by fine-threads. Charts drawn with Chart.js (MIT licence), inlined in this file: it loads nothing.</footer>
</main>
<script id="report-data" type="application/json">${scriptJson(data)}</script>
<script id="report-view" type="application/json">${scriptJson(v)}</script>
<script>${inlineScript(chartLibSource)}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
