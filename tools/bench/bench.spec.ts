// The benchmark's pure parts: statistics, ratio keys, targets, markdown.
import stats = require('./lib/stats.cjs');
import markdown = require('./lib/markdown.cjs');
import report = require('./lib/report.cjs');

const row = (seconds: number[], how = 'x') => ({ how, ...stats.summarize(seconds), runs: seconds.map((x, round) => ({ round, seconds: x })) });

describe('stats', () => {
  it('takes min, median and max; an even count has the mean of the middle two', () => {
    expect(stats.summarize([3, 1, 2])).toEqual({ n: 3, min: 1, median: 2, max: 3, seconds: [3, 1, 2] });
    expect(stats.median([4, 1, 3, 2])).toBe(2.5);
    expect(() => stats.median([])).toThrow();
    expect(stats.spread(stats.summarize([9, 10, 11]))).toBeCloseTo(0.2);
    expect(stats.spread(stats.summarize([10]))).toBeUndefined();
  });

  it('keys ratios of medians "<row>/<row>", with the best global row and recording', () => {
    const r = stats.ratios({ baseline: 100, unrecorded: 99, global0: 120, global2: 110, hand: 95, tuned: 88 });
    expect(r['tuned/baseline']).toBeCloseTo(0.88);
    expect(r['tuned/global2']).toBeCloseTo(0.8);
    expect(r['tuned/global0']).toBeCloseTo(88 / 120);
    expect(r['tuned/best-global']).toBeCloseTo(0.8);
    expect(r['hand/best-global']).toBeCloseTo(95 / 110);
    expect(r['global2/baseline']).toBeCloseTo(1.1);
    expect(r['baseline/unrecorded']).toBeCloseTo(100 / 99);
    expect(r['unrecorded/baseline']).toBeUndefined();
  });

  it('pairs two rows by round and bounds the median ratio with a bootstrap interval', () => {
    const a = [100, 120, 90, 110, 105].map((seconds, round) => ({ round, seconds }));
    // B is 10 % faster in every round, however fast the round was.
    const b = a.map((r) => ({ round: r.round, seconds: r.seconds * 0.9 }));
    const p = stats.paired(a, b)!;
    expect(p.n).toBe(5);
    expect(p.median).toBeCloseTo(0.9, 9);
    expect(p.lo).toBeCloseTo(0.9, 9);
    expect(p.hi).toBeCloseTo(0.9, 9);
    // Unpaired, the medians' ratio would be the same here, but the rounds' spread (90–120 s) is gone from the pairs.
    // A round B did not run in is no pair.
    expect(stats.paired(a, b.slice(0, 3))!.n).toBe(3);
    expect(stats.paired(a, [])).toBeUndefined();
  });

  it('gives a bootstrap interval that holds the median, widens with scatter and repeats for the same data', () => {
    const xs = [0.91, 0.95, 0.88, 1.02, 0.93, 0.9, 0.97, 0.92];
    const ci = stats.bootstrapMedian(xs);
    expect(ci.lo).toBeLessThanOrEqual(stats.median(xs));
    expect(ci.hi).toBeGreaterThanOrEqual(stats.median(xs));
    expect(ci.lo).toBeGreaterThanOrEqual(Math.min(...xs));
    expect(ci.hi).toBeLessThanOrEqual(Math.max(...xs));
    expect(stats.bootstrapMedian(xs)).toEqual(ci);
    const wide = stats.bootstrapMedian(xs.map((x) => 1 + (x - 1) * 3));
    expect(wide.hi - wide.lo).toBeGreaterThan(ci.hi - ci.lo);
    expect(() => stats.bootstrapMedian([])).toThrow();
  });

  it('keys paired ratios like the ratios: rows over baseline, tuned over hand, baseline over unrecorded', () => {
    const runs = (xs: number[]) => xs.map((seconds, round) => ({ round, seconds }));
    const p = stats.pairedRatios({ baseline: runs([10, 12]), unrecorded: runs([10, 11]), hand: runs([9, 11]), tuned: runs([8, 10]) });
    expect(Object.keys(p).sort()).toEqual(['baseline/unrecorded', 'hand/baseline', 'tuned/baseline', 'tuned/hand']);
    expect(p['tuned/baseline'].ratios).toEqual([0.8, 10 / 12]);
  });

  it('leaves out ratios of rows that did not run', () => {
    const r = stats.ratios({ baseline: 10, global2: 12 });
    expect(Object.keys(r)).toEqual(['global2/baseline']);
  });
});

describe('markdown', () => {
  it('renders a table, escaping pipes', () => {
    expect(markdown.table(['a', 'b'], [['x|y', 1]], { numeric: true })).toBe('| a | b |\n| --- | ---: |\n| x\\|y | 1 |');
  });

  it('replaces only what is between the markers, and appends them when absent', () => {
    const text = `# T\n\nprose\n\n${markdown.BEGIN}\nold\n${markdown.END}\n\nmore prose\n`;
    const out = markdown.replaceGenerated(text, 'new');
    expect(out).toBe(`# T\n\nprose\n\n${markdown.BEGIN}\nnew\n${markdown.END}\n\nmore prose\n`);
    expect(markdown.replaceGenerated(out, 'newer')).toContain(`${markdown.BEGIN}\nnewer\n${markdown.END}\n\nmore prose`);
    expect(markdown.replaceGenerated('# T\n', 'x')).toBe(`# T\n\n${markdown.BEGIN}\nx\n${markdown.END}\n`);
  });
});

describe('report', () => {
  const mode = (medians: Record<string, number[]>) => {
    const rows = Object.fromEntries(Object.entries(medians).map(([id, s]) => [id, row(s)]));
    return {
      rounds: 3,
      rows,
      ratios: stats.ratios(Object.fromEntries(Object.entries(rows).map(([id, r]) => [id, r.median]))),
      paired: stats.pairedRatios(Object.fromEntries(Object.entries(rows).map(([id, r]) => [id, r.runs]))),
      notRun: {},
    };
  };
  const results = (seedCheck: Record<string, number[]>) => ({
    kind: 'full',
    command: 'npm run bench',
    rounds: 3,
    machine: { cores: 2 },
    workloads: {
      example: { title: 'Example', modes: { check: mode({ baseline: [10, 10.5, 11], tuned: [10.4, 10.6, 10.9] }) }, tune: {} },
      seed: { title: 'Seed', modes: { check: mode(seedCheck) }, tune: { check: { available: true, table: { cargo: 2 } } } },
    },
    micro: {
      wrapper: { wall: { passThroughMicros: 2500, threadedMicros: 2600, minimalWrapperMicros: 2300, passThroughOverFloorMicros: 200, threadedOverFloorMicros: 300 } },
      noop: { pluginMinusCargo: 2.1, nxMinusCargo: 1.9, pluginMinusNx: 0.2 },
      simulator: { notRun: 'tools/bench/simulator-check.mjs does not exist yet' },
    },
  });

  it('judges each target from the paired ratios, and says why one is not measured', () => {
    const t = report.evaluateTargets(results({ baseline: [60, 61, 62], global0: [80, 81, 82], global2: [70, 71, 72], tuned: [50, 51, 52] }));
    const find = (what: string) => t.find((x) => x.what === what)!;
    const seedCheck = find('seed workload, check: tuned/baseline (paired)');
    expect(seedCheck.met).toBe(true);
    expect(seedCheck.value).toMatch(/^0\.83\d \[0\.83\d, 0\.83\d\], 3 pairs$/);
    expect(find('seed workload, check: tuned/best-global (ratio of medians)')).toMatchObject({ met: true });
    expect(find('seed, check: tuned never slower (paired tuned/baseline)').met).toBe(true);
    expect(find('seed, build: tuned never slower (paired tuned/baseline)').met).toBeNull();
    // 10.4/10, 10.6/10.5, 10.9/11: the worst pair is 4 % slower, the interval's top above 1.02.
    expect(find('example, check: tuned never slower (paired tuned/baseline)').met).toBe(false);
    expect(find('rustc wrapper, per rustc (pass-through)')).toMatchObject({ met: false });
    expect(find('Nx plugin, warm no-op: nx build − cargo build').note).toContain('1.90 s');
    expect(find('simulator, predicted vs measured')).toMatchObject({ met: null, note: 'tools/bench/simulator-check.mjs does not exist yet' });
  });

  it('judges the warm no-op with the Nx daemon and without it, each on its own row', () => {
    const r = results({ baseline: [60, 61, 62], tuned: [50, 51, 52] });
    const x = (plugin: number) => ({ pluginMinusCargo: plugin, nxMinusCargo: 0.7, executorMinusNx: 0.3, pluginMinusNx: plugin - 0.7, pluginMinusExecutor: plugin - 1 });
    r.micro.noop = { ...x(1.1), noDaemon: x(0.25) } as never;
    const t = report.evaluateTargets(r);
    expect(t.find((y) => y.what === 'Nx plugin, warm no-op (Nx daemon): nx build − cargo build')).toMatchObject({ met: false, value: '1.10 s' });
    expect(t.find((y) => y.what === 'Nx plugin, warm no-op (NX_DAEMON=false): nx build − cargo build')).toMatchObject({ met: true, value: '0.25 s' });
    expect(t.find((y) => y.what === 'Nx plugin, warm no-op (Nx daemon): nx build − cargo build')?.note).toContain("Nx's task process for any executor (a 3-line one) 0.30 s, the plugin over that 0.10 s");
  });

  it('marks a tuned row slower than its goal as not met, and one whose interval reaches 1 too', () => {
    const t = report.evaluateTargets(results({ baseline: [60, 60, 60], global2: [58, 58, 58], tuned: [57, 57, 57] }));
    expect(t.find((x) => x.what === 'seed workload, check: tuned/baseline (paired)')!.met).toBe(false);
    expect(t.find((x) => x.what === 'seed workload, check: tuned/best-global (ratio of medians)')!.met).toBe(false);
    // A median of 0.90 with one round at 1.01: the upper bound is not below 1.
    const u = report.evaluateTargets(results({ baseline: [60, 60, 60], tuned: [54, 54, 60.6] }));
    expect(u.find((x) => x.what === 'seed workload, check: tuned/baseline (paired)')!.met).toBe(false);
  });

  it('finds predicted/measured pairs wherever a simulator check puts them', () => {
    const e = report.simulatorErrors({ rows: [{ config: 'baseline', predicted: 11, measured: 10 }, { predictedSeconds: 9, measuredSeconds: 10 }] });
    expect(e.map((x) => Math.round(x.error * 100))).toEqual([10, -10]);
  });

  it("keeps the figure's crates that changed most, with median front-end and back-end per row", () => {
    const unit = (crate: string, f: number, b: number) => ({ crate, kind: 'lib', start: 0, end: f + b, frontend: f, backend: b });
    const fig = report.figureData({
      baseline: [[unit('cargo', 12, 3), unit('tiny', 0.1, 0.1), unit('syn', 3, 1), unit('serde', 2.9, 1)], [unit('cargo', 13, 3), unit('tiny', 0.1, 0.1), unit('syn', 3, 1), unit('serde', 2.9, 1)]],
      hand: [[unit('cargo', 7.5, 3), unit('tiny', 0.1, 0.1), unit('syn', 3, 1), unit('serde', 2.9, 1)]],
    }, { limit: 3 });
    expect(fig.map((c) => c.crate)).toEqual(['cargo', 'syn', 'serde']);
    expect(fig[0].rows.baseline).toEqual({ frontend: 12.5, backend: 3 });
    expect(fig[0].rows.hand.frontend).toBe(7.5);
  });

  it('renders the ratio table and the markdown for BENCHMARKS.md', () => {
    const r = results({ baseline: [60, 61, 62], global2: [70, 71, 72], tuned: [50, 51, 52] });
    const table = report.ratioTable(r);
    expect(table.split('\n')[0]).toBe('| ratio | example check (3 rounds) | seed check (3 rounds) |');
    expect(table).toMatch(/\| tuned\/baseline \(paired\) \| 1\.0\d\d \[\d\.\d{3}, \d\.\d{3}\] \| 0\.83\d \[/);
    expect(table).toContain(`| tuned/best-global (of medians) | – | ${(51 / 71).toFixed(3)} |`);
    const md = report.renderMarkdown(r);
    expect(md).toContain('Reproduce: `npm run bench`');
    expect(md).toContain('| tuned | x | 50.00 | 51.00 | 52.00 |');
    expect(md).toContain('other work, cores (median)');
    expect(md).toContain('**not met**');
  });
});

describe('rows', () => {
  // The entries of generators.json name the compiled file with its .js: the bench must find it,
  // or the tuned row is left out as "not available" (as it was once, silently).
  it('finds the built tune generator from generators.json', () => {
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "import { tuneUnavailable } from './tools/bench/lib/rows.mjs'; console.log(tuneUnavailable() ?? 'available');"],
      { cwd: require('node:path').join(__dirname, '..', '..'), encoding: 'utf8' },
    );
    expect(r.stdout.trim()).toBe('available');
  });
});

// README and BENCHMARKS.md quote one source: every interval the README states is one that the
// committed bench-results.json holds, with the same rounding, and BENCHMARKS.md (generated from it)
// shows the same text.
describe('the figures the README quotes', () => {
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const root = join(__dirname, '..', '..');
  const results = JSON.parse(readFileSync(join(root, 'bench-results.json'), 'utf8'));
  const fmt = (p: { median: number; lo: number; hi: number }) => `${p.median.toFixed(3)} [${p.lo.toFixed(3)}, ${p.hi.toFixed(3)}]`;
  const held = new Set<string>();
  for (const w of Object.values(results.workloads) as { modes: Record<string, { paired: Record<string, { median: number; lo: number; hi: number }> }> }[]) {
    for (const m of Object.values(w.modes)) for (const p of Object.values(m.paired)) held.add(fmt(p));
  }

  it('holds intervals at all (the test could not fail on an empty set)', () => {
    expect(held.size).toBeGreaterThan(4);
  });

  it('are intervals of the committed run, shown the same in BENCHMARKS.md', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const benchmarks = readFileSync(join(root, 'BENCHMARKS.md'), 'utf8');
    const quoted = [...readme.matchAll(/\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/g)].map((m) => m[0]);
    expect(quoted.length).toBeGreaterThan(0);
    expect(quoted.filter((q) => !held.has(q))).toEqual([]);
    expect(quoted.filter((q) => !benchmarks.includes(q))).toEqual([]);
  });
});
