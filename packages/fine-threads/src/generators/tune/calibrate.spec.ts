import type { BuildRecord, UnitRecord } from '../../recording/record';
import { parseCalibration } from '../../threads/environment';
import { calibrationCandidates, calibrationCounts } from './calibrate';

const unit = (crate: string, frontend: number, threads = 1, kind = 'lib'): UnitRecord => ({
  package: crate.replace(/_/g, '-'), crate, kind, start: 0, end: frontend + 1, frontend, backend: 1, threads, concurrent: 0,
});
const record = (units: UnitRecord[]): BuildRecord => ({
  v: 1, at: '2026-11-25T10:00:00.000Z', project: 'app', cargoWorkspace: '.', mode: 'check', profile: 'dev',
  toolchain: '1.95.0', cores: 2, threads: {}, success: true, duration: 10, units, fallbacks: [],
});

describe('calibration', () => {
  it('picks the longest unthreaded front-ends of at least a second, by package', () => {
    const recs = [record([unit('toml_edit', 9.5), unit('cargo', 12), unit('serde', 2.9), unit('tiny', 0.4), unit('syn', 3), unit('app', 5, 1, 'bin')])];
    expect([...calibrationCandidates(recs)]).toEqual([['cargo', 'cargo'], ['toml_edit', 'toml-edit'], ['syn', 'syn']]);
    // A crate already recorded threaded has its curve: it is not built again.
    const again = [...recs, record([unit('cargo', 8, 2)])];
    expect([...calibrationCandidates(again).keys()]).toEqual(['toml_edit', 'syn', 'serde']);
  });

  it('calibrates at 2, 4 and 8 threads as the cores allow', () => {
    expect(calibrationCounts(1)).toEqual([]);
    expect(calibrationCounts(2)).toEqual([2]);
    expect(calibrationCounts(6)).toEqual([2, 4]);
    expect(calibrationCounts(64)).toEqual([2, 4, 8]);
  });

  it('reads the one-run table and rejects anything else in one line', () => {
    expect(parseCalibration('heavy=2 toml-edit=4')).toEqual([['heavy', 2], ['toml_edit', 4]]);
    expect(parseCalibration(undefined)).toEqual([]);
    expect(() => parseCalibration('heavy:2')).toThrow('FINE_THREADS_CALIBRATE: "heavy:2" is not crate=N');
  });
});
