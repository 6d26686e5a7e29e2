/**
 * Replays a build graph under a J-token jobserver, the way cargo and rustc share it:
 *
 * - cargo starts ready units highest priority first, and runs at most J at once (its implicit
 *   token and J - 1 from the jobserver). A unit's priority is cargo's: the number of units that
 *   depend on it, transitively, itself included (cargo 1.95 gives every unit the same cost, 100,
 *   and sums it over the transitive dependents). Ties go to the unit that started first in the
 *   recorded build, when known (cargo breaks them in hash-map order).
 * - A unit in its front-end with N > 1 threads runs 1 + h threads, where h <= N - 1 is the
 *   jobserver tokens its helpers hold. Tokens left once cargo has started what it can go to
 *   threaded front-ends, highest priority first. cargo wins a token over a helper: rustc's
 *   helpers give theirs back whenever they idle, which in a front-end is often, and cargo's
 *   request is already waiting, so cargo's next unit is modelled as starting at once.
 * - Front-end work is kept in 1-thread seconds and advances at 1 / factor(N, n) per second
 *   (SpeedupCurve), after the curve's fixed seconds for a rustc asked for N > 1 threads.
 *   Back-ends (codegen, link, build-script runs) run at their recorded pace on one token (a
 *   threaded rustc's slower by the curve's backendOverhead): debug
 *   codegen's LLVM workers also take tokens, but the record's back-end times already include
 *   whatever help they got then (wrong only where a back-end ran alone in the record and not
 *   in the prediction, or the other way round).
 * - When the running units want more cores than there are, every one slows down in proportion.
 *   A back-end wants one core; a front-end at n threads wants its CPU time over its wall time,
 *   (1 + overhead) / factor(N, n): its helpers idle in its serial parts.
 * - A unit with no work (fresh, or not in the record) finishes when it becomes ready, without a
 *   token, as cargo's fresh jobs do.
 * - Every unit's dependents may start at its metadata (SimConfig.pipelining "all", the default:
 *   the rustc wrapper streams a threaded rustc's stderr, metadata notice included); "unthreaded"
 *   replays wrappers before 0.2, which held that notice until rustc exited.
 */
import type { SimConfig, SimGraph, SimResult, SimSample, SimUnit, SimUnitResult, SpeedupCurve } from './model';

export class SimulationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationError';
  }
}

/** The factor a front-end's 1-thread time is multiplied by, asked for N threads and running n. */
export function frontendFactor(curve: SpeedupCurve, requested: number, running: number): number {
  const n = Math.max(1, Math.min(running, curve.plateau));
  return 1 - curve.parallel + curve.parallel / n + (requested > 1 ? curve.overhead : 0);
}

/** Threads a unit asks for in a configuration: its crate's count (0 = every core); build scripts never. */
export function requestedThreads(unit: Pick<SimUnit, 'crate' | 'kind' | 'version'>, config: Pick<SimConfig, 'threads' | 'cores'>): number {
  if (unit.kind.startsWith('build-script')) return 1;
  const n = (unit.version !== undefined ? config.threads[`${unit.crate}@${unit.version}`] : undefined) ?? config.threads[unit.crate];
  if (n === undefined) return 1;
  if (n === 0) return config.cores;
  return Math.max(1, Math.floor(n));
}

/** cargo's priorities: how many units depend on each, transitively, itself included. */
export function priorities(graph: SimGraph): number[] {
  const n = graph.units.length;
  const dependents: number[][] = graph.units.map(() => []);
  graph.units.forEach((u, i) => {
    for (const d of new Set([...u.deps, ...u.rmetaDeps])) dependents[d].push(i);
  });
  // Bit sets of the dependents' closure, filled from the leaves of the reverse graph upwards.
  const words = Math.ceil(n / 32);
  const closure: (Uint32Array | undefined)[] = new Array(n);
  const state = new Uint8Array(n); // 0 new, 1 on the stack, 2 done
  const visit = (root: number) => {
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [i, k] = top;
      if (k < dependents[i].length) {
        top[1]++;
        const j = dependents[i][k];
        if (state[j] === 1) throw new SimulationError(`dependency cycle through ${graph.units[j].key}`);
        if (state[j] === 0) {
          state[j] = 1;
          stack.push([j, 0]);
        }
        continue;
      }
      const set = new Uint32Array(words);
      set[i >> 5] |= 1 << (i & 31);
      for (const j of dependents[i]) {
        const other = closure[j] as Uint32Array;
        for (let w = 0; w < words; w++) set[w] |= other[w];
      }
      closure[i] = set;
      state[i] = 2;
      stack.pop();
    }
  };
  for (let i = 0; i < n; i++) if (state[i] === 0) visit(i);
  return closure.map((set) => {
    let count = 0;
    for (const w of set as Uint32Array) {
      let x = w;
      while (x) {
        x &= x - 1;
        count++;
      }
    }
    return count;
  });
}

const EPS = 1e-9;

export function simulate(graph: SimGraph, config: SimConfig): SimResult {
  const { units } = graph;
  const n = units.length;
  if (!(config.tokens >= 1) || !Number.isInteger(config.tokens)) throw new SimulationError(`tokens must be an integer >= 1, got ${config.tokens}`);
  if (!(config.cores >= 1)) throw new SimulationError(`cores must be >= 1, got ${config.cores}`);
  units.forEach((u) => {
    for (const d of [...u.deps, ...u.rmetaDeps]) {
      if (!Number.isInteger(d) || d < 0 || d >= n) throw new SimulationError(`${u.key}: dependency index ${d} is not a unit`);
    }
    if (!(u.frontend >= 0) || !(u.backend >= 0)) throw new SimulationError(`${u.key}: negative or missing duration`);
  });

  const priority = priorities(graph);
  const rank = units.map((_, i) => i);
  rank.sort(
    (a, b) =>
      priority[b] - priority[a] ||
      (units[a].recordedStart ?? Infinity) - (units[b].recordedStart ?? Infinity) ||
      a - b,
  );
  const order = new Array<number>(n);
  rank.forEach((unit, position) => (order[unit] = position));
  const byRank = (a: number, b: number) => order[a] - order[b];

  const waitAll: number[][] = units.map(() => []);
  const waitMeta: number[][] = units.map(() => []);
  const blockers = new Int32Array(n);
  units.forEach((u, i) => {
    const all = new Set(u.deps);
    for (const d of all) waitAll[d].push(i);
    for (const d of new Set(u.rmetaDeps)) {
      if (all.has(d)) continue;
      waitMeta[d].push(i);
    }
    blockers[i] = all.size + new Set(u.rmetaDeps.filter((d) => !all.has(d))).size;
  });

  // Every rustc of a threaded crate pays for its threads, even one the record shows no front-end
  // for (a proc-macro or a bin in a build): its fixed cost and its back-end overhead.
  const requested = units.map((u) => (u.frontend + u.backend > 0 ? requestedThreads(u, config) : 1));
  const curve = units.map((u) => config.curves[u.crate] ?? config.defaultCurve);
  // A threaded front-end starts with its fixed cost: wall seconds on one core, threads or not.
  const fxLeft = units.map((u, i) => (requested[i] > 1 ? (curve[i].fixed ?? 0) : 0));
  const feLeft = units.map((u, i) => u.frontend + fxLeft[i]);
  const beLeft = units.map((u, i) => u.backend * (requested[i] > 1 ? 1 + (curve[i].backendOverhead ?? 0) : 1));
  const results: SimUnitResult[] = units.map((u, i) => ({
    key: u.key,
    crate: u.crate,
    ...(u.version !== undefined ? { version: u.version } : {}),
    kind: u.kind,
    start: NaN,
    metadata: NaN,
    end: NaN,
    threads: requested[i],
  }));

  let t = graph.startup ?? 0;
  let pending: number[] = [];
  const running: number[] = [];
  const extra = new Int32Array(n);
  let done = 0;
  const samples: SimSample[] = [];

  const release = (list: number[]) => {
    for (const j of list) if (--blockers[j] === 0) pending.push(j);
  };
  // Held: the wrapper passes a threaded rustc's metadata notice on only when it exits.
  const held = units.map((_, i) => (config.pipelining ?? 'all') === 'unthreaded' && requested[i] > 1);
  const reachMetadata = (i: number) => {
    results[i].metadata = t;
    if (!held[i]) release(waitMeta[i]);
  };
  const finish = (i: number) => {
    results[i].end = t;
    done++;
    if (held[i]) release(waitMeta[i]);
    release(waitAll[i]);
  };

  for (let i = 0; i < n; i++) if (blockers[i] === 0) pending.push(i);

  while (done < n) {
    // Start what cargo can: zero-work units at once, others while tokens last.
    for (;;) {
      pending.sort(byRank);
      const free = pending.findIndex((i) => feLeft[i] + beLeft[i] <= EPS);
      if (free >= 0) {
        const [i] = pending.splice(free, 1);
        results[i].start = t;
        reachMetadata(i);
        finish(i);
        continue;
      }
      if (running.length < config.tokens && pending.length) {
        const i = pending.shift() as number;
        results[i].start = t;
        running.push(i);
        if (feLeft[i] <= EPS) {
          feLeft[i] = 0;
          reachMetadata(i);
        }
        continue;
      }
      break;
    }
    if (!running.length) {
      if (done < n) throw new SimulationError('units remain that can never start (a dependency cycle or a missing dependency)');
      break;
    }

    // Tokens cargo left free go to threaded front-ends' helpers, highest priority first.
    let spare = config.tokens - running.length;
    running.sort(byRank);
    let threads = 0;
    const inFixed = (i: number) => fxLeft[i] > EPS;
    for (const i of running) {
      extra[i] = 0;
      if (feLeft[i] > EPS && !inFixed(i) && requested[i] > 1 && spare > 0) {
        extra[i] = Math.min(requested[i] - 1, spare);
        spare -= extra[i];
      }
      threads += 1 + extra[i];
    }
    if (samples.length && Math.abs(samples[samples.length - 1].t - t) < EPS) samples.pop();
    const previous = samples[samples.length - 1];
    if (!previous || previous.running !== running.length || previous.threads !== threads) {
      samples.push({ t, running: running.length, threads });
    }

    // CPU demand: a back-end keeps one core busy; a front-end's threads only in its parallel
    // parts: its CPU time, (1 + overhead) per 1-thread second, over its wall time, factor(N, n).
    let demand = 0;
    for (const i of running) {
      if (feLeft[i] <= EPS || inFixed(i)) demand += 1;
      else demand += (1 + (requested[i] > 1 ? curve[i].overhead : 0)) / frontendFactor(curve[i], requested[i], 1 + extra[i]);
    }
    const speed = demand > config.cores ? config.cores / demand : 1;
    const rate = (i: number) =>
      feLeft[i] > EPS && !inFixed(i) ? speed / frontendFactor(curve[i], requested[i], 1 + extra[i]) : speed;
    // The next event: a front-end's fixed part, front-end or back-end running out.
    const left = (i: number) => (inFixed(i) ? fxLeft[i] : feLeft[i] > EPS ? feLeft[i] - fxLeft[i] : beLeft[i]);
    let dt = Infinity;
    for (const i of running) dt = Math.min(dt, left(i) / rate(i));
    const rates = running.map(rate);
    t += dt;
    const stillRunning: number[] = [];
    running.forEach((i, k) => {
      const progress = rates[k] * dt;
      if (inFixed(i)) {
        // feLeft holds the fixed part too: both run down together until the fixed part is done.
        const used = Math.min(progress, fxLeft[i]);
        fxLeft[i] = fxLeft[i] - used <= EPS ? 0 : fxLeft[i] - used;
        feLeft[i] -= used;
        if (feLeft[i] <= EPS) {
          feLeft[i] = 0;
          reachMetadata(i);
        }
      } else if (feLeft[i] > EPS) {
        feLeft[i] -= progress;
        if (feLeft[i] <= EPS * Math.max(1, units[i].frontend)) {
          feLeft[i] = 0;
          reachMetadata(i);
        }
      } else {
        beLeft[i] -= progress;
      }
      if (feLeft[i] === 0 && beLeft[i] <= EPS * Math.max(1, units[i].backend * 2)) {
        beLeft[i] = 0;
        finish(i);
      } else {
        stillRunning.push(i);
      }
    });
    running.length = 0;
    running.push(...stillRunning);
  }
  const makespan = results.reduce((latest, r) => Math.max(latest, r.end), graph.startup ?? 0);
  if (samples.length && samples[samples.length - 1].running !== 0) samples.push({ t: makespan, running: 0, threads: 0 });
  return { makespan, units: results, samples };
}
