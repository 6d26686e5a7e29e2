import type { ReportConfiguration, ReportRun } from '../report/model';
import { headline } from './report-data';
import { summarize } from './stats';

const run = (makespan: number): ReportRun => ({ makespan, crates: [], units: [], samples: [] });

describe('report headline', () => {
  // The case a user met: one loaded baseline build (90 s) measured, tuned predicted 30 s.
  const loadedBaseline: ReportConfiguration[] = [
    { label: 'baseline', threads: {}, measured: run(90), runs: summarize([90]), predicted: run(32) },
    { label: 'tuned', threads: { cargo: 2 }, predicted: run(30) },
  ];

  it('compares the choice predicted with predicted, never with a measured time', () => {
    const h = headline(loadedBaseline);
    expect(h.choice).toBe('Predicted: tuned 30.0 s vs baseline 32.0 s, −6.3 % (both simulated from the same records).');
    expect(h.choice).not.toContain('90');
  });

  it('gives no measured verdict from fewer than 3 runs a side', () => {
    const h = headline(loadedBaseline);
    expect(h.verdict).toBe('Measured: not enough runs yet (1 full build(s) of baseline, 0 of tuned; 3 a side are needed for a verdict).');
    expect(h.measuredRatio).toBeUndefined();
    expect(h.error).toBe('Prediction error: baseline −64.4 % (vs the median of 1).');
  });

  it('judges medians against medians, with runs and spread', () => {
    const configs: ReportConfiguration[] = [
      { label: 'baseline', threads: {}, runs: summarize([41, 50, 44, 43]), predicted: run(42) },
      { label: 'tuned', threads: { cargo: 2 }, runs: summarize([40, 39.5, 60]), predicted: run(39.6) },
    ];
    const h = headline(configs);
    // Medians 43.5 and 40: the 60 s outlier does not decide, and the last run (60 s) is not "the" measurement.
    expect(h.verdict).toBe('Measured: tuned 40.0 s (median of 3, 39.5–60.0) vs baseline 43.5 s (median of 4, 41.0–50.0), −8.0 % (medians of full builds on an idle machine).');
    expect(h.measuredRatio).toBeCloseTo(40 / 43.5, 6);
    expect(h.error).toBe('Prediction error: baseline −3.4 % (vs the median of 4); tuned −1.0 % (vs the median of 3).');
  });

  it('says so when the tuner threads nothing', () => {
    const h = headline([{ label: 'baseline', threads: {}, runs: summarize([41, 42, 43]), predicted: run(42) }, { label: 'tuned', threads: {}, predicted: run(42) }]);
    expect(h.choice).toBe('The tuner threads no crate (baseline predicted 42.0 s).');
    expect(h.verdict).toBe('Measured: baseline 42.0 s (median of 3, 41.0–43.0); nothing threaded to compare.');
  });
});
