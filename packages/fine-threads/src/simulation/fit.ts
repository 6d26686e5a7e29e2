/**
 * A crate's front-end speed-up curve, fitted to its recorded front-ends at several thread counts.
 * Pure.
 *
 * A record's front-end was measured under contention: a rustc asked for N threads runs only as
 * many as it holds tokens for, and the other units running (`concurrent`) held the rest. So each
 * sample is read at n = clamp(tokens - concurrent, 1, N) threads (and, when the units wanted
 * more cores than there were, as stretched by that ratio, as the simulator slows them), and the model
 *   frontend = base × ((1 - parallel) + parallel / min(n, plateau) + (N > 1 ? overhead : 0))
 *              + (N > 1 ? fixed : 0)
 * is fitted by least squares over parallel ∈ [0, 1] and overhead ∈ [0, 1] (a grid, base in
 * closed form), with a light pull towards the prior (the mode's default, DEFAULT_CURVES) that only decides between
 * fits the data cannot tell apart: one front-end at 1 thread and one at 2 fix
 * 1 - parallel/2 + overhead, not the two apart.
 */
import type { BuildRecord } from '../recording/record';
import type { SpeedupCurve } from './model';

export interface CurveSample {
  /** Threads the unit was asked to run (1 = none). */
  threads: number;
  /** Its recorded front-end, seconds. */
  frontend: number;
  /** Average number of other units running during it. */
  concurrent: number;
  /** The build's jobserver tokens (cargo's -j). Absent: assumed N, i.e. its threads were free unless others ran. */
  tokens?: number;
  /** The machine's cores; absent: not a limit. */
  cores?: number;
}

/**
 * Measured on this project's 2-core machine, idle (stable 1.95, tools/bench/frontend-curve.mjs,
 * 3 interleaved rounds, medians; other processes took under 0.1 core; the VM's own run-to-run
 * spread is still ±15 %): three big crates each compiled ALONE, their front-end (until .rmeta)
 * as a factor of the 1-thread one, and fitCurve over each crate's 15 runs:
 *
 *   cargo check   2 threads,   2 threads,   2 threads   fitted
 *                 free token   no token     one core    parallel  overhead
 *     heavy         0.66         1.19         1.30        0.93      0.23
 *     cargo         0.68         1.19         1.25        1.00      0.24
 *     toml_edit     0.74         1.22         1.54        1.00      0.22
 *   cargo build (debug)                                                     back-end at 2 threads
 *     heavy         0.79         1.37         1.18        0.93      0.20       1.06
 *     cargo         0.86         1.15         1.23        0.78      0.19       0.95
 *     toml_edit     0.99         1.24         1.22        0.47      0.17       1.11
 *
 * A `build` front-end gains less than a `check` one: until its .rmeta it also does work that
 * threads do not divide as well. Hence one default per mode, the means of the three, parallel
 * rounded down from 1 for check (no front-end is wholly parallel). The fixed 0.1 s per threaded
 * rustc is from tools/bench/frontend-fixed-cost.mjs (21 small crates, under load). An earlier
 * default (parallel 0.75, overhead 0.3) came from runs beside other jobs, where the helper
 * thread's core was often taken: it made every thread look unprofitable. The plateau cannot be
 * measured on 2 cores: 8 is the rustc project's own advice for -Zthreads (its 2023
 * announcement: gains up to 8 threads, none beyond), an assumption.
 */
export const DEFAULT_CURVES: Record<'check' | 'build', SpeedupCurve> = {
  check: { parallel: 0.95, plateau: 8, overhead: 0.23, fixed: 0.1, backendOverhead: 0, source: 'default' },
  build: { parallel: 0.73, plateau: 8, overhead: 0.19, fixed: 0.1, backendOverhead: 0.04, source: 'default' },
};

/** The default for a mode: `check` for anything that generates no code, `build` otherwise. */
export function defaultCurve(mode: string): SpeedupCurve {
  return mode === 'check' ? DEFAULT_CURVES.check : DEFAULT_CURVES.build;
}

/** Threads a recorded front-end actually ran on average: its N, less the tokens the others held. */
export function effectiveThreads(sample: Pick<CurveSample, 'threads' | 'concurrent' | 'tokens' | 'cores'>): number {
  const n = Math.max(1, sample.threads);
  return Math.max(1, Math.min(n, (sample.tokens ?? n) - sample.concurrent));
}

/**
 * How much slower than alone a front-end ran because the units wanted more cores than there
 * were: the others one each, itself its CPU time over its wall time (as the simulator has it).
 */
function stretch(sample: Pick<CurveSample, 'concurrent' | 'cores'>, wallFactor: number, overhead: number): number {
  if (sample.cores === undefined) return 1;
  return Math.max(1, (sample.concurrent + (1 + overhead) / wallFactor) / sample.cores);
}

/** factor(N, n) for a curve; the same formula as the simulator's frontendFactor. */
function factor(parallel: number, overhead: number, plateau: number, requested: number, n: number): number {
  return 1 - parallel + parallel / Math.max(1, Math.min(n, plateau)) + (requested > 1 ? overhead : 0);
}

const COARSE = 0.05;
const STEP = 0.001;
/** Weight of the prior against the mean squared relative residual: small, it only breaks ties. */
const PULL = 1e-4;

/**
 * Fits a curve to one crate's samples. Needs at least one sample at 1 thread and one above;
 * otherwise base and overhead cannot be told apart and the prior comes back unchanged.
 */
export function fitCurve(samples: CurveSample[], prior: SpeedupCurve): SpeedupCurve {
  const usable = samples.filter((s) => s.frontend > 0 && Number.isFinite(s.frontend) && s.threads >= 1);
  if (!usable.some((s) => s.threads === 1) || !usable.some((s) => s.threads > 1)) return prior;
  const mean = usable.reduce((sum, s) => sum + s.frontend, 0) / usable.length;
  const y = usable.map((s) => s.frontend / mean);
  const reads = usable.map((s) => ({ sample: s, requested: s.threads, n: effectiveThreads(s) }));
  // The fixed seconds are the prior's: one crate's samples cannot tell them from its overhead.
  const fixed = (prior.fixed ?? 0) / mean;
  const cost = (parallel: number, overhead: number) => {
    let yg = 0;
    let gg = 0;
    const g = reads.map((r, i) => {
      const f = factor(parallel, overhead, prior.plateau, r.requested, r.n);
      const s = stretch(r.sample, f, r.requested > 1 ? overhead : 0);
      const gi = f * s;
      const fi = r.requested > 1 ? fixed * s : 0;
      yg += (y[i] - fi) * gi;
      gg += gi * gi;
      return [gi, fi];
    });
    // Least-squares base for this shape: Σ(y - fixed)g / Σg².
    const base = yg / gg;
    let residual = 0;
    g.forEach(([gi, fi], i) => (residual += (y[i] - base * gi - fi) ** 2));
    return residual / g.length + PULL * ((parallel - prior.parallel) ** 2 + (overhead - prior.overhead) ** 2);
  };
  // A coarse grid over [0, 1]², then a fine one around its best point.
  let best = { parallel: prior.parallel, overhead: prior.overhead, cost: Infinity };
  const search = (p0: number, p1: number, o0: number, o1: number, step: number) => {
    for (let parallel = p0; parallel <= p1 + 1e-9; parallel += step) {
      for (let overhead = o0; overhead <= o1 + 1e-9; overhead += step) {
        const c = cost(parallel, overhead);
        if (c < best.cost) best = { parallel, overhead, cost: c };
      }
    }
  };
  search(0, 1, 0, 1, COARSE);
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  const { parallel, overhead } = best;
  search(clamp(parallel - COARSE), clamp(parallel + COARSE), clamp(overhead - COARSE), clamp(overhead + COARSE), STEP);
  const curve: SpeedupCurve = { parallel: round(best.parallel), plateau: prior.plateau, overhead: round(best.overhead), source: 'fitted' };
  if (prior.fixed !== undefined) curve.fixed = prior.fixed;
  if (prior.backendOverhead !== undefined) curve.backendOverhead = prior.backendOverhead;
  return curve;
}

/** A recorded front-end brought back to 1 thread and no contention: divided by its curve's factor. */
export function singleThreadFrontend(sample: CurveSample, curve: SpeedupCurve): number {
  if (sample.threads <= 1) return sample.frontend / stretch(sample, 1, 0);
  const f = factor(curve.parallel, curve.overhead, curve.plateau, sample.threads, effectiveThreads(sample));
  const s = stretch(sample, f, curve.overhead);
  return Math.max(0, sample.frontend / s - (curve.fixed ?? 0)) / f;
}

/** A recorded back-end this short means the metadata notice came at the end: the wrapper held it. */
const HELD = 0.02;

/**
 * Every recorded front-end of each crate, with the tokens and cores of its build: what fitCurve
 * takes. Build scripts and ICE fallbacks are left out. Records made with the first rustc wrapper,
 * which held a threaded rustc's metadata notice until it exited, show a threaded lib's `build`
 * front-end running to its end (a back-end of ~0): its back-end is taken off, the median back-end
 * of the crate's unthreaded builds in these records; with none, that sample is left out.
 */
export function curveSamples(records: BuildRecord[]): Map<string, CurveSample[]> {
  const unthreadedBackends = new Map<string, number[]>();
  for (const r of records) {
    if (r.mode !== 'build') continue;
    for (const u of r.units) {
      if (u.kind === 'lib' && u.threads === 1 && u.backend !== undefined) {
        unthreadedBackends.set(u.crate, [...(unthreadedBackends.get(u.crate) ?? []), u.backend]);
      }
    }
  }
  const out = new Map<string, CurveSample[]>();
  for (const r of records) {
    for (const u of r.units) {
      if (u.frontend === undefined || u.kind.startsWith('build-script') || u.fallback) continue;
      let frontend = u.frontend;
      if (r.mode === 'build' && u.threads > 1 && u.kind === 'lib' && (u.backend ?? 0) <= HELD) {
        const backends = unthreadedBackends.get(u.crate);
        if (!backends) continue;
        frontend = u.end - u.start - median(backends);
        if (!(frontend > 0)) continue;
      }
      const sample: CurveSample = { threads: u.threads, frontend, concurrent: u.concurrent, tokens: r.jobs ?? r.cores, cores: r.cores };
      out.set(u.crate, [...(out.get(u.crate) ?? []), sample]);
    }
  }
  return out;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
