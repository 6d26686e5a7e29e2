import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendRecord, readRecords, recordsPath } from './store';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ft-store-'));
  file = recordsPath(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('record store', () => {
  it('appends one line per record and reads them back in order', () => {
    appendRecord(file, { v: 1, id: 'a' });
    appendRecord(file, { v: 1, id: 'b' });
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(3);
    expect(readRecords<{ v: number; id: string }>(file)).toEqual({
      records: [
        { v: 1, id: 'a' },
        { v: 1, id: 'b' },
      ],
      skipped: 0,
    });
  });

  it('keeps earlier records readable after a torn write, and the next append still works', () => {
    appendRecord(file, { v: 1, id: 'a' });
    appendFileSync(file, '{"v":1,"id":"tor'); // a build killed mid-write
    const torn = readRecords(file);
    expect(torn.records).toEqual([{ v: 1, id: 'a' }]);
    expect(torn.skipped).toBe(1);
    expect(torn.firstSkipped).toBe('line 2: not JSON (torn or hand-edited)');
    appendRecord(file, { v: 1, id: 'c' });
    expect(readRecords<{ v: number; id: string }>(file).records.map((r) => r.id)).toEqual(['a', 'c']);
  });

  it('skips foreign lines and other versions, counting them', () => {
    appendRecord(file, { v: 2, id: 'future' });
    appendFileSync(file, 'not json\n[1,2]\n');
    appendRecord(file, { v: 1, id: 'ok' });
    expect(readRecords(file)).toEqual({ records: [{ v: 1, id: 'ok' }], skipped: 3, firstSkipped: 'line 1: not a record of this version' });
  });

  it('stays bounded, keeping the newest records', () => {
    const max = 4096;
    for (let i = 0; i < 200; i++) appendRecord(file, { v: 1, id: i, pad: 'x'.repeat(50) }, max);
    expect(statSync(file).size).toBeLessThanOrEqual(max);
    const ids = readRecords<{ v: number; id: number }>(file).records.map((r) => r.id);
    expect(ids[ids.length - 1]).toBe(199);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids.length).toBeGreaterThan(10);
  });

  it('reads a missing file as no records', () => {
    expect(readRecords(join(dir, 'none.jsonl'))).toEqual({ records: [], skipped: 0 });
  });
});
