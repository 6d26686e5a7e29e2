/**
 * The few statistics the tuner, the guard and the report share: medians and a robust spread.
 * One build is one sample: a figure from one run says nothing of its noise. Pure.
 */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no values');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A set of repeated measurements as a person reads them: how many, their median and range. */
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
}

export function summarize(xs: readonly number[]): Summary {
  return { n: xs.length, median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** "41.2 s (median of 5, 40.1–43.0)"; one run says so. */
export function describeSummary(s: Summary, unit = 's'): string {
  if (s.n === 1) return `${s.median.toFixed(1)} ${unit} (1 run)`;
  return `${s.median.toFixed(1)} ${unit} (median of ${s.n}, ${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
}

/**
 * The relative noise of repeated runs: 1.4826 × the median absolute deviation of each run from
 * its group's median, over that median (a standard deviation's estimate that one outlier does
 * not move). Groups are runs of one configuration; pooling them uses every repeated run.
 * Undefined with fewer than 3 repeated runs in all: too few to say.
 */
export function relativeNoise(groups: readonly (readonly number[])[]): number | undefined {
  const deviations: number[] = [];
  for (const g of groups) {
    if (g.length < 2) continue;
    const m = median(g);
    if (m <= 0) continue;
    for (const x of g) deviations.push(Math.abs(x - m) / m);
  }
  if (deviations.length < 3) return undefined;
  return 1.4826 * median(deviations);
}

/** Fewer runs a side than this and a measured comparison says "not enough runs yet". */
export const MIN_RUNS = 3;
