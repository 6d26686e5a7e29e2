/** Writes the HTML report: reads Chart.js from node_modules, renders, and replaces the file atomically. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ReportData } from './model';
import { renderReport } from './render';
import { writeFileAtomic } from '../system/atomic-write';

/**
 * Chart.js's UMD build (minified, defines `Chart`). The package's `exports` hide `dist/`, so
 * the file is found beside the entry point `require` resolves to (`dist/chart.cjs`).
 */
export function chartLibraryPath(): string {
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

let chartLibrary: string | undefined;
export function chartLibrarySource(): string {
  chartLibrary ??= readFileSync(chartLibraryPath(), 'utf8');
  return chartLibrary;
}

/**
 * Renders the report to `file` (parent directories made): written to a temp file beside it and
 * renamed over it, so a reader never sees half a report. Returns the absolute path written.
 */
export function writeReport(file: string, data: ReportData): string {
  const html = renderReport(data, chartLibrarySource());
  writeFileAtomic(file, html);
  return resolve(file);
}
