/**
 * The regression guard: after a tune, the builds recorded since are compared
 * with what the tune predicted. A crate whose threads did not pay — its own
 * front-end not faster, or a build it is in slower than predicted and no
 * faster than before — is set back to 1 at the next tune. Pure.
 */
import type { BuildRecord } from '../recording/record';

/** What a tune run leaves behind for the next one, per mode and core count. */
export interface TuneState {
  at: string;
  mode: 'build' | 'check';
  profile: string;
  toolchain: string;
  cores: number;
  /** The table written: crate → threads ≥ 2. */
  table: Record<string, number>;
  /** Per build root (Nx project): predicted makespans, and the baseline measured before the tune. */
  predicted: { project: string; baseline: number; tuned: number; measured: number; units: number }[];
  /** Crates set back to 1, with why; they stay at 1 until `--retry`. */
  reverted: Record<string, string>;
}

export interface GuardVerdict {
  /** crate → reason it is set back to 1. */
  revert: Record<string, string>;
  /** One line per threaded crate that was checked and paid, or could not be checked yet. */
  notes: string[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (s: number) => s.toFixed(1);

/**
 * `records` are this machine's records of the state's mode, profile, toolchain
 * and cores, oldest first. `noise` is the fraction a time must move by to count (default 5 %).
 */
export function guard(state: TuneState, records: BuildRecord[], noise = 0.05): GuardVerdict {
  const since = Date.parse(state.at);
  const before = records.filter((r) => Date.parse(r.at) < since && r.success);
  const after = records.filter((r) => Date.parse(r.at) >= since && r.success);
  const revert: Record<string, string> = {};
  const notes: string[] = [];

  for (const [crate, n] of Object.entries(state.table)) {
    const frontends = (rs: BuildRecord[], threads: number) =>
      rs.flatMap((r) => r.units.filter((u) => u.crate === crate && u.threads === threads && u.frontend !== undefined && !u.fallback))
        .map((u) => u.frontend as number);
    const was = frontends(before, 1);
    const now = frontends(after, n);
    const fellBack = after.some((r) => r.units.some((u) => u.crate === crate && u.fallback));
    if (fellBack) {
      revert[crate] = `rustc crashed with ${n} front-end threads and was rerun single-threaded`;
      continue;
    }
    if (now.length === 0 || was.length === 0) {
      notes.push(`${crate}: ${n} threads not checked yet (no recorded build ${now.length === 0 ? 'since the tune' : 'before it'})`);
      continue;
    }
    const a = median(was);
    const b = median(now);
    if (b >= a * (1 - noise)) {
      revert[crate] = `its front-end took ${fmt(b)} s at ${n} threads vs ${fmt(a)} s at 1: not faster`;
    } else {
      notes.push(`${crate}: front-end ${fmt(a)} s → ${fmt(b)} s at ${n} threads: paid`);
    }
  }

  // Whole builds: slower than predicted beyond noise, and not faster than before the tune.
  for (const p of state.predicted) {
    const full = after.filter((r) => r.project === p.project && r.units.length >= 0.9 * p.units);
    if (full.length === 0) continue;
    const measured = median(full.map((r) => r.duration));
    if (measured > p.tuned * (1 + noise) && measured >= p.measured * (1 - noise)) {
      for (const crate of Object.keys(state.table)) {
        if (revert[crate]) continue;
        if (!full.some((r) => r.units.some((u) => u.crate === crate && u.threads > 1))) continue;
        revert[crate] =
          `the build of ${p.project} took ${fmt(measured)} s with it threaded, predicted ${fmt(p.tuned)} s, ${fmt(p.measured)} s before`;
      }
    }
  }
  return { revert, notes };
}
