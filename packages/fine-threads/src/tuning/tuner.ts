/**
 * The tuner: picks per-crate front-end thread counts that minimise the
 * simulated makespan of the recorded builds, with as few threaded crates as
 * possible. Pure: graphs and curves in, a table and one line per decision out.
 *
 * Search: greedy forward selection (add the crate and count that save most,
 * while the saving beats the noise margin), then backward pruning (drop any
 * chosen crate whose removal costs less than the margin), then, per chosen
 * crate, the smallest count within the margin of its best: never past the
 * plateau, never more than the cores.
 */
import { simulate } from '../simulation/simulate';
import type { SimConfig, SimGraph, SimResult, SpeedupCurve } from '../simulation/model';

export interface TuneBuild {
  /** What the build was, for messages: the Nx project it was recorded for. */
  label: string;
  graph: SimGraph;
}

export interface TuneInput {
  builds: TuneBuild[];
  /** The machine the table is for. */
  cores: number;
  /** Jobserver tokens (default: cores). */
  tokens?: number;
  curves: Record<string, SpeedupCurve>;
  defaultCurve: SpeedupCurve;
  /**
   * Seconds a saving must exceed, summed over the builds, for a crate to be
   * threaded. Default: max(0.25 s, max(2 %, noise) of the baseline makespans).
   */
  margin?: number;
  /** Relative noise of repeated builds (stats.relativeNoise): a saving below it could not be measured. */
  noise?: number;
  /** Crates never to thread (e.g. reverted by the guard), with the reason shown. */
  exclude?: Record<string, string>;
  /** At most this many crates are tried (largest front-end first). Default 12. */
  maxCandidates?: number;
}

export interface TuneDecision {
  crate: string;
  /** Front-end seconds at 1 thread, largest over the builds. */
  frontend: number;
  /** Average idle cores during its front-end in the baseline simulation. */
  idleCores: number;
  threads: number;
  /** Predicted seconds saved over all builds by this crate's threads (given the others chosen). */
  saving: number;
  reason: string;
}

export interface TuneResult {
  /** crate → threads ≥ 2; crates absent run single-threaded. */
  table: Record<string, number>;
  decisions: TuneDecision[];
  /** Predicted makespan per build, baseline (no threads) and tuned. */
  predicted: { label: string; baseline: number; tuned: number }[];
  margin: number;
  /**
   * Crates whose decision rests on the default curve: with a curve a little better or worse than
   * it (DEFAULT_CURVE_DOUBT) the saving would cross the margin. Measuring their curve decides.
   */
  undecided: string[];
}

/** How far a crate's real curve may lie from the mode's default: its overhead this much either way (≈ ±8 % of the front-end at 2 threads). */
export const DEFAULT_CURVE_DOUBT = 0.08;

const fmt = (s: number) => s.toFixed(1);

/** The simulator's configuration; another machine (`cores` given) has as many tokens as cores. */
function configFor(input: TuneInput, table: Record<string, number>, cores?: number): SimConfig {
  return {
    tokens: cores ?? input.tokens ?? input.cores,
    cores: cores ?? input.cores,
    threads: table,
    curves: input.curves,
    defaultCurve: input.defaultCurve,
  };
}

function totalMakespan(input: TuneInput, table: Record<string, number>): number {
  let total = 0;
  for (const b of input.builds) total += simulate(b.graph, configFor(input, table)).makespan;
  return total;
}

/**
 * What the tuner calls a crate: its name, or `name@version` where the builds hold several
 * versions of it (two versions are two crates, each with its own count).
 */
export function crateIds(graphs: readonly SimGraph[]): (u: { crate: string; version?: string }) => string {
  const versions = new Map<string, Set<string>>();
  for (const g of graphs) {
    for (const u of g.units) {
      if (u.kind.startsWith('build-script') || u.version === undefined) continue;
      versions.set(u.crate, (versions.get(u.crate) ?? new Set()).add(u.version));
    }
  }
  return (u) => ((versions.get(u.crate)?.size ?? 0) > 1 && u.version !== undefined ? `${u.crate}@${u.version}` : u.crate);
}

/** Idle cores averaged over each crate's front-end in a simulated build: the room threads could use. */
export function idleDuringFrontend(
  result: SimResult,
  cores: number,
  idOf: (u: { crate: string; version?: string }) => string = (u) => u.crate,
): Map<string, { frontend: number; idle: number }> {
  const out = new Map<string, { frontend: number; idle: number }>();
  const samples = result.samples;
  for (const u of result.units) {
    const span = u.metadata - u.start;
    if (span <= 0) continue;
    let busy = 0;
    for (let i = 0; i < samples.length; i++) {
      const from = Math.max(samples[i].t, u.start);
      const to = Math.min(i + 1 < samples.length ? samples[i + 1].t : result.makespan, u.metadata);
      if (to > from) busy += (to - from) * samples[i].threads;
    }
    const idle = Math.max(0, cores - busy / span);
    const id = idOf(u);
    const prev = out.get(id);
    if (!prev || span > prev.frontend) out.set(id, { frontend: span, idle });
  }
  return out;
}

/** The thread counts worth trying for a crate: 2..min(cores, plateau). */
function countsFor(input: TuneInput, crate: string): number[] {
  const curve = input.curves[crate.split('@')[0]] ?? input.defaultCurve;
  const top = Math.max(1, Math.min(input.cores, Math.floor(curve.plateau)));
  const counts: number[] = [];
  for (let n = 2; n <= top; n++) counts.push(n);
  return counts;
}

export function tune(input: TuneInput): TuneResult {
  const none: Record<string, number> = {};
  const baselines = input.builds.map((b) => ({ label: b.label, result: simulate(b.graph, configFor(input, none)) }));
  const baselineTotal = baselines.reduce((s, b) => s + b.result.makespan, 0);
  const margin = input.margin ?? Math.max(0.25, Math.max(0.02, input.noise ?? 0) * baselineTotal);

  // What each crate's front-end looks like in the baseline: its longest instance over the builds.
  const idOf = crateIds(input.builds.map((b) => b.graph));
  const seen = new Map<string, { frontend: number; idle: number }>();
  for (const b of baselines) {
    for (const [crate, v] of idleDuringFrontend(b.result, input.cores, idOf)) {
      const prev = seen.get(crate);
      if (!prev || v.frontend > prev.frontend) seen.set(crate, v);
    }
  }
  const exclude = input.exclude ?? {};
  const candidates = [...seen.entries()]
    .filter(([crate]) => !(crate in exclude) && countsFor(input, crate).length > 0)
    .sort((a, b) => b[1].frontend - a[1].frontend)
    .slice(0, input.maxCandidates ?? 12)
    .map(([crate]) => crate);

  // Forward: add the single best (crate, count) while it saves more than the margin.
  const table: Record<string, number> = {};
  let current = baselineTotal;
  for (;;) {
    let best: { crate: string; n: number; total: number } | undefined;
    for (const crate of candidates) {
      if (crate in table) continue;
      for (const n of countsFor(input, crate)) {
        const total = totalMakespan(input, { ...table, [crate]: n });
        if (!best || total < best.total) best = { crate, n, total };
      }
    }
    if (!best || current - best.total <= margin) break;
    table[best.crate] = best.n;
    current = best.total;
  }

  // Backward: the fewest threaded crates — drop any whose removal costs no more than the margin.
  for (const crate of Object.keys(table).sort((a, b) => (seen.get(a)?.frontend ?? 0) - (seen.get(b)?.frontend ?? 0))) {
    const { [crate]: _dropped, ...rest } = table;
    const without = totalMakespan(input, rest);
    if (without - current <= margin) {
      delete table[crate];
      current = without;
    }
  }

  // Per crate, the fewest threads within the margin of its best count.
  const savings = new Map<string, number>();
  for (const crate of Object.keys(table)) {
    const { [crate]: _n, ...rest } = table;
    const without = totalMakespan(input, rest);
    let chosen = table[crate];
    let chosenTotal = current;
    for (const n of countsFor(input, crate)) {
      if (n >= chosen) break;
      const total = totalMakespan(input, { ...rest, [crate]: n });
      if (total - current <= margin / 2) {
        chosen = n;
        chosenTotal = total;
        break;
      }
    }
    table[crate] = chosen;
    current = chosenTotal;
    savings.set(crate, without - chosenTotal);
  }

  const decisions: TuneDecision[] = [];
  for (const [crate, v] of [...seen.entries()].sort((a, b) => b[1].frontend - a[1].frontend)) {
    const base = { crate, frontend: v.frontend, idleCores: v.idle };
    const head = `${crate}: front-end ${fmt(v.frontend)} s, ${v.idle.toFixed(1)} idle cores during it`;
    if (crate in table) {
      const saving = savings.get(crate) ?? 0;
      decisions.push({ ...base, threads: table[crate], saving, reason: `${head} → ${table[crate]} threads, saves ${fmt(saving)} s (predicted)` });
    } else if (crate in exclude) {
      decisions.push({ ...base, threads: 1, saving: 0, reason: `${head} → 1: ${exclude[crate]}` });
    } else if (candidates.includes(crate)) {
      const n = countsFor(input, crate).at(-1) ?? 1;
      const saving = current - totalMakespan(input, { ...table, [crate]: n });
      decisions.push({
        ...base,
        threads: 1,
        saving: 0,
        reason: `${head} → 1: ${n} threads would save ${fmt(saving)} s, not above the noise margin ${fmt(margin)} s`,
      });
    }
  }

  // Decisions that a measured curve could turn: no fitted curve, and the saving crosses the
  // margin between a slightly better and a slightly worse curve than the default.
  const undecided: string[] = [];
  for (const d of decisions) {
    const name = d.crate.split('@')[0];
    if (input.curves[name] || d.crate in exclude || !candidates.includes(d.crate)) continue;
    const n = d.crate in table ? table[d.crate] : (countsFor(input, d.crate).at(-1) ?? 1);
    if (n < 2) continue;
    const withCurve = (overhead: number) => {
      const shifted = { ...input, curves: { ...input.curves, [name]: { ...input.defaultCurve, overhead: Math.max(0, overhead) } } };
      const { [d.crate]: _self, ...rest } = table;
      return totalMakespan(shifted, rest) - totalMakespan(shifted, { ...rest, [d.crate]: n });
    };
    const best = withCurve(input.defaultCurve.overhead - DEFAULT_CURVE_DOUBT);
    const worst = withCurve(input.defaultCurve.overhead + DEFAULT_CURVE_DOUBT);
    if ((d.crate in table && worst <= margin) || (!(d.crate in table) && best > margin)) {
      undecided.push(d.crate);
      d.reason += `; the default curve decides this: a measured one could turn it (nx g fine-threads:tune --calibrate)`;
    }
  }

  const predicted = input.builds.map((b, i) => ({
    label: b.label,
    baseline: baselines[i].result.makespan,
    tuned: simulate(b.graph, configFor(input, table)).makespan,
  }));
  return { table, decisions, predicted, margin, undecided };
}

/** The same builds predicted on a machine with `cores` cores (and as many tokens), for a table. */
export function predictAt(input: TuneInput, table: Record<string, number>, cores: number): number[] {
  return input.builds.map((b) => simulate(b.graph, configFor(input, table, cores)).makespan);
}
