import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureReportData } from '../testing/report-data';
import { renderReport } from './render';
import { chartLibrarySource, writeReport } from './write';

describe('writeReport', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ft-report-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the rendered page, making its directory, and replaces an old one leaving no temp file', () => {
    const { data } = fixtureReportData();
    const file = join(dir, 'deep', 'er', 'report.html');
    expect(writeReport(file, data)).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe(renderReport(data, chartLibrarySource()));

    writeFileSync(file, 'old');
    writeReport(file, { ...data, title: 'second' });
    expect(readFileSync(file, 'utf8')).toContain('<h1>second</h1>');
    expect(readdirSync(join(dir, 'deep', 'er'))).toEqual(['report.html']);
  });

  it('fails without leaving a temp file when the target cannot be replaced', () => {
    const { data } = fixtureReportData();
    const file = join(dir, 'taken');
    writeFileSync(join(dir, 'x'), '');
    // A directory in the way: the rename fails.
    mkdirSync(join(file, 'inside'), { recursive: true });
    expect(() => writeReport(file, data)).toThrow();
    expect(readdirSync(dir).sort()).toEqual(['taken', 'x']);
  });
});
