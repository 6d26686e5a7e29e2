import type { BuildRecord, UnitRecord } from '../recording/record';
import { guard, type TuneState } from './guard';

function record(at: string, big: { frontend: number; threads: number; fallback?: true }, duration: number): BuildRecord {
  const units: UnitRecord[] = [
    { package: 'small', crate: 'small', kind: 'lib', start: 0, end: 1, frontend: 0.6, backend: 0.4, threads: 1, concurrent: 0 },
    { package: 'big', crate: 'big', kind: 'lib', start: 1, end: duration, frontend: big.frontend, backend: duration - 1 - big.frontend, threads: big.threads, concurrent: 0, ...(big.fallback ? { fallback: true as const } : {}) },
  ];
  return {
    v: 1, at, project: 'app', cargoWorkspace: '.', mode: 'check', profile: 'dev', toolchain: '1.95.0', cores: 2,
    threads: big.threads > 1 ? { big: big.threads } : {}, success: true, duration, units, fallbacks: [],
  };
}

const state: TuneState = {
  at: '2026-11-25T12:00:00.000Z', mode: 'check', profile: 'dev', toolchain: '1.95.0', cores: 2,
  table: { big: 2 },
  predicted: [{ project: 'app', baseline: 11, tuned: 7.5, measured: 11, units: 2 }],
  reverted: {},
};
const before = [record('2026-11-25T11:00:00.000Z', { frontend: 10, threads: 1 }, 11), record('2026-11-25T11:30:00.000Z', { frontend: 9.8, threads: 1 }, 10.8)];

describe('guard', () => {
  it('keeps threads that made the front-end faster and the build as predicted', () => {
    const v = guard(state, [...before, record('2026-11-25T13:00:00.000Z', { frontend: 6.5, threads: 2 }, 7.6)]);
    expect(v.revert).toEqual({});
    expect(v.notes).toEqual(['big: front-end 9.9 s → 6.5 s at 2 threads (medians, 2 vs 1 build(s)): paid']);
  });

  it('sets back a crate whose front-end was not faster', () => {
    const v = guard(state, [...before, record('2026-11-25T13:00:00.000Z', { frontend: 9.9, threads: 2 }, 11)]);
    expect(v.revert.big).toBe('its front-end took 9.9 s at 2 threads vs 9.9 s at 1 (medians, 2 vs 1 build(s)): not faster beyond the noise (3 %)');
  });

  it('sets back a crate whose build was slower than predicted and no faster than before', () => {
    // The front-end was faster, yet the whole build was not: the threads cost elsewhere.
    const v = guard(state, [...before, record('2026-11-25T13:00:00.000Z', { frontend: 6, threads: 2 }, 11.2)]);
    expect(v.revert.big).toMatch(/^the full builds of app took 11\.2 s \(1 run\) with it threaded, predicted 7\.5 s, 11\.0 s before$/);
  });

  it('sets back a crate that crashed rustc when threaded', () => {
    const v = guard(state, [...before, record('2026-11-25T13:00:00.000Z', { frontend: 9, threads: 1, fallback: true }, 10)]);
    expect(v.revert.big).toMatch(/crashed/);
  });

  it('says when there is nothing to check yet', () => {
    const v = guard(state, before);
    expect(v.revert).toEqual({});
    expect(v.notes).toEqual(['big: 2 threads not checked yet (no recorded build since the tune)']);
  });

  it('leaves calibration builds and loaded builds out, on both sides', () => {
    const calibration = { ...record('2026-11-25T11:45:00.000Z', { frontend: 4, threads: 1 }, 5), calibration: true as const };
    const loaded = { ...record('2026-11-25T13:30:00.000Z', { frontend: 12, threads: 2 }, 14), load: { others: 1.2, steal: 0 } };
    // Were the calibration build a "before" (front-end 4 s), 6.5 s at 2 threads would look slower;
    // were the loaded build counted, the median after would be 9.25 s.
    const v = guard(state, [...before, calibration, record('2026-11-25T13:00:00.000Z', { frontend: 6.5, threads: 2 }, 7.6), loaded]);
    expect(v.revert).toEqual({});
    expect(v.notes).toEqual(['big: front-end 9.9 s → 6.5 s at 2 threads (medians, 2 vs 1 build(s)): paid']);
    // Only loaded builds since the tune: nothing checked yet.
    expect(guard(state, [...before, loaded]).notes).toEqual(['big: 2 threads not checked yet (the 1 build(s) since the tune ran beside other work)']);
  });

  it('judges whole builds by the median of the full builds since, not the last one', () => {
    const after = [7.4, 11.5, 7.7].map((d, i) => record(`2026-11-25T13:0${i}:00.000Z`, { frontend: 6, threads: 2 }, d));
    expect(guard(state, [...before, ...after]).revert).toEqual({});
    // An incremental build (one unit) is no full build: it is not compared with the prediction.
    const incremental = { ...record('2026-11-25T14:00:00.000Z', { frontend: 6, threads: 2 }, 30), units: [record('x', { frontend: 6, threads: 2 }, 30).units[1]] };
    expect(guard(state, [...before, after[0], incremental]).revert).toEqual({});
  });

  it('without a full build before the tune, says so instead of comparing', () => {
    const noBefore: TuneState = { ...state, predicted: [{ project: 'app', baseline: 11, tuned: 7.5, units: 2 }] };
    const v = guard(noBefore, [...before, record('2026-11-25T13:00:00.000Z', { frontend: 6, threads: 2 }, 11.2)]);
    expect(v.revert).toEqual({});
    expect(v.notes).toContain('app: 11.2 s (1 run) since the tune, predicted 7.5 s; no full build before it to compare with');
  });
});
