import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTimingReport, TimingReportError, type TimingReport, type TimingUnit } from './timings';

// Real reports from cargo 1.95 (stable) and 1.97-nightly; see __fixtures__/README.md.
const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', `${name}.html`), 'utf8');
const FIXTURES = [
  'stable-build',
  'stable-check',
  'stable-rebuild',
  'stable-test',
  'stable-build-failed',
  'nightly-build',
  'nightly-build-section-timings',
];

const find = (report: TimingReport, pkg: string, description = '') => {
  const matches = report.units.filter((u) => u.package === pkg && u.description === description);
  expect(matches).toHaveLength(1);
  return matches[0];
};

const errorOf = (html: string): TimingReportError => {
  try {
    parseTimingReport(html);
  } catch (e) {
    if (e instanceof TimingReportError) return e;
    throw e;
  }
  throw new Error('expected a TimingReportError');
};

describe('parseTimingReport on cargo 1.95 `cargo build --timings`', () => {
  const report = parseTimingReport(fixture('stable-build'));

  it('reads the summary table', () => {
    expect(report).toMatchObject({
      duration: 3.97,
      profile: 'dev',
      jobs: 2,
      ncpu: 2,
      maxConcurrency: 2,
      rustcVersion: 'rustc 1.95.0 (59807616e 2026-04-14)',
      host: 'x86_64-unknown-linux-gnu',
      targets: ['x86_64-unknown-linux-gnu'],
      buildStart: '2026-11-25T12:36:26.743075523Z',
      freshUnits: 0,
      dirtyUnits: 8,
    });
    expect(report.error).toBeUndefined();
    expect(report.notRun).toEqual([]);
    expect(report.cpuUsage).toHaveLength(13);
    expect(report.cpuUsage[0]).toEqual([0.39979504, 100]);
    expect(report.concurrency).toHaveLength(12);
    expect(report.concurrency[1]).toEqual({ t: 0.24, active: 2, waiting: 0, inactive: 6 });
  });

  it('lists every unit in start order with its kind', () => {
    expect(report.units.map((u) => [u.package, u.crateName, u.kind, u.mode])).toEqual([
      ['base', 'base', 'lib', 'build'],
      ['gen', 'gen', 'lib', 'build'],
      ['my-lib', 'build_script_build', 'build-script', 'build'],
      ['my-lib', 'build_script_build', 'build-script-run', 'run-custom-build'],
      ['macros', 'macros', 'lib', 'build'], // a proc-macro: the report does not say so
      ['my-lib', 'my_lib', 'lib', 'build'],
      ['cli', 'cli', 'lib', 'build'],
      ['cli', 'cli_tool', 'bin', 'build'],
    ]);
    expect(report.units.map((u) => u.description)).toEqual([
      '', '', 'build-script', 'build-script (run)', '', '', '', 'cli-tool "bin"',
    ]);
  });

  it('splits a pipelined lib into front-end and back-end', () => {
    const base = find(report, 'base');
    // "start": 0.23, "duration": 2.05, sections frontend 0–1.34, codegen 1.34–2.05
    expect(base).toMatchObject({ version: '0.3.1', start: 0.23, end: 2.28, frontend: 1.34, backend: 0.71 });
    expect(base.sections).toEqual([
      { name: 'frontend', start: 0, end: 1.34 },
      { name: 'codegen', start: 1.34, end: 2.05 },
    ]);
    // 0.23–0.24 alone, then with gen and the build script: (0.01 × 0 + 1.33 × 1) / 1.34
    expect(base.concurrentDuringFrontend).toBeCloseTo(1.33 / 1.34, 10);
    expect(find(report, 'my-lib')).toMatchObject({ start: 2.64, end: 3.42, frontend: 0.26, backend: 0.52, concurrentDuringFrontend: 0 });
  });

  it('has no front-end for build scripts, their runs, proc-macros and bins', () => {
    for (const [pkg, description] of [
      ['my-lib', 'build-script'],
      ['my-lib', 'build-script (run)'],
      ['macros', ''],
      ['cli', 'cli-tool "bin"'],
    ]) {
      const unit = find(report, pkg, description);
      expect(unit.frontend).toBeUndefined();
      expect(unit.backend).toBeUndefined();
      expect(unit.sections).toBeUndefined();
    }
    // Without a front-end the whole span counts: 1.46–1.77 beside base.
    expect(find(report, 'my-lib', 'build-script (run)')).toMatchObject({ start: 1.46, end: 1.77, concurrentDuringFrontend: 1 });
  });

  it('maps unblocked unit ids to indices into units[]', () => {
    const index = (u: TimingUnit) => report.units.indexOf(u);
    const myLib = find(report, 'my-lib');
    // my-lib (i 5): "unblocked_units": [2] (cli-tool), "unblocked_rmeta_units": [1] (cli lib)
    expect(myLib.unblocks).toEqual([index(find(report, 'cli', 'cli-tool "bin"'))]);
    expect(myLib.unblocksRmeta).toEqual([index(find(report, 'cli'))]);
    expect(find(report, 'gen').unblocks).toEqual([index(find(report, 'my-lib', 'build-script'))]);
    expect(find(report, 'macros').unblocks).toEqual([index(myLib)]);
    expect(find(report, 'base').unblocks).toEqual([]);
  });
});

describe('parseTimingReport on cargo 1.95 `cargo check --timings`', () => {
  const report = parseTimingReport(fixture('stable-check'));

  it('reads check units with their front-end and build-dependency units built in full', () => {
    expect(report.units).toHaveLength(10);
    expect(report.duration).toBe(2.61);
    // " (check)", "start": 0.23, "duration": 1.19, frontend 0–1.15
    expect(find(report, 'base', '(check)')).toMatchObject({ kind: 'lib', mode: 'check', start: 0.23, end: 1.42, frontend: 1.15, backend: 0.04 });
    expect(find(report, 'cli', 'cli-tool "bin" (check)')).toMatchObject({
      kind: 'bin', mode: 'check', crateName: 'cli_tool', frontend: 0.1, backend: 0.02,
    });
    // The proc-macro is compiled for my-lib (no sections) and checked as a member (sections).
    expect(find(report, 'macros').frontend).toBeUndefined();
    expect(find(report, 'macros', '(check)').frontend).toBe(0.17);
    expect(report.units.filter((u) => u.kind.startsWith('build-script')).map((u) => [u.kind, u.mode])).toEqual([
      ['build-script', 'build'],
      ['build-script-run', 'run-custom-build'],
    ]);
  });
});

describe('parseTimingReport on cargo 1.97-nightly', () => {
  it('reads `cargo +nightly build --timings` like stable', () => {
    const report = parseTimingReport(fixture('nightly-build'));
    expect(report.rustcVersion).toBe('rustc 1.97.0-nightly (e50aa6fba 2026-05-19)');
    expect(report.units).toHaveLength(8);
    expect(report.duration).toBe(3.2);
    expect(find(report, 'base')).toMatchObject({ start: 0.27, end: 1.98, frontend: 1.17, backend: 0.54 });
    expect(find(report, 'cli', 'cli-tool "bin"').frontend).toBeUndefined();
  });

  it('reads rustc sections under -Zsection-timings, which give bins and proc-macros a front-end', () => {
    const report = parseTimingReport(fixture('nightly-build-section-timings'));
    const base = find(report, 'base');
    // frontend end 1.6731395980000001 (cargo leaves it unrounded), duration 2.86
    expect(base).toMatchObject({ start: 0.23, end: 3.09, frontend: 1.67, backend: 1.19 });
    expect(base.sections?.map((s) => s.name)).toEqual(['frontend', 'codegen', 'link', 'other']);
    expect(find(report, 'cli', 'cli-tool "bin"')).toMatchObject({ frontend: 0.11, backend: 0.25 });
    expect(find(report, 'macros').frontend).toBe(0.35);
    expect(find(report, 'my-lib', 'build-script').frontend).toBe(0.24);
    expect(find(report, 'my-lib', 'build-script (run)').frontend).toBeUndefined();
  });
});

describe('parseTimingReport on partial builds', () => {
  it('puts fresh units, which cargo 1.95 lists with start and duration 0, in notRun', () => {
    const report = parseTimingReport(fixture('stable-rebuild'));
    expect(report).toMatchObject({ freshUnits: 7, dirtyUnits: 1, maxConcurrency: 1, duration: 0.41, cpuUsage: [] });
    expect(report.units).toHaveLength(1);
    expect(report.units[0]).toMatchObject({ crateName: 'cli_tool', kind: 'bin', start: 0.03, end: 0.41, concurrentDuringFrontend: 0 });
    expect(report.notRun.map((u) => `${u.package}:${u.kind}`)).toEqual([
      'base:lib', 'cli:lib', 'gen:lib', 'macros:lib', 'my-lib:lib', 'my-lib:build-script', 'my-lib:build-script-run',
    ]);
  });

  it('reads unit tests, integration tests, examples, and doc tests that --no-run never ran', () => {
    const report = parseTimingReport(fixture('stable-test'));
    expect(report.profile).toBe('test');
    expect(report.units).toHaveLength(15);
    expect(find(report, 'my-lib', 'smoke "test" (test)')).toMatchObject({ kind: 'test', mode: 'test', crateName: 'smoke' });
    const unitTests = find(report, 'my-lib', 'my_lib "lib" (test)');
    expect(unitTests).toMatchObject({ kind: 'lib', mode: 'test', crateName: 'my_lib' });
    expect(unitTests.frontend).toBeUndefined();
    expect(find(report, 'cli', 'demo "example"')).toMatchObject({ kind: 'example', mode: 'build', crateName: 'demo' });
    expect(find(report, 'cli', 'cli-tool "bin" (test)')).toMatchObject({ kind: 'bin', mode: 'test' });
    expect(report.notRun).toHaveLength(5);
    expect(report.notRun.every((u) => u.kind === 'lib' && u.mode === 'doctest')).toBe(true);
    // my-lib's lib (i 15) unblocked [3, 17, 16]: 16 is its doc test, which never ran, so it is dropped.
    const myLib = find(report, 'my-lib');
    expect(myLib.unblocks.map((i) => report.units[i].description)).toEqual(['cli "lib" (test)', 'smoke "test" (test)']);
    expect(myLib.unblocksRmeta.map((i) => report.units[i].description)).toEqual(['']);
  });

  it('reads a failed build: the error, the unit that failed, and the units never started', () => {
    const report = parseTimingReport(fixture('stable-build-failed'));
    expect(report.error).toBe('1 job failed');
    expect(report.duration).toBe(1.84);
    expect(find(report, 'base')).toEqual(expect.objectContaining({ start: 1.17, end: 1.17, failed: true, concurrentDuringFrontend: 1 }));
    expect(report.units.filter((u) => u.failed)).toHaveLength(1);
    expect(report.notRun.map((u) => `${u.package}:${u.kind}`)).toEqual(['cli:lib', 'cli:bin', 'my-lib:lib']);
  });
});

describe('concurrentDuringFrontend', () => {
  /** The same average computed from the units' own spans instead of cargo's samples. */
  const fromSpans = (report: TimingReport, unit: TimingUnit) => {
    const from = unit.start;
    const to = unit.frontend === undefined ? unit.end : unit.start + unit.frontend;
    if (to <= from) return undefined;
    let area = 0;
    for (const other of report.units) {
      if (other !== unit) area += Math.max(0, Math.min(other.end, to) - Math.max(other.start, from));
    }
    return area / (to - from);
  };

  it.each(FIXTURES)('is between 0 and max concurrency - 1 and agrees with the unit spans in %s', (name) => {
    const report = parseTimingReport(fixture(name));
    expect(report.jobs).toBe(2);
    for (const unit of report.units) {
      expect(unit.concurrentDuringFrontend).toBeGreaterThanOrEqual(0);
      expect(unit.concurrentDuringFrontend).toBeLessThanOrEqual(report.maxConcurrency! - 1);
      const expected = fromSpans(report, unit);
      if (expected !== undefined) expect(unit.concurrentDuringFrontend).toBeCloseTo(expected, 1);
    }
  });
});

describe('parseTimingReport on other input', () => {
  it.each([
    ['cut in the middle', (html: string) => html.slice(0, html.indexOf('"name": "my-lib"'))],
    ['cut at the end', (html: string) => html.slice(0, -20)],
  ])('rejects a truncated report (%s) with one line', (_, cut) => {
    const error = errorOf(cut(fixture('stable-build')));
    expect(error.message).toBe('truncated cargo timing report (it does not end with </html>)');
  });

  it('rejects a random HTML page with one line', () => {
    const page = '<!doctype html>\n<html><head><title>Hello</title></head>\n<body><p>const UNIT_DATA = [];</p></body>\n</html>\n';
    expect(errorOf(page).message).toBe('not a cargo timing report (no "Cargo Build Timings" heading)');
  });

  it('names the broken constant when the data is not JSON', () => {
    const html = fixture('stable-build').replace('const CPU_USAGE = [', 'const CPU_USAGE = [NaN, ');
    const error = errorOf(html);
    expect(error.message).toMatch(/^unsupported cargo timing report: CPU_USAGE is not JSON \(.+\)$/);
    expect(error.message).not.toContain('\n');
  });

  it('names the field when the data has another shape', () => {
    const html = fixture('stable-build').replace('"start": 0.23,', '"start": "0.23",');
    expect(errorOf(html).message).toBe('unsupported cargo timing report: UNIT_DATA[0].start is not a number');
    expect(errorOf(html.replace('const UNIT_DATA = ', 'const UNITS = ')).message).toBe(
      'unsupported cargo timing report: no UNIT_DATA data',
    );
  });

  it('reads the field names of cargo 1.90 (rmeta_time, unlocked_units) and target descriptions', () => {
    // Synthetic: cargo 1.90's UnitData shape (from its source, tag 0.91.0) spliced into a real page.
    const old = [
      { i: 0, name: 'my-lib', version: '1.0.0', mode: 'todo', target: '', start: 0.1, duration: 1.5, rmeta_time: 0.6, unlocked_units: [2], unlocked_rmeta_units: [1] },
      { i: 1, name: 'my-lib', version: '1.0.0', mode: 'todo', target: ' lib (check)', start: 0.7, duration: 0.3, rmeta_time: 0.25, unlocked_units: [], unlocked_rmeta_units: [] },
      { i: 2, name: 'my-lib', version: '1.0.0', mode: 'run-custom-build', target: ' build script (run)', start: 1.6, duration: 0.2, rmeta_time: null, unlocked_units: [], unlocked_rmeta_units: [] },
      { i: 3, name: 'cli', version: '0.1.0', mode: 'todo', target: ' bin "cli-tool" (test)', start: 1.8, duration: 0.4, rmeta_time: null, unlocked_units: [], unlocked_rmeta_units: [] },
    ];
    const html = fixture('stable-build').replace(/const UNIT_DATA = [\s\S]*?\];\n/, `const UNIT_DATA = ${JSON.stringify(old, null, 2)};\n`);
    const report = parseTimingReport(html);
    expect(report.units.map((u) => [u.kind, u.mode, u.crateName, u.frontend, u.backend])).toEqual([
      ['lib', 'build', 'my_lib', 0.6, 0.9],
      ['lib', 'check', 'my_lib', 0.25, 0.05],
      ['build-script-run', 'run-custom-build', 'build_script_build', undefined, undefined],
      ['bin', 'test', 'cli_tool', undefined, undefined],
    ]);
    expect(report.units[0]).toMatchObject({ unblocks: [2], unblocksRmeta: [1] });
  });
});
