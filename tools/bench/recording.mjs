#!/usr/bin/env node
// Recording overhead: a clean debug build of the example's `app` (every crate)
// through `nx build`, recorded (cargo --timings, report parsed, record appended)
// and not (--record=false), interleaved over rounds in one run. Also times the
// plugin's own part alone: parsing the report and appending the record.
//   node tools/bench/recording.mjs [--rounds 3] [--json out.json]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyExample } from './lib/workspaces.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const nxBin = join(repo, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const rounds = Number(arg('rounds', 3));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const ws = mkdtempSync(join(tmpdir(), 'ft-bench-rec-'));
try {
  copyExample(ws);
  symlinkSync(join(repo, 'node_modules'), join(ws, 'node_modules'), 'dir');
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CARGO_INCREMENTAL: '0' };
  const build = (record) => {
    rmSync(join(ws, 'target'), { recursive: true, force: true });
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, [nxBin, 'build', 'app', '--skip-nx-cache', `--record=${record}`], { cwd: ws, env, stdio: 'ignore' });
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  build(true); // warm-up: Nx's own caches, the toolchain probe
  const on = [];
  const off = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      on.push(build(true));
      off.push(build(false));
    } else {
      off.push(build(false));
      on.push(build(true));
    }
  }

  // The plugin's own share: parse the last report and append a record, 20 times.
  const { parseTimingReport } = require(join(repo, 'packages/fine-threads/dist/recording/timings.js'));
  const { buildRecord } = require(join(repo, 'packages/fine-threads/dist/recording/record.js'));
  const { appendRecord } = require(join(repo, 'packages/fine-threads/dist/recording/store.js'));
  build(true); // leaves target/cargo-timings/cargo-timing.html
  const html = readFileSync(join(ws, 'target', 'cargo-timings', 'cargo-timing.html'), 'utf8');
  const file = join(ws, 'bench-records.jsonl');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 20; i++) {
    const report = parseTimingReport(html);
    appendRecord(
      file,
      buildRecord(report, { at: new Date(), project: 'app', cargoWorkspace: '.', mode: 'build', profile: 'dev', toolchain: 'x', cores: 2, threads: new Map(), success: true }, []),
    );
  }
  const ownMs = Number(process.hrtime.bigint() - t0) / 1e6 / 20;

  const result = {
    rounds,
    recordedSeconds: { min: Math.min(...on), median: median(on), max: Math.max(...on) },
    unrecordedSeconds: { min: Math.min(...off), median: median(off), max: Math.max(...off) },
    ratio: median(on) / median(off),
    parseAndAppendMs: ownMs,
  };
  console.log(`recording, clean debug build of the example (nx build app), ${rounds} interleaved rounds:`);
  console.log(`  recorded    median ${result.recordedSeconds.median.toFixed(2)} s  (min ${result.recordedSeconds.min.toFixed(2)}, max ${result.recordedSeconds.max.toFixed(2)})`);
  console.log(`  unrecorded  median ${result.unrecordedSeconds.median.toFixed(2)} s  (min ${result.unrecordedSeconds.min.toFixed(2)}, max ${result.unrecordedSeconds.max.toFixed(2)})`);
  console.log(`  recorded/unrecorded ${result.ratio.toFixed(3)} (target ≤ 1.01; run-to-run noise on this machine is of the same order)`);
  console.log(`  the plugin's own part (parse report + append record): ${ownMs.toFixed(2)} ms per build`);
  const out = arg('json', undefined);
  if (out) require('node:fs').writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(ws, { recursive: true, force: true });
}
