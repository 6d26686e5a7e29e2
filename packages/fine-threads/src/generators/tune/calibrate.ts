/**
 * `--calibrate`: real builds of the main recorded project with the candidate
 * crates at a few thread counts, so their curves are fitted, not assumed.
 * Each round cleans just those packages (cargo clean -p), so they and their
 * dependents rebuild and the executor records them as any build.
 */
import { spawnSync } from 'node:child_process';
import { captureCargoSync } from '../../cargo/process';

import type { BuildRecord } from '../../recording/record';
import { CALIBRATE_ENV } from '../../threads/environment';

export interface CalibrationPlan {
  /** Nx root. */
  root: string;
  /** The Nx project and target to build (its whole graph is rebuilt from the cleaned packages up). */
  project: string;
  target: string;
  /** Where cargo runs for it. */
  cargoCwd: string;
  /** crate → package, for `cargo clean -p`. */
  crates: Map<string, string>;
  counts: number[];
  /**
   * How busy the machine was with other work during the build just recorded, as a line to
   * print; undefined when it was quiet (or its record has no load reading).
   */
  loadOfLast?: () => string | undefined;
}

/** Tries per thread count: a build beside other work measures that work, so it is run again. */
const TRIES = 3;

/** The crates worth calibrating: the longest recorded front-ends (≥ 1 s) not yet recorded threaded. */
export function calibrationCandidates(records: BuildRecord[], max = 3): Map<string, string> {
  const longest = new Map<string, { frontend: number; pkg: string; threaded: boolean }>();
  for (const r of records) {
    for (const u of r.units) {
      if (u.kind !== 'lib' || u.frontend === undefined) continue;
      const prev = longest.get(u.crate);
      longest.set(u.crate, {
        frontend: Math.max(prev?.frontend ?? 0, u.threads === 1 ? u.frontend : 0),
        pkg: u.package,
        threaded: (prev?.threaded ?? false) || u.threads > 1,
      });
    }
  }
  return new Map(
    [...longest.entries()]
      .filter(([, v]) => v.frontend >= 1 && !v.threaded)
      .sort((a, b) => b[1].frontend - a[1].frontend)
      .slice(0, max)
      .map(([crate, v]) => [crate, v.pkg]),
  );
}

/** Thread counts to calibrate at on a machine with `cores` cores: 2, 4 and 8 where they fit. */
export function calibrationCounts(cores: number): number[] {
  return [2, 4, 8].filter((n) => n <= cores);
}

export function calibrate(plan: CalibrationPlan, log: (line: string) => void): void {
  const nx = require.resolve('nx/bin/nx', { paths: [plan.root] });
  const pkgs = [...new Set(plan.crates.values())];
  for (const n of plan.counts) {
    const table = [...plan.crates.keys()].map((c) => `${c}=${n}`).join(' ');
    for (let attempt = 1; attempt <= TRIES; attempt++) {
      log(`fine-threads: calibrating ${table}: cargo clean -p ${pkgs.join(' -p ')}, then nx run ${plan.project}:${plan.target}`);
      const clean = captureCargoSync(['clean', '--offline', ...pkgs.flatMap((p) => ['-p', p])], { cwd: plan.cargoCwd, inherit: true });
      if (!clean.ok) throw new Error(clean.missing ? clean.message : `calibration: cargo clean failed in ${plan.cargoCwd}`);
      const build = spawnSync(process.execPath, [nx, 'run', `${plan.project}:${plan.target}`, '--skip-nx-cache'], {
        cwd: plan.root,
        stdio: 'inherit',
        env: { ...process.env, [CALIBRATE_ENV]: table, NX_DAEMON: 'false' },
      });
      if (build.status !== 0) throw new Error(`calibration: nx run ${plan.project}:${plan.target} failed with ${table}`);
      const loaded = plan.loadOfLast?.();
      if (!loaded) break;
      log(
        attempt < TRIES
          ? `fine-threads: that calibration build ran beside other work (${loaded}): once more.`
          : `fine-threads: that calibration build ran beside other work (${loaded}) ${TRIES} times: the curves leave it out; calibrate again on a quieter machine.`,
      );
    }
  }
}
