import type { BuildRecord, UnitRecord } from '../recording/record';
import { curveSamples, DEFAULT_CURVES, effectiveThreads, fitCurve, singleThreadFrontend, type CurveSample } from './fit';
import { frontendFactor } from './simulate';
import type { SpeedupCurve } from './model';

// The prior every fit here starts from (the tuner passes its mode's default).
const PRIOR = DEFAULT_CURVES.check;

const truth: SpeedupCurve = { parallel: 0.4, plateau: 8, overhead: 0.08, source: 'fitted' };

/** What a crate of 10 s at 1 thread would record under the true curve (and the default's fixed seconds), with a relative error. */
function sample(threads: number, concurrent: number, tokens: number, error = 0): CurveSample {
  const n = effectiveThreads({ threads, concurrent, tokens });
  const fixed = threads > 1 ? (PRIOR.fixed ?? 0) : 0;
  return { threads, concurrent, tokens, frontend: (10 * frontendFactor(truth, threads, n) + fixed) * (1 + error) };
}

describe('effectiveThreads', () => {
  it('is N less what the other units held, at least 1', () => {
    expect(effectiveThreads({ threads: 2, concurrent: 1, tokens: 2 })).toBe(1);
    expect(effectiveThreads({ threads: 2, concurrent: 0.5, tokens: 2 })).toBe(1.5);
    expect(effectiveThreads({ threads: 4, concurrent: 1, tokens: 8 })).toBe(4);
    expect(effectiveThreads({ threads: 4, concurrent: 1, tokens: 8, cores: 2 })).toBe(4);
    expect(effectiveThreads({ threads: 2, concurrent: 0 })).toBe(2);
    expect(effectiveThreads({ threads: 1, concurrent: 3, tokens: 2 })).toBe(1);
  });
});

describe('fitCurve', () => {
  it('recovers parallel fraction and overhead from front-ends with and without a free token', () => {
    const fitted = fitCurve([sample(1, 0, 2), sample(1, 1, 2), sample(2, 0, 2), sample(2, 1, 2)], PRIOR);
    expect(fitted.source).toBe('fitted');
    expect(fitted.parallel).toBeCloseTo(0.4, 2);
    expect(fitted.overhead).toBeCloseTo(0.08, 2);
  });

  it('stays close with a few per cent of noise', () => {
    const fitted = fitCurve([sample(1, 0, 2, 0.03), sample(1, 0, 2, -0.02), sample(2, 0, 2, -0.03), sample(2, 1, 2, 0.02), sample(2, 1, 2, -0.01)], PRIOR);
    expect(Math.abs(fitted.parallel - 0.4)).toBeLessThan(0.1);
    expect(Math.abs(fitted.overhead - 0.08)).toBeLessThan(0.05);
  });

  it('with only 1 and 2 free threads, fits their ratio and leans to the prior for the rest', () => {
    const fitted = fitCurve([sample(1, 0, 2), sample(2, 0, 2)], PRIOR);
    const ratio = frontendFactor(truth, 2, 2);
    expect(frontendFactor(fitted, 2, 2)).toBeCloseTo(ratio, 2);
    // On the line 1 - p/2 + o = ratio, the point nearest the prior's own split (p, o).
    const p = (PRIOR.parallel + 0.5 * (PRIOR.overhead - (ratio - 1))) / 1.25;
    expect(fitted.parallel).toBeCloseTo(p, 1);
    expect(fitted.overhead).toBeCloseTo(p / 2 + ratio - 1, 1);
  });

  it('returns the prior when the samples cannot separate base from overhead', () => {
    expect(fitCurve([sample(1, 0, 2), sample(1, 1, 2)], PRIOR)).toBe(PRIOR);
    expect(fitCurve([sample(2, 0, 2), sample(2, 1, 2)], PRIOR)).toBe(PRIOR);
    expect(fitCurve([], PRIOR)).toBe(PRIOR);
    const prior: SpeedupCurve = { parallel: 0.3, plateau: 4, overhead: 0.05, source: 'default' };
    expect(fitCurve([sample(2, 0, 2)], prior)).toBe(prior);
    expect(fitCurve([sample(1, 0, 2), sample(2, 0, 2)], prior).plateau).toBe(4);
  });

  it('reads a front-end on fewer cores than threads as slowed by the sharing', () => {
    // 2 threads with a token on 1 core: its CPU time, 10 s × (1 + overhead) + fixed, not its 2-thread wall time.
    const oneCore: CurveSample = { threads: 2, concurrent: 0, tokens: 2, cores: 1, frontend: 10 * 1.08 + (PRIOR.fixed ?? 0) };
    const fitted = fitCurve([sample(1, 0, 2), sample(2, 0, 2), oneCore], PRIOR);
    expect(fitted.parallel).toBeCloseTo(0.4, 2);
    expect(fitted.overhead).toBeCloseTo(0.08, 2);
  });
});

describe('singleThreadFrontend', () => {
  it('takes the fixed seconds off a threaded front-end and divides the rest by its factor', () => {
    const withFixed = { ...truth, fixed: PRIOR.fixed };
    expect(singleThreadFrontend(sample(2, 0, 2), withFixed)).toBeCloseTo(10);
    expect(singleThreadFrontend(sample(2, 1, 2), withFixed)).toBeCloseTo(10);
    expect(singleThreadFrontend(sample(1, 1, 2), withFixed)).toBeCloseTo(10);
    // A front-end shorter than the fixed cost is 0 s of work, not less.
    expect(singleThreadFrontend({ threads: 2, concurrent: 0, frontend: 0.05 }, { ...truth, fixed: 0.1 })).toBe(0);
  });
});

describe('fitCurve with a fixed cost', () => {
  it('fits small and big crates alike once the fixed seconds are taken off', () => {
    // 0.2 s at 1 thread: at 2 free threads 0.2 × 0.88 + 0.1 = 0.276, i.e. ×1.38 — the fixed part, not a bad curve.
    const small = [1, 2].map((threads) => ({ threads, concurrent: 0, tokens: 2, frontend: 0.2 * frontendFactor(truth, threads, threads) + (threads > 1 ? 0.1 : 0) }));
    const fitted = fitCurve([...small, { ...small[1], concurrent: 1, frontend: 0.2 * 1.08 + 0.1 }], { ...PRIOR, fixed: 0.1 });
    expect(fitted.parallel).toBeCloseTo(0.4, 2);
    expect(fitted.overhead).toBeCloseTo(0.08, 2);
    expect(fitted.fixed).toBe(0.1);
  });
});

describe('curveSamples', () => {
  const record = (mode: 'build' | 'check', units: Partial<UnitRecord>[], jobs = 2): BuildRecord => ({
    v: 1 as BuildRecord['v'],
    at: '2026-11-25T00:00:00.000Z',
    project: 'app',
    cargoWorkspace: '.',
    mode,
    profile: 'dev',
    toolchain: '1.95.0',
    cores: 2,
    jobs,
    threads: {},
    success: true,
    duration: 10,
    fallbacks: [],
    units: units.map((u) => ({ package: 'x', crate: 'x', kind: 'lib', start: 0, end: 5, threads: 1, concurrent: 0, ...u })),
  });

  it('reads each front-end with its build\'s tokens and cores, and leaves out build scripts and fallbacks', () => {
    const samples = curveSamples([
      record('check', [
        { frontend: 4, backend: 0.05, end: 4.05 },
        { crate: 'build_script_build', kind: 'build-script-run' },
        { crate: 'y', frontend: 2, threads: 1, fallback: true },
      ], 1),
    ]);
    expect([...samples.keys()]).toEqual(['x']);
    expect(samples.get('x')).toEqual([{ threads: 1, frontend: 4, concurrent: 0, tokens: 1, cores: 2 }]);
  });

  it('in a build, takes the unthreaded back-end off a threaded lib whose metadata the wrapper held', () => {
    const samples = curveSamples([
      record('build', [{ frontend: 4, backend: 2, end: 6 }]),
      // Threaded: metadata at the end (back-end 0.01), span 5.5: front-end 5.5 - 2.
      record('build', [{ threads: 2, frontend: 5.49, backend: 0.01, end: 5.5 }]),
    ]);
    expect(samples.get('x')?.map((s) => [s.threads, s.frontend])).toEqual([
      [1, 4],
      [2, 3.5],
    ]);
    // With no unthreaded build of the crate the threaded sample cannot be read.
    expect(curveSamples([record('build', [{ threads: 2, frontend: 5.49, backend: 0.01, end: 5.5 }])]).get('x')).toBeUndefined();
  });
});
