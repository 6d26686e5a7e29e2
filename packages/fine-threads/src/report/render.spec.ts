import { fixtureRecord, fixtureReportData } from '../testing/report-data';
import { busySamples, measuredRun, type ReportData, type TimelineUnit } from './model';
import { crateRows, idleShare, renderReport } from './render';
import { chartLibrarySource } from './write';

const dataScript = (html: string, id: string) => {
  const m = new RegExp(`<script id="${id}" type="application/json">([\\s\\S]*?)</script>`).exec(html);
  if (!m) throw new Error(`no #${id} in the report`);
  return JSON.parse(m[1]);
};

describe('renderReport', () => {
  const { data, records } = fixtureReportData();
  const lib = chartLibrarySource();
  const html = renderReport(data, lib);

  it('is one HTML document with Chart.js inlined', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(lib).toMatch(/Chart\.js v4\./);
    expect(html).toContain(lib.slice(0, 2000));
    expect(html.length).toBeGreaterThan(lib.length);
  });

  it('names every recorded crate', () => {
    const crates = new Set(records.flatMap((r) => r.units.map((u) => u.crate)));
    expect(crates.size).toBeGreaterThan(5);
    const page = html.replace(lib, '');
    for (const crate of crates) expect(page).toContain(crate);
    // The per-unit table, outside any script, has a row per unit of the first configuration.
    const table = /<table class="crates">[\s\S]*?<\/table>/.exec(page)![0];
    for (const unit of data.configurations[0].measured!.crates) expect(table).toContain(`<th scope="row">${unit.name}</th>`);
  });

  it('loads nothing from anywhere: no external src, href, import or url()', () => {
    expect(html).not.toMatch(/\b(src|href|action|poster|srcset)\s*=\s*["']?\s*(https?:|\/\/)/i);
    expect(html).not.toMatch(/<link\b|<iframe\b|@import|url\(\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    // Beside Chart.js's licence banner, no address at all.
    expect(html.replace(lib, '')).not.toMatch(/https?:\/\//);
  });

  it('embeds the data so that it reads back equal', () => {
    expect(dataScript(html, 'report-data')).toEqual(JSON.parse(JSON.stringify(data)));
    const view = dataScript(html, 'report-view');
    expect(view.timelines).toHaveLength(6);
    expect(view.crateRows.sort()).toEqual(data.configurations[0].measured!.crates.map((c) => c.name).sort());
  });

  it('escapes text that would end a script or inject markup', () => {
    const evil = '</script><script>alert(1)</script><!--';
    const hostile: ReportData = {
      ...data,
      title: evil,
      configurations: [{ ...data.configurations[0], label: evil, threads: { [evil]: 2 } }],
      decisions: [{ ...data.decisions[0], crate: evil, reason: '<b>"x" & \'y\'</b>' }],
    };
    const out = renderReport(hostile, 'var inLib = "</script>";');
    expect(out.match(/<script\b/g)).toHaveLength(4);
    expect(out.match(/<\/script>/g)).toHaveLength(4);
    expect(out).toContain('<h1>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--</h1>');
    expect(out).toContain('var inLib = "<\\/script>";');
    expect(dataScript(out, 'report-data')).toEqual(JSON.parse(JSON.stringify(hostile)));
  });

  it('renders with measured runs only, predicted only, and nothing to predict by core count', () => {
    const sparse: ReportData = {
      ...data,
      configurations: [
        { label: 'baseline', threads: {}, measured: data.configurations[0].measured },
        { label: 'tuned', threads: { base: 2 }, predicted: data.configurations[2].predicted },
      ],
      decisions: [],
      reverts: [],
      predictions: [],
    };
    const out = renderReport(sparse, '');
    expect(out).toContain('(predicted)');
    expect(out).toContain('The tuner recorded no decisions.');
    expect(out).toContain('No predictions by core count.');
    expect(dataScript(out, 'report-view').timelines.map((t: { label: string }) => t.label)).toEqual(['baseline, measured', 'tuned, predicted']);
  });
});

describe('the report model', () => {
  const unit = (name: string, start: number, metadata: number | undefined, end: number, threads = 1): TimelineUnit => ({
    name,
    crate: name,
    kind: 'lib',
    start,
    ...(metadata !== undefined ? { metadata } : {}),
    end,
    threads,
  });

  it('counts threads in use: front-end threads until metadata, then one', () => {
    const samples = busySamples([unit('a', 0, 2, 3, 4), unit('b', 1, undefined, 4), unit('c', 3, 3, 5)]);
    expect(samples).toEqual([
      { t: 0, running: 1, threads: 4 },
      { t: 1, running: 2, threads: 5 },
      { t: 2, running: 2, threads: 2 },
      { t: 3, running: 2, threads: 2 },
      { t: 4, running: 1, threads: 1 },
      { t: 5, running: 0, threads: 0 },
    ]);
    expect(idleShare(samples, 4, 5)).toBeCloseTo((0 + 0 + 2 + 2 + 3) / 20);
  });

  it('measures idle core time up to the makespan', () => {
    const samples = [
      { t: 0, running: 0, threads: 0 },
      { t: 1, running: 2, threads: 2 },
      { t: 3, running: 1, threads: 1 },
    ];
    expect(idleShare(samples, 2, 4)).toBeCloseTo(3 / 8);
    expect(idleShare(samples, 2, 0)).toBe(0);
  });

  it('names units so that configurations line up: libs by crate, the rest by kind, versions when two clash', () => {
    const u = { start: 0, end: 1, threads: 1, concurrent: 0 };
    const run = measuredRun({
      duration: 1,
      units: [
        { ...u, package: 'my-lib', crate: 'my_lib', kind: 'lib', frontend: 0.5, backend: 0.5 },
        { ...u, package: 'my-lib', crate: 'build_script_build', kind: 'build-script' },
        { ...u, package: 'my-lib', crate: 'build_script_build', kind: 'build-script-run' },
        { ...u, package: 'cli', crate: 'cli_tool', kind: 'bin' },
        { ...u, package: 'syn', version: '1.0.109', crate: 'syn', kind: 'lib' },
        { ...u, package: 'syn', version: '2.0.87', crate: 'syn', kind: 'lib' },
      ],
    });
    expect(run.crates.map((c) => c.name)).toEqual([
      'my_lib',
      'my-lib build script',
      'my-lib build script (run)',
      'cli_tool (bin)',
      'syn 1.0.109',
      'syn 2.0.87',
    ]);
    expect(run.crates[0]).toMatchObject({ frontend: 0.5, backend: 0.5, split: true });
    expect(run.crates[3]).toMatchObject({ frontend: 0, backend: 1, split: false });
  });

  it('charts the longest units, and every threaded one beyond them', () => {
    const { data } = fixtureReportData();
    const only = (label: string, threads: Record<string, number>) => ({ label, threads, measured: measuredRun(fixtureRecord('stable-build', threads)) });
    const two: ReportData = { ...data, configurations: [only('baseline', {}), only('tuned', { cli: 2 })] };
    const longest = [...two.configurations[0].measured!.crates].sort((a, b) => b.frontend + b.backend - (a.frontend + a.backend));
    expect(longest.slice(0, 2).map((c) => c.name)).not.toContain('cli');
    expect(crateRows(two, 2)).toEqual([longest[0].name, longest[1].name, 'cli']);
    expect(crateRows(two)).toHaveLength(longest.length);
  });
});
