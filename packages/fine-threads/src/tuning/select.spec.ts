import type { BuildRecord, UnitRecord } from '../recording/record';
import { curveSamples } from '../simulation/fit';
import { curveRecords, fullBuilds, isLoaded, loadedNote, representativeUnits } from './select';

const unit = (over: Partial<UnitRecord> & Pick<UnitRecord, 'package' | 'crate'>): UnitRecord => ({
  version: '1.0.0', kind: 'lib', mode: 'check', start: 0, end: 2, frontend: 2, threads: 1, concurrent: 0, ...over,
});

let clock = 0;
function record(units: UnitRecord[], over: Partial<BuildRecord> = {}): BuildRecord {
  clock += 60_000;
  return {
    v: 1, at: new Date(Date.UTC(2026, 11, 1) + clock).toISOString(), project: 'app', cargoWorkspace: '.', mode: 'check', profile: 'dev',
    toolchain: '1.95.0', cores: 2, threads: {}, success: true, duration: Math.max(...units.map((u) => u.end)), units, fallbacks: [],
    fingerprint: 'f1', load: { others: 0.02, steal: 0 }, ...over,
  };
}

describe('representativeUnits', () => {
  it('keeps a crate checked for the lib and built for a build script as two units', () => {
    // serde in one `cargo check`: built (codegen) for a build script's use, and checked.
    const built = unit({ package: 'serde', crate: 'serde', mode: 'build', end: 5, frontend: 2, backend: 3 });
    const checked = unit({ package: 'serde', crate: 'serde', mode: 'check', start: 5, end: 7, frontend: 2 });
    const units = representativeUnits([record([built, checked])]);
    expect(units).toHaveLength(2);
    expect(units.map((u) => u.mode).sort()).toEqual(['build', 'check']);
  });

  it('keeps two versions of one crate apart', () => {
    const units = representativeUnits([record([unit({ package: 'clap', crate: 'clap', version: '2.34.0', end: 3 }), unit({ package: 'clap', crate: 'clap', version: '3.2.23', end: 9 })])]);
    expect(units.map((u) => `${u.version} ${u.end}`).sort()).toEqual(['2.34.0 3', '3.2.23 9']);
  });

  it('keeps twins that one build compiled with one identity (an old record without modes) apart', () => {
    const a = unit({ package: 'x', crate: 'x', mode: undefined, end: 1 });
    const b = unit({ package: 'x', crate: 'x', mode: undefined, start: 1, end: 4 });
    expect(representativeUnits([record([a, b])])).toHaveLength(2);
  });

  it('takes medians over the records, and a loaded record does not move them', () => {
    const at = (frontend: number, load = 0.02) => record([unit({ package: 'big', crate: 'big', end: frontend, frontend })], { load: { others: load, steal: 0 } });
    const quiet = [at(10), at(11), at(10.4)];
    expect(representativeUnits(quiet)[0].frontend).toBe(10.4);
    const withLoaded = [...quiet, at(30, 1.5), at(31, 1.4)];
    expect(representativeUnits(withLoaded)[0].frontend).toBe(10.4);
    // Only loaded records: they are all there is.
    expect(representativeUnits([at(30, 1.5)])[0].frontend).toBe(30);
  });

  it('prefers instances at 1 thread, else the most recorded count', () => {
    const rs = [
      record([unit({ package: 'big', crate: 'big', end: 10, frontend: 10, threads: 2 })]),
      record([unit({ package: 'big', crate: 'big', end: 14, frontend: 14, threads: 1 })]),
    ];
    expect(representativeUnits(rs)[0]).toMatchObject({ threads: 1, frontend: 14 });
    expect(representativeUnits([rs[0]])[0]).toMatchObject({ threads: 2, frontend: 10 });
  });
});

describe('fullBuilds', () => {
  const full = (d: number, over: Partial<BuildRecord> = {}) =>
    record([unit({ package: 'a', crate: 'a', end: 1 }), unit({ package: 'b', crate: 'b', start: 1, end: d })], over);

  it('takes full builds of the latest fingerprint; never incremental, calibration or loaded ones', () => {
    const old = full(50, { fingerprint: 'f0' });
    const a = full(40);
    const incremental = record([unit({ package: 'b', crate: 'b', end: 3 })]);
    const calibration = full(20, { calibration: true });
    const loaded = full(90, { load: { others: 1.1, steal: 0 } });
    const b = full(42);
    const r = fullBuilds([old, a, incremental, calibration, loaded, b]);
    expect(r.builds.map((x) => x.duration)).toEqual([40, 42]);
    expect(r.loaded.map((x) => x.duration)).toEqual([90]);
    expect(loadedNote(r)).toBe(
      'fine-threads: 1 of 3 full build(s) ran beside other work (up to 1.10 cores busy elsewhere, limit 0.25) and are left out of the measured times.',
    );
    expect(loadedNote(fullBuilds([a, b]))).toBeUndefined();
  });

  it("takes cargo's fresh-unit count over the unit count: a run-many task's partial build is no full build", () => {
    // Every record of calc came from run-many: each compiled only calc, its dependencies fresh.
    const partial = (d: number) => record([unit({ package: 'calc', crate: 'calc', end: d })], { project: 'calc', freshUnits: 4 });
    expect(fullBuilds([partial(0.3), partial(0.4)]).builds).toEqual([]);
    const whole = record([unit({ package: 'a', crate: 'a', end: 1 }), unit({ package: 'calc', crate: 'calc', start: 1, end: 2 })], { project: 'calc', freshUnits: 0 });
    expect(fullBuilds([partial(0.3), whole]).builds).toEqual([whole]);
  });

  it('counts steal as load, and takes a record without a reading as it is', () => {
    expect(isLoaded({ cores: 2, load: { others: 0.1, steal: 0.3 } })).toBe(true);
    expect(isLoaded({ cores: 2 })).toBe(false);
    expect(isLoaded({ cores: 16, load: { others: 1.2, steal: 0 } })).toBe(false); // a tenth of 16 cores is 1.6
  });
});

describe('curveRecords', () => {
  it('fits curves from quiet records only: a loaded calibration at 2 threads does not make threads look slow', () => {
    const big = (threads: number, frontend: number, over: Partial<BuildRecord> = {}) =>
      record([unit({ package: 'big', crate: 'big', end: frontend, frontend, threads })], over);
    const records = [big(1, 10), big(2, 6.5, { calibration: true }), big(2, 14, { calibration: true, load: { others: 0.9, steal: 0 } })];
    const { quiet, loadedCalibrations } = curveRecords(records);
    expect(loadedCalibrations).toBe(1);
    expect(curveSamples(quiet).get('big')?.map((s) => [s.threads, s.frontend])).toEqual([[1, 10], [2, 6.5]]);
    // All of them, as before: the loaded build's 14 s at 2 threads would be a sample.
    expect(curveSamples(records).get('big')?.map((s) => s.frontend)).toEqual([10, 6.5, 14]);
  });
});
