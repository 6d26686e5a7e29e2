/**
 * The regression guard: after a tune, the builds recorded since are compared
 * with what the tune predicted. A crate whose threads did not pay — its own
 * front-end not faster, or the full builds it is in slower than predicted and
 * no faster than the full builds before — is set back to 1 at the next tune.
 * Medians on both sides; calibration builds and builds that ran beside other
 * work never count; a time must move by more than the runs' own noise. Pure.
 */
import type { BuildRecord, UnitRecord } from '../recording/record';
import { fullBuilds, isFull, isLoaded } from './select';
import { describeSummary, median, relativeNoise, summarize } from './stats';

/** What a tune run leaves behind for the next one, per mode and core count. */
export interface TuneState {
  at: string;
  mode: 'build' | 'check';
  profile: string;
  toolchain: string;
  cores: number;
  /** The table written: crate (or crate@version) → threads ≥ 2. */
  table: Record<string, number>;
  /**
   * Per build root (Nx project): predicted makespans, and the median of the full builds measured
   * before the tune (absent when there was none: the guard then checks against the prediction only).
   */
  predicted: { project: string; baseline: number; tuned: number; measured?: number; runs?: number; units: number }[];
  /** Crates set back to 1, with why; they stay at 1 until `--retry`. */
  reverted: Record<string, string>;
}

export interface GuardVerdict {
  /** crate → reason it is set back to 1. */
  revert: Record<string, string>;
  /** One line per threaded crate that was checked and paid, or could not be checked yet. */
  notes: string[];
}

const fmt = (s: number) => s.toFixed(1);

/** Does a unit belong to a table entry: `crate`, or `crate@version`? */
export function unitOf(id: string, u: Pick<UnitRecord, 'crate' | 'version'>): boolean {
  const at = id.indexOf('@');
  return at < 0 ? u.crate === id : u.crate === id.slice(0, at) && u.version === id.slice(at + 1);
}

/** The least a time must move by to count, whatever the runs' spread says. */
export const NOISE_FLOOR = 0.03;

/**
 * `records` are this machine's records of the state's mode, profile, toolchain and cores, oldest
 * first. The noise is the pooled spread of the runs compared (relativeNoise), never below the floor.
 */
export function guard(state: TuneState, records: BuildRecord[]): GuardVerdict {
  const since = Date.parse(state.at);
  const usable = records.filter((r) => r.success && !r.calibration && !isLoaded(r));
  const before = usable.filter((r) => Date.parse(r.at) < since);
  const after = usable.filter((r) => Date.parse(r.at) >= since);
  const revert: Record<string, string> = {};
  const notes: string[] = [];
  const noiseOf = (groups: number[][]) => Math.max(NOISE_FLOOR, relativeNoise(groups) ?? 0);

  for (const [crate, n] of Object.entries(state.table)) {
    const frontends = (rs: BuildRecord[], threads: number) =>
      rs.flatMap((r) => r.units.filter((u) => unitOf(crate, u) && u.kind !== 'build-script' && u.threads === threads && u.frontend !== undefined && !u.fallback))
        .map((u) => u.frontend as number);
    const fellBack = records.some((r) => Date.parse(r.at) >= since && r.units.some((u) => unitOf(crate, u) && u.fallback));
    if (fellBack) {
      revert[crate] = `rustc crashed with ${n} front-end threads and was rerun single-threaded`;
      continue;
    }
    const was = frontends(before, 1);
    const now = frontends(after, n);
    if (now.length === 0 || was.length === 0) {
      const side = now.length === 0 ? 'since the tune' : 'before it';
      const inSide = (r: BuildRecord) => (now.length === 0 ? Date.parse(r.at) >= since : Date.parse(r.at) < since);
      const busy = records.filter((r) => r.success && isLoaded(r) && inSide(r)).length;
      notes.push(`${crate}: ${n} threads not checked yet (${busy ? `the ${busy} build(s) ${side} ran beside other work` : `no recorded build ${side}`})`);
      continue;
    }
    const a = median(was);
    const b = median(now);
    const noise = noiseOf([was, now]);
    const runs = `${was.length} vs ${now.length} build(s)`;
    if (b >= a * (1 - noise)) {
      revert[crate] = `its front-end took ${fmt(b)} s at ${n} threads vs ${fmt(a)} s at 1 (medians, ${runs}): not faster beyond the noise (${(noise * 100).toFixed(0)} %)`;
    } else {
      notes.push(`${crate}: front-end ${fmt(a)} s → ${fmt(b)} s at ${n} threads (medians, ${runs}): paid`);
    }
  }

  // Whole builds: full builds since the tune, slower than predicted beyond noise and not faster
  // than the full builds before it.
  const full = fullBuilds(after).builds;
  for (const p of state.predicted) {
    const mine = full.filter((r) => r.project === p.project && isFull(r, p.units));
    if (mine.length === 0) continue;
    const durations = mine.map((r) => r.duration);
    const measured = median(durations);
    const noise = noiseOf([durations]);
    if (p.measured === undefined) {
      notes.push(`${p.project}: ${describeSummary(summarize(durations))} since the tune, predicted ${fmt(p.tuned)} s; no full build before it to compare with`);
      continue;
    }
    if (measured > p.tuned * (1 + noise) && measured >= p.measured * (1 - noise)) {
      for (const crate of Object.keys(state.table)) {
        if (revert[crate]) continue;
        if (!mine.some((r) => r.units.some((u) => unitOf(crate, u) && u.threads > 1))) continue;
        revert[crate] =
          `the full builds of ${p.project} took ${describeSummary(summarize(durations))} with it threaded, predicted ${fmt(p.tuned)} s, ${fmt(p.measured)} s before`;
      }
    }
  }
  return { revert, notes };
}
