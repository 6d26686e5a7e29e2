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

module.exports = { median, summarize, spread, ratios };
