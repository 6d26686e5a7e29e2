#!/usr/bin/env node
// The seed-style figure as a PNG: the "front-end and back-end time per crate"
// chart of a tune report, drawn by Debian's chromium (through playwright-core,
// which downloads no browser). A separate process so that a missing browser
// costs the benchmark its picture only.
//   node tools/bench/lib/figure-png.mjs <report.html> <out.png>
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [html, png] = process.argv.slice(2);
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`no ${CHROMIUM} (apt-get install chromium)`);
  process.exit(2);
}
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
  // Chart.js draws on load; give its animation time to end.
  await page.waitForTimeout(1500);
  const chart = page.locator('#crates-chart').locator('xpath=..');
  await chart.screenshot({ path: png, animations: 'disabled' });
} finally {
  await browser.close();
}
