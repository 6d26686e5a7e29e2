import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureRecord } from '../testing/report-data';
import { readBuildRecords, recordProblem } from './record-schema';
import { appendRecord } from './store';

const real = () => fixtureRecord('stable-build', { cargo: 2 });

describe('build record schema', () => {
  it('accepts every record the recorder writes, including one with load, fingerprint and fresh units', () => {
    expect(recordProblem(real())).toBeUndefined();
    expect(recordProblem(fixtureRecord('stable-check', {}))).toBeUndefined();
    expect(recordProblem({ ...real(), load: { others: 0.4, steal: 0 }, fingerprint: 'abc', freshUnits: 3, calibration: true })).toBeUndefined();
  });

  it('names what is wrong with a record that parses but cannot be trusted', () => {
    const r = real();
    expect(recordProblem({ ...r, duration: -1 })).toBe('/duration must be >= 0');
    expect(recordProblem({ ...r, mode: 'doc' })).toMatch(/^\/mode must be equal to one of the allowed values/);
    expect(recordProblem({ ...r, units: [{ ...r.units[0], start: '3.1' }] })).toBe('/units/0/start must be number');
    const { units: _drop, ...noUnits } = r;
    expect(recordProblem(noUnits)).toBe("the record must have required property 'units'");
    expect(recordProblem({ ...r, v: 2 })).toBe('version 2, not 1');
    expect(recordProblem({ ...r, threads: { cargo: 'two' } })).toBe('/threads/cargo must be integer');
  });

  it('reads the good lines of a file and names the first bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ft-schema-'));
    try {
      const file = join(dir, 'records.jsonl');
      appendRecord(file, real());
      appendRecord(file, { ...real(), cores: 0 });
      appendFileSync(file, '{"v":1,"at":"tor');
      appendRecord(file, real());
      const read = readBuildRecords(file);
      expect(read.records).toHaveLength(2);
      expect(read.skipped).toBe(2);
      expect(read.firstSkipped).toBe('line 2: /cores must be >= 1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
