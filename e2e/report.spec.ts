import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fixtureReportData } from '../packages/fine-threads/src/testing/report-data';
import type { ReportData } from '../packages/fine-threads/src/report/model';

// The HTML report, written by the BUILT plugin (`npm run build`), opened in Debian's chromium
// (tools/setup.mjs installs it): it loads nothing, logs no error, and its charts hold the
// recorded units. The screenshot is left in tmp/report-e2e/ to look at.
const { writeReport } = require('../packages/fine-threads/dist/report/write') as typeof import('../packages/fine-threads/src/report/write');

const outDir = join(__dirname, '..', 'tmp', 'report-e2e');
const reportFile = join(outDir, 'report.html');
const screenshot = join(outDir, 'report.png');

let browser: Browser;
let page: Page;
let data: ReportData;
const problems: string[] = [];
const requests: string[] = [];

interface ChartState {
  labels: string[];
  datasets: { label: string; data: unknown[] }[];
}

/** What a chart on the page holds, read from Chart.js itself. */
const chartState = (canvasId: string) =>
  page.evaluate((id) => {
    const chart = (globalThis as any).Chart.getChart(id);
    if (!chart) return null;
    return {
      labels: chart.data.labels ?? [],
      datasets: chart.data.datasets.map((d: any) => ({ label: d.label, data: d.data })),
    };
  }, canvasId) as Promise<ChartState | null>;

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  data = fixtureReportData().data;
  writeReport(reportFile, data);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(reportFile).href, { waitUntil: 'load' });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

it('loads with no console error and requests nothing but itself', () => {
  expect(problems).toEqual([]);
  expect(requests).toEqual([pathToFileURL(reportFile).href]);
});

it('charts every recorded unit, with its front-end and back-end time, per configuration', async () => {
  const crates = await chartState('crates-chart');
  expect(crates).not.toBeNull();
  const baseline = data.configurations[0].measured!;
  expect(baseline.units.length).toBeGreaterThan(5);
  expect([...crates!.labels].sort()).toEqual(baseline.crates.map((c) => c.name).sort());
  for (const crate of ['base', 'gen', 'macros', 'my_lib', 'cli', 'cli_tool (bin)']) expect(crates!.labels).toContain(crate);

  const row = crates!.labels.indexOf('base');
  const base = baseline.crates.find((c) => c.name === 'base')!;
  expect(base.frontend).toBeGreaterThan(0);
  const byLabel = new Map(crates!.datasets.map((d) => [d.label, d.data]));
  expect(byLabel.get('baseline front-end')![row]).toBe(base.frontend);
  expect(byLabel.get('baseline back-end')![row]).toBe(base.backend);
  for (const c of data.configurations) expect(byLabel.has(`${c.label} front-end`)).toBe(true);
});

it('draws the timeline of a build and the threads in use against the cores', async () => {
  const tuned = data.configurations[2].measured!;
  const timeline = await chartState('timeline-chart');
  expect(timeline!.labels).toHaveLength(tuned.units.length);
  expect([...timeline!.labels].sort()).toEqual(tuned.units.map((u) => u.name).sort());
  const idle = await chartState('idle-chart');
  expect(idle!.datasets[0].data.length).toBeGreaterThan(2);
  expect((idle!.datasets[1].data as { y: number }[]).every((p) => p.y === data.machine.cores)).toBe(true);

  // Another build from the menu: the charts follow.
  await page.selectOption('#timeline-select', { label: 'baseline, predicted' });
  const predicted = await chartState('timeline-chart');
  expect(predicted!.labels).toHaveLength(data.configurations[0].predicted!.units.length);
  expect(await page.textContent('#timeline-caption')).toContain('baseline (predicted)');
  await page.selectOption('#timeline-select', { label: 'tuned, measured' });
  expect(problems).toEqual([]);
});

it('shows the core-count predictions and the tables', async () => {
  const cores = await chartState('cores-chart');
  expect(cores!.labels).toEqual(['4 cores', '8 cores', '16 cores', '64 cores']);
  expect(cores!.datasets.map((d) => d.data)).toEqual([data.predictions.map((p) => p.baseline), data.predictions.map((p) => p.tuned)]);
  const summary = await page.textContent('table.summary');
  for (const c of data.configurations) expect(summary).toContain(c.label);
});

it('takes a screenshot of the whole page', async () => {
  await page.screenshot({ path: screenshot, fullPage: true });
  const png = readFileSync(screenshot);
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  // IHDR: width and height, big-endian, at bytes 16 and 20.
  expect(png.readUInt32BE(16)).toBe(1280);
  expect(png.readUInt32BE(20)).toBeGreaterThan(1500);
  // A blank or unstyled page compresses to a few KB; charts and tables do not.
  expect(statSync(screenshot).size).toBeGreaterThan(60_000);
});
