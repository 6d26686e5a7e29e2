import type { SimGraph, SimUnit, SpeedupCurve } from '../simulation/model';
import { predictAt, tune } from './tuner';

const curve: SpeedupCurve = { parallel: 0.8, plateau: 8, overhead: 0.05, source: 'default' };

function unit(crate: string, frontend: number, backend: number, rmetaDeps: number[] = [], deps: number[] = []): SimUnit {
  return { key: `${crate} 0.1.0 lib ${crate}`, package: crate, crate, kind: 'lib', frontend, backend, deps, rmetaDeps };
}

/** Six small crates side by side, then one big crate that needs them all: the seed's shape. */
function lateBigCrate(): SimGraph {
  const small = Array.from({ length: 6 }, (_, i) => unit(`small${i}`, 0.5, 0.3));
  return { units: [...small, unit('big', 10, 1, small.map((_, i) => i))] };
}

/** Forty independent crates of a second each: the cores are never idle. */
function wideGraph(): SimGraph {
  return { units: Array.from({ length: 40 }, (_, i) => unit(`w${i}`, 1, 0.2)) };
}

describe('tune', () => {
  it('threads one long front-end at the end of the graph, and nothing else', () => {
    const result = tune({ builds: [{ label: 'app', graph: lateBigCrate() }], cores: 2, curves: {}, defaultCurve: curve });
    expect(result.table).toEqual({ big: 2 });
    const [p] = result.predicted;
    expect(p.tuned).toBeLessThan(p.baseline - 2);
    const big = result.decisions.find((d) => d.crate === 'big');
    expect(big?.threads).toBe(2);
    expect(big?.saving).toBeGreaterThan(2);
    expect(big?.reason).toMatch(/^big: front-end 10\.0 s, .* → 2 threads, saves \d+\.\d s/);
  });

  it('keeps two versions of one crate apart: only the one that pays is threaded, by name@version', () => {
    const g = lateBigCrate();
    // clap 2.x compiles early beside the small crates; clap 3.x is the long one at the end.
    const old: SimUnit = { ...unit('clap', 0.5, 0.3), key: 'clap 2.34.0 lib clap', package: 'clap', version: '2.34.0' };
    const big = g.units[g.units.length - 1];
    const units = [...g.units.slice(0, -1), old, { ...big, key: 'clap 3.2.23 lib clap', package: 'clap', crate: 'clap', version: '3.2.23', rmetaDeps: [...big.rmetaDeps, 6] }];
    const result = tune({ builds: [{ label: 'app', graph: { units } }], cores: 2, curves: {}, defaultCurve: curve });
    expect(result.table).toEqual({ 'clap@3.2.23': 2 });
    expect(result.decisions.map((d) => d.crate)).toContain('clap@2.34.0');
  });

  it('a noisier history asks more of a saving', () => {
    const quiet = tune({ builds: [{ label: 'app', graph: lateBigCrate() }], cores: 2, curves: {}, defaultCurve: curve });
    expect(quiet.table).toEqual({ big: 2 });
    const total = quiet.predicted[0].baseline;
    const saving = quiet.predicted[0].baseline - quiet.predicted[0].tuned;
    // Runs that scatter by more than the predicted saving: it could never be measured.
    const noisy = tune({ builds: [{ label: 'app', graph: lateBigCrate() }], cores: 2, curves: {}, defaultCurve: curve, noise: (saving / total) * 1.2 });
    expect(noisy.table).toEqual({});
    expect(noisy.margin).toBeCloseTo(saving * 1.2, 6);
  });

  it('says which decisions rest on the default curve, and not those a fitted curve or a clear margin settles', () => {
    const input = { builds: [{ label: 'app', graph: lateBigCrate() }], cores: 2, curves: {}, defaultCurve: curve };
    const clear = tune({ ...input, margin: 0.1 });
    expect(clear.table).toEqual({ big: 2 });
    expect(clear.undecided).toEqual([]);
    const saving = clear.predicted[0].baseline - clear.predicted[0].tuned;
    // Just above the margin: a curve a little worse than the default would not pay.
    const close = tune({ ...input, margin: saving * 0.95 });
    expect(close.table).toEqual({ big: 2 });
    expect(close.undecided).toEqual(['big']);
    expect(close.decisions.find((d) => d.crate === 'big')?.reason).toMatch(/the default curve decides this: a measured one could turn it \(nx g fine-threads:tune --calibrate\)$/);
    // Just below: a little better would pay.
    const below = tune({ ...input, margin: saving * 1.05 });
    expect(below.table).toEqual({});
    expect(below.undecided).toEqual(['big']);
    // A fitted curve is measured: nothing to calibrate.
    const fitted = tune({ ...input, margin: saving * 0.95, curves: { big: { ...curve, source: 'fitted' as const } } });
    expect(fitted.undecided).toEqual([]);
  });

  it('threads nothing in a wide graph of small crates', () => {
    const result = tune({ builds: [{ label: 'all', graph: wideGraph() }], cores: 2, curves: {}, defaultCurve: curve });
    expect(result.table).toEqual({});
    expect(result.predicted[0].tuned).toBe(result.predicted[0].baseline);
  });

  it('never goes past the fitted plateau, nor past the cores', () => {
    const flat: SpeedupCurve = { parallel: 0.9, plateau: 3, overhead: 0, source: 'fitted' };
    const at8 = tune({ builds: [{ label: 'app', graph: lateBigCrate() }], cores: 8, curves: { big: flat }, defaultCurve: curve });
    expect(at8.table.big).toBeLessThanOrEqual(3);
    expect(at8.table.big).toBeGreaterThanOrEqual(2);
    const at2 = tune({ builds: [{ label: 'app', graph: lateBigCrate() }], cores: 2, curves: { big: flat }, defaultCurve: curve });
    expect(at2.table.big).toBe(2);
  });

  it('leaves a crate whose curve shows no gain, and an excluded crate, at 1 with the reason', () => {
    const none: SpeedupCurve = { parallel: 0, plateau: 1, overhead: 0.1, source: 'fitted' };
    const flat = tune({ builds: [{ label: 'app', graph: lateBigCrate() }], cores: 2, curves: { big: none }, defaultCurve: curve });
    expect(flat.table).toEqual({});
    const excluded = tune({
      builds: [{ label: 'app', graph: lateBigCrate() }],
      cores: 2,
      curves: {},
      defaultCurve: curve,
      exclude: { big: 'reverted by the guard' },
    });
    expect(excluded.table).toEqual({});
    expect(excluded.decisions.find((d) => d.crate === 'big')?.reason).toMatch(/→ 1: reverted by the guard$/);
  });

  it('does not thread a crate whose saving is under the noise margin', () => {
    const result = tune({ builds: [{ label: 'app', graph: lateBigCrate() }], cores: 2, curves: {}, defaultCurve: curve, margin: 100 });
    expect(result.table).toEqual({});
    expect(result.decisions.find((d) => d.crate === 'big')?.reason).toMatch(/not above the noise margin 100\.0 s/);
  });

  it('is deterministic, and predicts bigger machines no slower', () => {
    const input = { builds: [{ label: 'app', graph: lateBigCrate() }], cores: 2, curves: {}, defaultCurve: curve };
    expect(tune(input)).toEqual(tune(input));
    const [at2] = predictAt(input, {}, 2);
    const [at64] = predictAt(input, {}, 64);
    expect(at64).toBeLessThanOrEqual(at2);
  });

  it('predicts another machine with its own tokens: more threads pay on more cores', () => {
    const input = { builds: [{ label: 'app', graph: lateBigCrate() }], cores: 2, tokens: 2, curves: {}, defaultCurve: curve };
    const [two] = predictAt(input, { big: 2 }, 64);
    const [eight] = predictAt(input, { big: 8 }, 64);
    expect(eight).toBeLessThan(two - 1);
    expect(tune({ ...input, cores: 64, tokens: 64 }).table.big).toBeGreaterThan(2);
  });
});
