/**
 * The report's data for one tune: the configurations recorded for the main
 * build (baseline, tuned, any other table), each measured and predicted, the
 * tuner's reasons, the guard's reverts and bigger machines' predictions. Pure.
 */
import type { BuildRecord } from '../recording/record';
import { measuredRun, predictedRun, type ReportConfiguration, type ReportData } from '../report/model';
import type { SimResult } from '../simulation/model';
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
  /** Records of the main build's project, this machine profile, oldest first. */
  records: BuildRecord[];
  /** Units of a full build: records with fewer than 90 % of them are incremental and left out. */
  fullUnits: number;
  tune: TuneResult;
  /** Predicts the main build under a table. */
  predict: (table: Record<string, number>) => SimResult;
  reverts: ReportData['reverts'];
  predictions: ReportData['predictions'];
  notes: string[];
}

export function reportData(input: ReportInput): ReportData {
  const tunedKey = tableKey(input.tune.table);
  const byKey = new Map<string, BuildRecord>();
  for (const r of input.records) if (r.units.length >= 0.9 * input.fullUnits) byKey.set(tableKey(r.threads), r);
  const keys = new Set<string>(['', ...byKey.keys(), tunedKey]);
  const configurations: ReportConfiguration[] = [];
  for (const key of keys) {
    const threads = Object.fromEntries(key ? key.split(' ').map((kv) => [kv.split('=')[0], Number(kv.split('=')[1])]) : []);
    const label = key === '' ? 'baseline' : key === tunedKey ? 'tuned' : `threads ${key}`;
    const record = byKey.get(key);
    configurations.push({
      label,
      description: key === '' ? 'no front-end threads' : `front-end threads ${key}`,
      threads,
      ...(record ? { measured: measuredRun(record) } : {}),
      predicted: predictedRun(input.predict(threads)),
    });
  }
  return {
    title: `fine-threads: ${input.machine.mode} of ${input.workspace}`,
    workspace: input.workspace,
    generatedAt: new Date().toISOString(),
    machine: input.machine,
    configurations,
    decisions: input.tune.decisions.map((d) => ({ ...d })),
    reverts: input.reverts,
    predictions: input.predictions,
    notes: input.notes,
  };
}
