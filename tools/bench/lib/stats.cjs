'use strict';
// Summaries of timed runs and the ratios of their medians: pure, no I/O.

/** The median; for an even count, the mean of the two middle values. */
function median(xs) {
  if (xs.length === 0) throw new Error('median of no values');
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** min, median and max of a row's seconds, with the seconds themselves. */
function summarize(seconds) {
  return { n: seconds.length, min: Math.min(...seconds), median: median(seconds), max: Math.max(...seconds), seconds: [...seconds] };
}

/** (max − min) / median: the spread of one row, our measure of its noise. */
function spread(summary) {
  return summary.n > 1 ? (summary.max - summary.min) / summary.median : undefined;
}

const GLOBALS = ['global0', 'global2'];

/**
 * Ratios of medians for one workload and mode, keyed `"<row>/<row>"`:
 * every row over `baseline`; `hand` and `tuned` over each global row and over
 * the best of them (`best-global`); `baseline/unrecorded` (recording's cost).
 * `medians` maps a row id to its median; rows that did not run are absent.
 */
function ratios(medians) {
  const out = {};
  const has = (k) => typeof medians[k] === 'number';
  const put = (a, b, denominator = medians[b]) => {
    if (has(a) && typeof denominator === 'number') out[`${a}/${b}`] = medians[a] / denominator;
  };
  for (const k of Object.keys(medians)) if (k !== 'baseline' && k !== 'unrecorded') put(k, 'baseline');
  const globals = GLOBALS.filter(has);
  const best = globals.length ? Math.min(...globals.map((g) => medians[g])) : undefined;
  for (const a of ['hand', 'tuned']) {
    for (const g of globals) put(a, g);
    put(a, 'best-global', best);
  }
  put('baseline', 'unrecorded');
  return out;
}

/**
 * A small seeded generator (mulberry32): the same data give the same interval, run after run.
 */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A percentile bootstrap interval for the median: resample the values with replacement, take
 * each resample's median, and read the interval off their distribution. With few values it is
 * wide, as it should be; it never claims more than the runs show.
 */
function bootstrapMedian(xs, { iterations = 10000, level = 0.95, seed = 1 } = {}) {
  if (xs.length === 0) throw new Error('bootstrap of no values');
  const next = rng(seed);
  const medians = new Float64Array(iterations);
  const sample = new Array(xs.length);
  for (let i = 0; i < iterations; i++) {
    for (let j = 0; j < xs.length; j++) sample[j] = xs[Math.floor(next() * xs.length)];
    medians[i] = median(sample);
  }
  medians.sort();
  const at = (q) => medians[Math.min(iterations - 1, Math.max(0, Math.floor(q * iterations)))];
  return { lo: at((1 - level) / 2), hi: at(1 - (1 - level) / 2) };
}

/**
 * Paired ratios of two rows measured in the same rounds: B/A of each round, where both ran
 * (rows are arrays of runs with a `round`), then their median and its bootstrap 95 % interval.
 * Pairing takes out what a round shares (the machine's speed drifting between rounds).
 */
function paired(aRuns, bRuns) {
  const byRound = new Map(aRuns.map((r) => [r.round, r.seconds]));
  const ratios = bRuns.filter((r) => byRound.has(r.round)).map((r) => r.seconds / byRound.get(r.round));
  if (ratios.length === 0) return undefined;
  return { n: ratios.length, median: median(ratios), ...bootstrapMedian(ratios), ratios };
}

/** Every row over baseline, and hand over tuned, as paired ratios; keyed like `ratios`. */
function pairedRatios(runsByRow) {
  const out = {};
  const put = (b, a) => {
    if (!runsByRow[a] || !runsByRow[b]) return;
    const p = paired(runsByRow[a], runsByRow[b]);
    if (p) out[`${b}/${a}`] = p;
  };
  for (const id of Object.keys(runsByRow)) if (id !== 'baseline' && id !== 'unrecorded') put(id, 'baseline');
  put('baseline', 'unrecorded');
  put('tuned', 'hand');
  return out;
}

module.exports = { median, summarize, spread, ratios, bootstrapMedian, paired, pairedRatios };
