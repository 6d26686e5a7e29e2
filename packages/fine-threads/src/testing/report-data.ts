import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRecord, type BuildRecord } from '../recording/record';
import { parseTimingReport } from '../recording/timings';
import { measuredRun, predictedRun, type ReportData } from '../report/model';
import type { SimResult } from '../simulation/model';

/**
 * Report data for the report's specs, from the real cargo timing reports under
 * src/recording/__fixtures__ (a 2-core machine; see the README there). Each configuration's
 * measured run is one fixture's record; its "prediction" is the record replayed 4 % slower,
 * standing in for the simulator, which these specs do not test.
 */
export function fixtureRecord(fixture: string, threads: Record<string, number>): BuildRecord {
  const html = readFileSync(join(__dirname, '..', 'recording', '__fixtures__', `${fixture}.html`), 'utf8');
  return buildRecord(
    parseTimingReport(html),
    {
      project: 'my-lib',
      cargoWorkspace: '.',
      mode: 'build',
      profile: 'dev',
      toolchain: 'nightly',
      cores: 2,
      success: true,
      at: new Date('2026-11-25T12:36:26Z'),
      threads: new Map(Object.entries(threads)),
    },
    [],
  );
}

function replay(record: BuildRecord, factor: number): SimResult {
  const units = record.units.map((u) => ({
    key: `${u.package} ${u.version ?? '0.0.0'} ${u.kind} ${u.crate}`,
    crate: u.crate,
    kind: u.kind,
    start: u.start * factor,
    metadata: (u.start + (u.frontend ?? 0)) * factor,
    end: u.end * factor,
    threads: u.threads,
  }));
  const run = measuredRun({ duration: record.duration, units: record.units });
  return {
    makespan: record.duration * factor,
    units,
    samples: run.samples.map((s) => ({ ...s, t: s.t * factor })),
  };
}

export function fixtureReportData(): { data: ReportData; records: BuildRecord[] } {
  const configs: [string, string, Record<string, number>, string][] = [
    ['baseline', 'nightly-build', {}, '1 thread for every crate'],
    ['global2', 'nightly-build-section-timings', { base: 2, gen: 2, macros: 2, my_lib: 2, cli: 2, cli_tool: 2 }, '-Zthreads=2 for every crate'],
    ['tuned', 'stable-build', { base: 2 }, ''],
  ];
  const records = configs.map(([, fixture, threads]) => fixtureRecord(fixture, threads));
  const data: ReportData = {
    title: 'fine-threads report: my-lib',
    workspace: 'fixture workspace (src/recording/__fixtures__)',
    generatedAt: '2026-11-25T12:40:00.000Z',
    machine: { cores: 2, jobs: 2, toolchain: 'rustc 1.97.0-nightly (e50aa6fba 2026-05-19)', mode: 'build', profile: 'dev' },
    configurations: configs.map(([label, , threads, description], i) => ({
      label,
      ...(description ? { description } : {}),
      threads,
      measured: measuredRun(records[i]),
      predicted: predictedRun(replay(records[i], 1.04)),
    })),
    decisions: [
      { crate: 'base', frontend: 1.42, idleCores: 0.9, threads: 2, saving: 0.38, reason: 'long front-end with a core idle' },
      { crate: 'my_lib', frontend: 0.21, idleCores: 0.4, threads: 1, saving: 0, reason: 'front-end under 0.5 s' },
    ],
    reverts: [{ crate: 'cli', from: 2, to: 1, reason: 'measured 0.2 s slower than without threads' }],
    predictions: [
      { cores: 4, baseline: 3.1, tuned: 2.8 },
      { cores: 8, baseline: 2.9, tuned: 2.4 },
      { cores: 16, baseline: 2.9, tuned: 2.3 },
      { cores: 64, baseline: 2.9, tuned: 2.3 },
    ],
    notes: ['Fixture data: each configuration is a real cargo report, not a build with these thread counts.'],
  };
  return { data, records };
}
