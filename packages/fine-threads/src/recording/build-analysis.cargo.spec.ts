import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withBuildAnalysisIfAny } from '../cargo/recorded';
import { findBuildAnalysisLog, recordBuild } from './recorder';
import type { BuildRecord } from './record';
import { sameBuildDifferences } from '../testing/same-build';
import { recordsPath } from './store';
import { parseTimingReport } from './timings';

// Real cargo on a small workspace: one build read both ways, and which way the recorder reads.
// CARGO_HOME is a temp dir so the build-analysis logs of this spec are its own.

let root: string;
let home: string;
const savedHome = process.env.CARGO_HOME;

function writeWorkspace(dir: string): void {
  const file = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  file('Cargo.toml', '[workspace]\nmembers = ["base", "mid", "app"]\nresolver = "2"\n');
  file('base/Cargo.toml', '[package]\nname = "base"\nversion = "0.1.0"\nedition = "2021"\n');
  // Enough generic code that the front-end takes a measurable while.
  const items = Array.from({ length: 60 }, (_, k) => `pub struct S${k}<T>(pub T);\nimpl<T: Clone + std::fmt::Debug> S${k}<T> { pub fn get(&self) -> T { self.0.clone() } }\n`).join('');
  file('base/src/lib.rs', `${items}pub fn base() -> u32 { 1 }\n`);
  file('mid/Cargo.toml', '[package]\nname = "mid"\nversion = "0.2.0"\nedition = "2021"\n[dependencies]\nbase = { path = "../base" }\n');
  file('mid/build.rs', 'fn main() { println!("cargo:rerun-if-changed=build.rs"); }\n');
  file('mid/src/lib.rs', 'pub fn mid() -> u32 { base::base() + 1 }\n');
  file('app/Cargo.toml', '[package]\nname = "app-bin"\nversion = "0.3.0"\nedition = "2021"\n[dependencies]\nmid = { path = "../mid" }\n');
  file('app/src/main.rs', 'fn main() { println!("{}", mid::mid()); }\n');
}

function cargo(argv: string[]): void {
  // Jest gives a test its own process.env: pass it on, CARGO_HOME included.
  const r = spawnSync('cargo', argv, { cwd: root, env: { ...process.env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`cargo ${argv.join(' ')} failed: ${r.stderr}`);
}

const ctx = (mode: 'build' | 'check') => ({
  project: 'app',
  cargoWorkspace: '.',
  mode,
  profile: 'dev',
  cores: 2,
  success: true,
  at: new Date(),
  threads: new Map<string, number>(),
});

const records = (): BuildRecord[] =>
  readFileSync(recordsPath(root), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ft-ba-real-'));
  home = join(root, '.cargo-home');
  mkdirSync(home);
  process.env.CARGO_HOME = home;
  writeWorkspace(root);
});
afterAll(() => {
  if (savedHome === undefined) delete process.env.CARGO_HOME;
  else process.env.CARGO_HOME = savedHome;
  rmSync(root, { recursive: true, force: true });
});

it('nightly: one build with --timings and -Zbuild-analysis reads the same units and times both ways', async () => {
  const target = join(root, 'target-both');
  const prepared = await withBuildAnalysisIfAny(root, ['+nightly', 'build', '--timings', '--target-dir', target], root);
  expect(prepared?.argv).toEqual(['+nightly', 'build', '--timings', '--target-dir', target, '-Zbuild-analysis', '--config', 'build.analysis.enabled=true']);
  const since = Date.now();
  cargo(prepared!.argv);
  const log = findBuildAnalysisLog(prepared!.lookup, since);
  expect(log?.lossy).toBeUndefined();
  const reports = readdirSync(join(target, 'cargo-timings')).filter((n) => n.includes(log!.runId));
  // cargo names both after one run id: the two are readings of one build.
  expect(reports).toEqual([`cargo-timing-${log!.runId}.html`]);
  const html = parseTimingReport(readFileSync(join(target, 'cargo-timings', reports[0]), 'utf8'));
  expect(log!.report.units.length).toBe(5);
  expect(sameBuildDifferences(log!.report, html)).toEqual([]);
  // The libs' front-ends are there to compare, not zeros.
  expect(log!.report.units.filter((u) => u.frontend !== undefined).map((u) => u.crateName).sort()).toEqual(['base', 'mid']);
}, 180_000);

it('nightly: the recorder reads the log, and deletes the log it asked for and the HTML report', async () => {
  const target = join(root, 'target-record');
  const argv = ['+nightly', 'check', '-p', 'app-bin', '--timings', '--target-dir', target];
  const prepared = await withBuildAnalysisIfAny(root, argv, root);
  const since = Date.now();
  cargo(prepared!.argv);
  const before = readdirSync(join(home, 'log')).length;
  expect(recordBuild(root, target, since, join(root, 'no-events'), ctx('check'), ['app-bin'], prepared!.lookup)).toBe('build-analysis');
  expect(readdirSync(join(home, 'log'))).toHaveLength(before - 1);
  expect(readdirSync(join(target, 'cargo-timings'))).toEqual(['cargo-timing.html']);
  const record = records().pop()!;
  expect(record.units.map((u) => `${u.crate} ${u.kind} ${u.mode}`).sort()).toEqual([
    'app_bin bin check',
    'base lib check',
    'build_script_build build-script build',
    'build_script_build build-script-run run-custom-build',
    'mid lib check',
  ]);
  expect(record.toolchain).toMatch(/nightly/);
}, 180_000);

it('stable: no build-analysis, so the argv is left alone and the recorder reads the HTML report', async () => {
  const target = join(root, 'target-stable');
  const argv = ['+stable', 'build', '-p', 'app-bin', '--timings', '--target-dir', target];
  expect(await withBuildAnalysisIfAny(root, argv, root)).toBeUndefined();
  const logs = () => (readdirSync(home).includes('log') ? readdirSync(join(home, 'log')).length : 0);
  const before = logs();
  const since = Date.now();
  cargo(argv);
  expect(logs()).toBe(before);
  expect(recordBuild(root, target, since, join(root, 'no-events'), ctx('build'), ['app-bin'])).toBe('timings');
  expect(records().pop()!.units.map((u) => u.crate).sort()).toEqual(['app_bin', 'base', 'build_script_build', 'build_script_build', 'mid']);
}, 180_000);
