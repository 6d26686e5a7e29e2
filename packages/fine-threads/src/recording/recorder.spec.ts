import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagesOf, stampOf, takeTimingReport } from './recorder';

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
