/**
 * Which records a tune may use: this machine profile's (mode, profile,
 * toolchain, core count), successful, and per Nx project the latest full
 * build. Pure; a mismatch is one line saying what was found instead.
 */
import type { BuildRecord } from '../recording/record';

export interface Profile {
  mode: 'build' | 'check';
  profile: string;
  toolchain: string;
  cores: number;
}

export class TuneInputError extends Error {}

const describe = (r: Pick<BuildRecord, 'mode' | 'profile' | 'toolchain' | 'cores'>) =>
  `${r.mode} (${r.profile}) on rustc ${r.toolchain}, ${r.cores} cores`;

/** The records of one machine profile, oldest first; throws TuneInputError when there are none. */
export function recordsFor(records: BuildRecord[], want: Profile, file: string): BuildRecord[] {
  if (records.length === 0) {
    throw new TuneInputError(`no build records in ${file}: run a build first (e.g. nx run-many -t ${want.mode})`);
  }
  const ok = records.filter((r) => r.success && r.units.length > 0);
  const same = ok.filter((r) => r.mode === want.mode && r.profile === want.profile && r.toolchain === want.toolchain && r.cores === want.cores);
  if (same.length === 0) {
    const found = [...new Set(ok.map(describe))];
    throw new TuneInputError(
      `no records of ${describe(want)} in ${file}` +
        (found.length ? `; found only ${found.slice(0, 3).join('; ')}${found.length > 3 ? '; …' : ''}` : '; no successful build is recorded'),
    );
  }
  return same.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/**
 * Per Nx project, the latest record that is a full build: at least 90 % of the
 * most units ever recorded for it (an incremental build replays only what changed).
 * A project whose build is wholly inside another's is dropped: the bigger build covers it.
 */
export function latestFullBuilds(records: BuildRecord[]): BuildRecord[] {
  const byProject = new Map<string, BuildRecord[]>();
  for (const r of records) byProject.set(r.project, [...(byProject.get(r.project) ?? []), r]);
  const chosen: BuildRecord[] = [];
  for (const rs of byProject.values()) {
    const most = Math.max(...rs.map((r) => r.units.length));
    const full = rs.filter((r) => r.units.length >= 0.9 * most);
    chosen.push(full[full.length - 1]);
  }
  const keys = (r: BuildRecord) => new Set(r.units.map((u) => `${u.package} ${u.version ?? ''} ${u.kind} ${u.crate}`));
  const sets = chosen.map(keys);
  return chosen.filter((r, i) => {
    const mine = sets[i];
    return !sets.some((other, j) => j !== i && other.size > mine.size && [...mine].every((k) => other.has(k)));
  });
}
