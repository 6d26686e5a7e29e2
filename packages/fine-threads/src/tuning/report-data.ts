/**
 * The report's data for one tune: the configurations recorded for the main
 * build (baseline, tuned, any other table), each measured and predicted, the
 * tuner's reasons, the guard's reverts and bigger machines' predictions. Pure.
 */
import type { BuildRecord } from '../recording/record';
import { measuredRun, predictedRun, type ReportConfiguration, type ReportData, type ReportHeadline } from '../report/model';
import type { SimResult } from '../simulation/model';
import { fullBuilds, loadedNote } from './select';
import { describeSummary, median, MIN_RUNS, summarize } from './stats';
import type { TuneResult } from './tuner';

/** Same table, same key: `{}` is the baseline. */
export function tableKey(table: Record<string, number>): string {
  return Object.entries(table)
    .filter(([, n]) => n > 1)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([c, n]) => `${c}=${n}`)
    .join(' ');
}

export interface ReportInput {
  workspace: string;
  machine: ReportData['machine'];
  /** Records of the main build's project, this machine profile, oldest first (full builds are chosen here). */
  records: BuildRecord[];
  tune: TuneResult;
  /** Predicts the main build under a table. */
  predict: (table: Record<string, number>) => SimResult;
  reverts: ReportData['reverts'];
  revertsApplied: boolean;
  predictions: ReportData['predictions'];
  notes: string[];
}

const pct = (ratio: number) => `${ratio > 1 ? '+' : ratio < 1 ? '−' : '±'}${Math.abs((ratio - 1) * 100).toFixed(1)} %`;

/** The headline: predicted vs predicted, measured vs measured, and the prediction's error apart. */
export function headline(configurations: readonly ReportConfiguration[], tunedLabel = 'tuned'): ReportHeadline {
  const base = configurations.find((c) => c.label === 'baseline');
  const tuned = configurations.find((c) => c.label === tunedLabel);
  const p0 = base?.predicted?.makespan;
  const p1 = tuned?.predicted?.makespan;
  const choice =
    !tuned || Object.keys(tuned.threads).length === 0
      ? `The tuner threads no crate${p0 !== undefined ? ` (baseline predicted ${p0.toFixed(1)} s)` : ''}.`
      : p0 !== undefined && p1 !== undefined
        ? `Predicted: tuned ${p1.toFixed(1)} s vs baseline ${p0.toFixed(1)} s, ${pct(p1 / p0)} (both simulated from the same records).`
        : 'Predicted: no simulation of both.';
  let verdict: string;
  let measuredRatio: number | undefined;
  const n0 = base?.runs?.n ?? 0;
  const n1 = tuned?.runs?.n ?? 0;
  if (!tuned || Object.keys(tuned.threads).length === 0) {
    verdict = base?.runs ? `Measured: baseline ${describeSummary(base.runs)}; nothing threaded to compare.` : 'Measured: no full build recorded yet.';
  } else if (n0 < MIN_RUNS || n1 < MIN_RUNS) {
    verdict = `Measured: not enough runs yet (${n0} full build(s) of baseline, ${n1} of tuned; ${MIN_RUNS} a side are needed for a verdict).`;
  } else {
    measuredRatio = tuned.runs!.median / base!.runs!.median;
    verdict = `Measured: tuned ${describeSummary(tuned.runs!)} vs baseline ${describeSummary(base!.runs!)}, ${pct(measuredRatio)} (medians of full builds on an idle machine).`;
  }
  const errors = configurations
    .filter((c) => c.runs && c.predicted)
    .map((c) => `${c.label} ${pct(c.predicted!.makespan / c.runs!.median)} (vs the median of ${c.runs!.n})`);
  return { choice, verdict, ...(measuredRatio !== undefined ? { measuredRatio } : {}), ...(errors.length ? { error: `Prediction error: ${errors.join('; ')}.` } : {}) };
}

export function reportData(input: ReportInput): ReportData {
  const tunedKey = tableKey(input.tune.table);
  // Measured: full builds only (no incremental, calibration or loaded build), grouped by table.
  const full = fullBuilds(input.records);
  const byKey = new Map<string, BuildRecord[]>();
  for (const r of full.builds) byKey.set(tableKey(r.threads), [...(byKey.get(tableKey(r.threads)) ?? []), r]);
  const keys = new Set<string>(['', ...byKey.keys(), tunedKey]);
  const configurations: ReportConfiguration[] = [];
  for (const key of keys) {
    const threads = Object.fromEntries(key ? key.split(' ').map((kv) => [kv.split('=')[0], Number(kv.split('=')[1])]) : []);
    const label = key === '' ? 'baseline' : key === tunedKey ? 'tuned' : `threads ${key}`;
    const runs = byKey.get(key) ?? [];
    // The chart shows the build nearest the median (the latest of equals).
    const mid = runs.length ? median(runs.map((r) => r.duration)) : 0;
    const shown = runs.reduce<BuildRecord | undefined>((best, r) => (!best || Math.abs(r.duration - mid) <= Math.abs(best.duration - mid) ? r : best), undefined);
    configurations.push({
      label,
      description: key === '' ? 'no front-end threads' : `front-end threads ${key}`,
      threads,
      ...(shown ? { measured: measuredRun(shown), runs: summarize(runs.map((r) => r.duration)) } : {}),
      predicted: predictedRun(input.predict(threads)),
    });
  }
  const loaded = loadedNote(full);
  return {
    title: `fine-threads: ${input.machine.mode} of ${input.workspace}`,
    workspace: input.workspace,
    generatedAt: new Date().toISOString(),
    machine: input.machine,
    configurations,
    headline: headline(configurations),
    decisions: input.tune.decisions.map((d) => ({ ...d })),
    reverts: input.reverts,
    revertsApplied: input.revertsApplied,
    predictions: input.predictions,
    notes: [...(loaded ? [loaded.replace(/^fine-threads: /, '')] : []), ...input.notes],
  };
}
