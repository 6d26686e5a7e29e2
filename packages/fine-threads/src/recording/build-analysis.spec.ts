import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBuildAnalysisLog } from './build-analysis';
import { sameBuildDifferences } from '../testing/same-build';
import { parseTimingReport, TimingReportError, type TimingReport } from './timings';

// Real logs (and the HTML report of the same build) from cargo 1.97-nightly; see __fixtures__/README.md.
const fixture = (name: string) => readFileSync(join(__dirname, '__fixtures__', name), 'utf8');
const log = (name: string) => parseBuildAnalysisLog(fixture(`nightly-analysis-${name}.jsonl`));
const html = (name: string) => parseTimingReport(fixture(`nightly-analysis-${name}.html`));

const expectSameBuild = (fromLog: TimingReport, fromHtml: TimingReport) => expect(sameBuildDifferences(fromLog, fromHtml)).toEqual([]);

describe('parseBuildAnalysisLog on `cargo +nightly build -Zbuild-analysis`', () => {
  const parsed = log('build');
  const { report } = parsed;

  it('reads the run id, the command and the header the HTML report has', () => {
    expect(parsed.runId).toBe('20261206T015014046Z-21dce97829cafa99');
    expect(parsed.command.slice(1, 3)).toEqual(['build', '-Zbuild-analysis']);
    expect(parsed.cwd).toBe('/tmp/ft-ba-ws');
    expect(parsed.lossy).toBeUndefined();
    expect(report).toMatchObject({
      profile: 'dev',
      jobs: 2,
      ncpu: 2,
      rustcVersion: 'rustc 1.97.0-nightly (e50aa6fba 2026-05-19)',
      host: 'x86_64-unknown-linux-gnu',
      targets: ['x86_64-unknown-linux-gnu'],
      buildStart: '2026-12-06T01:50:14.046Z',
      freshUnits: 0,
      dirtyUnits: 5,
      notRun: [],
      cpuUsage: [],
    });
  });

  it('lists each unit with the identity the HTML parse gives it, in start order', () => {
    expect(report.units.map((u) => [u.package, u.version, u.crateName, u.kind, u.mode, u.features])).toEqual([
      ['b', '0.2.0', 'build_script_build', 'build-script', 'build', []],
      ['a', '0.1.0', 'a', 'lib', 'build', ['default', 'fast']],
      ['b', '0.2.0', 'build_script_build', 'build-script-run', 'run-custom-build', []],
      ['b', '0.2.0', 'b', 'lib', 'build', []],
      ['c-bin', '0.3.0', 'c_bin', 'bin', 'build', []],
    ]);
    const starts = report.units.map((u) => u.start);
    expect(starts).toEqual([...starts].sort((x, y) => x - y));
  });

  it('gives libs a front-end (until the .rmeta) and a back-end; the bin and the build-script run none', () => {
    const byCrate = Object.fromEntries(report.units.map((u) => [`${u.crateName} ${u.kind}`, u]));
    for (const lib of ['a lib', 'b lib']) {
      const u = byCrate[lib];
      expect(u.frontend).toBeGreaterThan(0);
      expect(u.frontend! + u.backend!).toBeCloseTo(u.end - u.start, 9);
    }
    expect(byCrate['c_bin bin'].frontend).toBeUndefined();
    expect(byCrate['build_script_build build-script-run'].frontend).toBeUndefined();
    // b's build script run waits for the build script, b for the run, c-bin for b.
    const at = (key: string) => report.units.indexOf(byCrate[key]);
    expect(byCrate['build_script_build build-script'].unblocks).toEqual([at('build_script_build build-script-run')]);
    expect(byCrate['b lib'].unblocks).toEqual([at('c_bin bin')]);
    expect(report.duration).toBe(Math.max(...report.units.map((u) => u.end)));
  });

  it('reads the same units and times as the HTML report cargo wrote for the same build', () => {
    expectSameBuild(report, html('build'));
    // And the comparison sees a difference: another build's HTML report is not this one.
    expect(sameBuildDifferences(report, html('sections')).length).toBeGreaterThan(0);
  });

  it('counts the other units running during a front-end as the HTML parse does', () => {
    const h = html('build');
    for (const u of report.units) {
      const v = h.units.find((x) => x.crateName === u.crateName && x.kind === u.kind)!;
      expect([u.crateName, u.kind, Math.abs(u.concurrentDuringFrontend - v.concurrentDuringFrontend) < 0.1]).toEqual([u.crateName, u.kind, true]);
    }
    expect(report.maxConcurrency).toBe(html('build').maxConcurrency);
  });
});

describe('parseBuildAnalysisLog on other builds', () => {
  it('a rebuild after touching the bin: one unit ran, four fresh ones are not listed', () => {
    const { report } = log('rebuild');
    expect(report.units.map((u) => u.crateName)).toEqual(['c_bin']);
    expect(report).toMatchObject({ freshUnits: 4, dirtyUnits: 1 });
    expect(report.notRun.map((u) => u.crateName).sort()).toEqual(['a', 'b', 'build_script_build', 'build_script_build']);
  });

  it('-Zsection-timings: the front-end ends where codegen starts, with the sections the HTML has', () => {
    const { report } = log('sections');
    expectSameBuild(report, html('sections'));
    const a = report.units.find((u) => u.crateName === 'a')!;
    expect(a.sections!.map((s) => s.name).slice(0, 3)).toEqual(['frontend', 'codegen', 'link']);
    expect(a.frontend).toBe(a.sections![1].start);
  });

  it('a failed build: the unit whose rustc failed started and never finished', () => {
    const { report } = log('failed');
    const failed = report.units.filter((u) => u.failed);
    expect(failed.map((u) => u.crateName)).toEqual(['a']);
    expect(failed[0].end).toBe(failed[0].start);
    // cargo logs no error: that comes only with the HTML.
    expect(report.error).toBeUndefined();
    expect(html('failed').error).toBeDefined();
    expect(report.notRun.map((u) => u.crateName)).toContain('c_bin');
  });

  it('`check --tests`: check and check-test units look alike in the log, so it says it is lossy', () => {
    const parsed = log('check-tests');
    expect(parsed.lossy).toMatch(/alike|check-test/);
    // The HTML tells them apart.
    expect(html('check-tests').units.map((u) => u.mode).sort()).toContain('check-test');
  });

  it('is lossy for a check whose command asks for tests even when no two units collide', () => {
    const text = fixture('nightly-analysis-build.jsonl').replace(/"mode":"build"/g, '"mode":"check"').replace('"build","-Zbuild-analysis"', '"check","--all-targets","-Zbuild-analysis"');
    expect(parseBuildAnalysisLog(text).lossy).toMatch(/--all-targets/);
    expect(parseBuildAnalysisLog(text.replace('"--all-targets",', '')).lossy).toBeUndefined();
  });
});

describe('parseBuildAnalysisLog on what is not a whole log', () => {
  const text = fixture('nightly-analysis-build.jsonl');

  it('drops a last line cut short (cargo killed mid-write) and keeps the rest', () => {
    const lines = text.trimEnd().split('\n');
    const cut = [...lines.slice(0, -1), lines[lines.length - 1].slice(0, 30)].join('\n');
    const { report } = parseBuildAnalysisLog(cut);
    const c = report.units.find((u) => u.crateName === 'c_bin')!;
    expect(c.failed).toBe(true);
  });

  it('throws one line for a torn line inside, another run, or a text that is not a log', () => {
    const lines = text.split('\n');
    const errorOf = (t: string) => {
      try {
        parseBuildAnalysisLog(t);
      } catch (e) {
        expect(e).toBeInstanceOf(TimingReportError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(errorOf([lines[0], lines[1].slice(0, 20), ...lines.slice(2)].join('\n'))).toMatch(/line 2 is not JSON/);
    expect(errorOf(lines.slice(1).join('\n'))).toMatch(/build-started/);
    const other = lines.map((l, k) => (k === 3 ? l.replace('21dce97829cafa99', '0000000000000001') : l));
    expect(errorOf(other.join('\n'))).toMatch(/more than one run/);
    expect(errorOf('<html>\n</html>\n')).toMatch(/line 1 is not JSON/);
    expect(errorOf('')).toMatch(/build-started/);
  });
});

