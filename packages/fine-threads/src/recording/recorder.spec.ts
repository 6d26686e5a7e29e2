import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFingerprint, findBuildAnalysisLog, logStampOf, packagesOf, stampOf, takeBuildTimings, takeTimingReport, type BuildAnalysisLookup } from './recorder';

const fixture = (name: string) => join(__dirname, '__fixtures__', name);
const readFixture = (name: string) => readFileSync(fixture(name), 'utf8');
// stable-build.html lists base, gen, my-lib, macros, cli; stable-check.html is another build.
const BUILD_START = Date.UTC(2026, 10, 25, 12, 36, 26, 743);

let target: string;
let timings: string;
beforeEach(() => {
  target = mkdtempSync(join(tmpdir(), 'ft-recorder-'));
  timings = join(target, 'cargo-timings');
  mkdirSync(timings);
});
afterEach(() => rmSync(target, { recursive: true, force: true }));

describe('the build start in a timing report name', () => {
  it('reads cargo 1.95 names (ms and a run id) and older ones (seconds)', () => {
    expect(stampOf('cargo-timing-20261125T123626743Z-f851c9efeb0ff776.html')).toBe(BUILD_START);
    expect(stampOf('cargo-timing-20261125T123626Z.html')).toBe(Date.UTC(2026, 10, 25, 12, 36, 26));
    expect(stampOf('cargo-timing.html')).toBeUndefined();
  });

  it('packagesOf lists the -p packages of a cargo argv', () => {
    expect(packagesOf(['build', '-p', 'a', '--package', 'b', '--package=c', '--timings'])).toEqual(['a', 'b', 'c']);
  });
});

describe('takeTimingReport, in a target dir that other builds share', () => {
  it("takes this build's report by its start and packages, and leaves another build's report alone", () => {
    // Another build's report (a check of the same crates) that started a moment after this one.
    const other = 'cargo-timing-20261125T123626900Z-0000000000000001.html';
    copyFileSync(fixture('stable-check.html'), join(timings, other));
    const mine = 'cargo-timing-20261125T123626743Z-f851c9efeb0ff776.html';
    copyFileSync(fixture('stable-build.html'), join(timings, mine));
    // Newest by mtime is neither here nor there: the other one is written last.
    writeFileSync(join(timings, other), readFixture('stable-check.html'));
    const report = takeTimingReport(target, BUILD_START - 200, ['cli', 'my-lib']);
    expect(report?.buildStart).toBe('2026-11-25T12:36:26.743075523Z');
    expect(readdirSync(timings)).toEqual([other]);
  });

  it('takes no report of a build that started before this one', () => {
    copyFileSync(fixture('stable-build.html'), join(timings, 'cargo-timing-20261125T123626743Z-f851c9efeb0ff776.html'));
    expect(takeTimingReport(target, BUILD_START + 5000, ['cli'])).toBeUndefined();
    expect(readdirSync(timings)).toHaveLength(1);
  });

  it('takes no report that does not list every package asked for', () => {
    copyFileSync(fixture('stable-build.html'), join(timings, 'cargo-timing-20261125T123626743Z-f851c9efeb0ff776.html'));
    expect(takeTimingReport(target, BUILD_START, ['cli', 'not-in-this-build'])).toBeUndefined();
    expect(existsSync(join(timings, 'cargo-timing-20261125T123626743Z-f851c9efeb0ff776.html'))).toBe(true);
  });
});

describe("a build's build-analysis log, in the log dir all of the user's cargos share", () => {
  // nightly-analysis-build.jsonl: `cargo build -Zbuild-analysis --config build.analysis.enabled=true
  // --timings --target-dir /tmp/ft-ba-targets/build` in /tmp/ft-ba-ws, run 20261206T015014046Z-21dce97829cafa99.
  const RUN = '20261206T015014046Z-21dce97829cafa99';
  const RUN_START = Date.UTC(2026, 11, 6, 1, 50, 14, 46);
  const ARGV = ['+nightly', 'build', '-Zbuild-analysis', '--config', 'build.analysis.enabled=true', '--timings', '--target-dir', '/tmp/ft-ba-targets/build'];
  let logDir: string;
  let ws: string;
  const logOf = (name: string, cwd = ws) => readFixture(name).split('"cwd":"/tmp/ft-ba-ws"').join(`"cwd":${JSON.stringify(cwd)}`);
  const lookup = (over: Partial<BuildAnalysisLookup> = {}): BuildAnalysisLookup => ({ logDir, argv: ARGV, cwd: ws, owned: true, ...over });
  beforeEach(() => {
    logDir = join(target, 'cargo-home-log');
    ws = join(target, 'ws');
    mkdirSync(logDir);
    mkdirSync(ws);
  });

  it('reads the run start from the name', () => {
    expect(logStampOf(`${RUN}.jsonl`)).toBe(RUN_START);
    expect(logStampOf('20261206T015014046Z.jsonl')).toBeUndefined();
  });

  it("takes the log with this cargo's argv and cwd, not another build's that started a moment later", () => {
    // Another build of the same workspace (the rebuild's log, another argv), newest by mtime.
    writeFileSync(join(logDir, `${RUN}.jsonl`), logOf('nightly-analysis-build.jsonl'));
    const otherCwd = join(target, 'elsewhere');
    mkdirSync(otherCwd);
    writeFileSync(join(logDir, '20261206T015014100Z-21dce97829cafa99.jsonl'), logOf('nightly-analysis-build.jsonl', otherCwd).split(RUN).join('20261206T015014100Z-21dce97829cafa99'));
    writeFileSync(join(logDir, '20261206T015014200Z-21dce97829cafa99.jsonl'), readFixture('nightly-analysis-check-tests.jsonl'));
    expect(findBuildAnalysisLog(lookup(), RUN_START - 100)?.runId).toBe(RUN);
    expect(findBuildAnalysisLog(lookup({ argv: ARGV.slice(1) }), RUN_START - 100)?.runId).toBe(RUN);
    expect(findBuildAnalysisLog(lookup({ cwd: otherCwd }), RUN_START - 100)?.runId).toBe('20261206T015014100Z-21dce97829cafa99');
    expect(findBuildAnalysisLog(lookup({ argv: [...ARGV, '--release'] }), RUN_START - 100)).toBeUndefined();
    // A run that started well before this cargo is not this build's.
    expect(findBuildAnalysisLog(lookup(), RUN_START + 5000)).toBeUndefined();
  });

  it('of two runs of one command, takes the first to start after this cargo did', () => {
    const later = '20261206T015016000Z-21dce97829cafa99';
    writeFileSync(join(logDir, `${RUN}.jsonl`), logOf('nightly-analysis-build.jsonl'));
    writeFileSync(join(logDir, `${later}.jsonl`), logOf('nightly-analysis-build.jsonl').split(RUN).join(later));
    expect(findBuildAnalysisLog(lookup(), RUN_START - 10)?.runId).toBe(RUN);
    expect(findBuildAnalysisLog(lookup(), RUN_START + 10)?.runId).toBe(later);
  });

  it('times the build from the log, deletes the log it turned on and the HTML report of the same run', () => {
    writeFileSync(join(logDir, `${RUN}.jsonl`), logOf('nightly-analysis-build.jsonl'));
    copyFileSync(fixture('nightly-analysis-build.html'), join(timings, `cargo-timing-${RUN}.html`));
    const got = takeBuildTimings(target, RUN_START - 100, [], lookup());
    expect(got?.source).toBe('build-analysis');
    expect(got?.report.units).toHaveLength(5);
    expect(readdirSync(logDir)).toEqual([]);
    expect(readdirSync(timings)).toEqual([]);
  });

  it("leaves a log the user asked for in place", () => {
    writeFileSync(join(logDir, `${RUN}.jsonl`), logOf('nightly-analysis-build.jsonl'));
    expect(takeBuildTimings(target, RUN_START - 100, [], lookup({ owned: false }))?.source).toBe('build-analysis');
    expect(readdirSync(logDir)).toEqual([`${RUN}.jsonl`]);
  });

  it("reads the same run's HTML report when the log cannot tell check from check-test", () => {
    const run = '20261206T015018992Z-21dce97829cafa99';
    const argv = ['+nightly', 'check', '--tests', '-Zbuild-analysis', '--config', 'build.analysis.enabled=true', '--timings', '--target-dir', '/tmp/ft-ba-targets/check'];
    writeFileSync(join(logDir, `${run}.jsonl`), logOf('nightly-analysis-check-tests.jsonl'));
    copyFileSync(fixture('nightly-analysis-check-tests.html'), join(timings, `cargo-timing-${run}.html`));
    const got = takeBuildTimings(target, Date.UTC(2026, 11, 6, 1, 50, 18, 900), [], lookup({ argv }));
    expect(got?.source).toBe('timings');
    expect(got?.report.units.map((u) => u.mode)).toContain('check-test');
    expect(readdirSync(timings)).toEqual([]);
    expect(readdirSync(logDir)).toEqual([]);
  });

  it('reads the HTML report when there is no log, as on a cargo without build-analysis', () => {
    copyFileSync(fixture('stable-build.html'), join(timings, 'cargo-timing-20261125T123626743Z-f851c9efeb0ff776.html'));
    expect(takeBuildTimings(target, BUILD_START - 200, ['cli'])?.source).toBe('timings');
    expect(takeBuildTimings(target, BUILD_START - 200, ['cli'], lookup())).toBeUndefined();
  });

  it('a build with the log on compares with one without it', () => {
    const plain = ['build', '-p', 'a', '--timings'];
    expect(buildFingerprint(ws, [...plain, '-Zbuild-analysis', '--config', 'build.analysis.enabled=true'])).toBe(buildFingerprint(ws, plain));
    expect(buildFingerprint(ws, [...plain, '--config', 'profile.dev.opt-level=1'])).not.toBe(buildFingerprint(ws, plain));
  });
});
