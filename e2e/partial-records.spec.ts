import { readFileSync } from 'node:fs';
import { TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';

// The README's own flow, `nx run-many -t check`, in a workspace made here: one cargo per crate,
// and the crates a task's cargo finds already checked by another task are fresh to it. Such a
// record is a part of a build: it must never stand for a whole build's time in the tuner's
// "measured" figure, its guard or the report (once a headline read +3825 % from such records).
let ws: TempWorkspace;
const records = () =>
  readFileSync(ws.path('.fine-threads/records.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { project: string; freshUnits?: number; units: { crate: string }[] });

beforeAll(() => {
  ws = TempWorkspace.empty('ft-partial-');
  ws.write('Cargo.toml', '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n');
  ws.crate('crates/base', 'base', 'pub fn one() -> u32 {\n    1\n}\n');
  ws.crate('crates/mid', 'mid', 'pub fn two() -> u32 {\n    base::one() + 1\n}\n', '\n[dependencies]\nbase = { path = "../base" }\n');
  ws.crate('crates/top', 'top', 'pub fn three() -> u32 {\n    mid::two() + 1\n}\n', '\n[dependencies]\nmid = { path = "../mid" }\n');
});
afterAll(() => ws.dispose());

describe('records of a run-many', () => {
  it('one record per task, each saying how many of its units cargo found fresh', () => {
    const r = ws.nx(['run-many', '-t', 'check', '--parallel=1']);
    expect(r.code).toBe(0);
    const byProject = new Map(records().map((x) => [x.project, x]));
    expect([...byProject.keys()].sort()).toEqual(['base', 'mid', 'top']);
    // One after another, dependencies first: mid's and top's cargo find the crates below them checked.
    expect(byProject.get('base')?.freshUnits).toBe(0);
    expect(byProject.get('mid')?.freshUnits).toBe(1);
    expect(byProject.get('top')?.freshUnits).toBe(2);
    expect(byProject.get('top')?.units.map((u) => u.crate)).toEqual(['top']);
  }, 300_000);

  it('tune takes no part of a build for a measured time: it says no full build is recorded, and gives no measured verdict', () => {
    const r = ws.nx(['g', 'fine-threads:tune', '--mode=check', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/Measured: (no full build recorded yet|not enough runs yet)/);
    // No percentage from comparing a prediction with a part of a build.
    expect(r.output).not.toMatch(/Measured:.*%/);
  }, 300_000);

  it('the report shows no measured time for the baseline either, only the prediction', () => {
    const r = ws.nx(['g', 'fine-threads:report', '--mode=check']);
    expect(r.code).toBe(0);
    const html = readFileSync(ws.path('.fine-threads/report.html'), 'utf8');
    const data = JSON.parse(/<script id="report-data" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null') as {
      headline: { verdict: string };
      configurations: { label: string; measured?: unknown; predicted?: unknown }[];
    };
    expect(data.headline.verdict).toBe('Measured: no full build recorded yet.');
    expect(data.configurations.map((c) => [c.label, c.measured !== undefined, c.predicted !== undefined])).toEqual([['baseline', false, true]]);
  }, 300_000);
});
