/**
 * Which records a tune, the guard and the report may use, and how: this machine profile's
 * (mode, profile, toolchain, core count); whole builds compared only with whole builds of the
 * same fingerprint, never a calibration build and never one that ran beside other work; units
 * taken as medians over the records. Pure; a mismatch is one line saying what was found instead.
 */
import { unitIdentity, type BuildRecord, type UnitRecord } from '../recording/record';
import { median } from './stats';

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

/** Cores of other work above which a build counts as loaded: a tenth of the machine, at least a quarter core. */
export function loadLimit(cores: number): number {
  return Math.max(0.25, 0.1 * cores);
}

/** Ran beside other work (or steal) beyond the limit; records without a load reading are taken as they are. */
export function isLoaded(r: Pick<BuildRecord, 'load' | 'cores'>): boolean {
  return r.load !== undefined && r.load.others + r.load.steal > loadLimit(r.cores);
}

/**
 * The builds whose times may be compared as whole builds: per Nx project, those of its latest
 * fingerprint (Cargo.lock and cargo arguments) that are full (cargo found nothing fresh: an
 * incremental build, or one after run-many's other tasks built part of the graph, compiles only
 * what is left), not calibration builds
 * (their crates were cleaned and built at trial counts), not loaded. Oldest first.
 */
export interface FullBuilds {
  builds: BuildRecord[];
  /** Full builds left out because the machine was busy with other work meanwhile. */
  loaded: BuildRecord[];
  /** Most units recorded for each project. */
  units: Map<string, number>;
}

/**
 * A build that compiled its whole graph: cargo found no unit fresh. Records from before cargo's
 * count was kept: at least 90 % of the most units recorded for the project.
 */
export function isFull(r: Pick<BuildRecord, 'freshUnits' | 'units'>, mostUnits: number): boolean {
  return r.freshUnits !== undefined ? r.freshUnits === 0 : r.units.length >= 0.9 * mostUnits;
}

export function fullBuilds(records: readonly BuildRecord[]): FullBuilds {
  const byProject = new Map<string, BuildRecord[]>();
  for (const r of records) {
    if (!r.success || r.units.length === 0) continue;
    byProject.set(r.project, [...(byProject.get(r.project) ?? []), r]);
  }
  const builds: BuildRecord[] = [];
  const loaded: BuildRecord[] = [];
  const units = new Map<string, number>();
  for (const [project, rs] of byProject) {
    const latest = rs.reduce((a, b) => (Date.parse(b.at) >= Date.parse(a.at) ? b : a));
    const same = rs.filter((r) => r.fingerprint === latest.fingerprint);
    const most = Math.max(...same.map((r) => r.units.length));
    units.set(project, most);
    for (const r of same) {
      if (r.calibration || !isFull(r, most)) continue;
      (isLoaded(r) ? loaded : builds).push(r);
    }
  }
  const byTime = (a: BuildRecord, b: BuildRecord) => Date.parse(a.at) - Date.parse(b.at);
  return { builds: builds.sort(byTime), loaded: loaded.sort(byTime), units };
}

/**
 * The records a speed-up curve may be fitted from: the quiet ones. A build beside other work is
 * slower at every thread count, but most at the counts that wanted the cores the other work had.
 */
export function curveRecords(records: readonly BuildRecord[]): { quiet: BuildRecord[]; loadedCalibrations: number } {
  return { quiet: records.filter((r) => !isLoaded(r)), loadedCalibrations: records.filter((r) => r.calibration && isLoaded(r)).length };
}

/** One line when loaded builds were left out, saying how many and why; undefined when none were. */
export function loadedNote(full: FullBuilds): string | undefined {
  if (full.loaded.length === 0) return undefined;
  const worst = Math.max(...full.loaded.map((r) => (r.load?.others ?? 0) + (r.load?.steal ?? 0)));
  return `fine-threads: ${full.loaded.length} of ${full.loaded.length + full.builds.length} full build(s) ran beside other work (up to ${worst.toFixed(2)} cores busy elsewhere, limit ${loadLimit(full.loaded[0].cores).toFixed(2)}) and are left out of the measured times.`;
}

/**
 * Each unit as the records show it most reliably: per unit identity, the median of its
 * instances at one thread count (1 where it was recorded so, else its most recorded count),
 * taken from unloaded records where any has it, from loaded ones otherwise. Units of one
 * identity that one build compiled twice stay two (their order in the build tells them apart).
 * Pure: records in, one UnitRecord per unit out.
 */
export function representativeUnits(records: readonly BuildRecord[]): UnitRecord[] {
  const instances = new Map<string, { unit: UnitRecord; loaded: boolean }[]>();
  for (const r of records) {
    if (!r.success) continue;
    const loaded = isLoaded(r);
    const seen = new Map<string, number>();
    for (const u of r.units) {
      const id = unitIdentity(u);
      const k = (seen.get(id) ?? 0) + 1;
      seen.set(id, k);
      const key = k > 1 ? `${id} #${k}` : id;
      instances.set(key, [...(instances.get(key) ?? []), { unit: u, loaded }]);
    }
  }
  const out: UnitRecord[] = [];
  for (const all of instances.values()) {
    const quiet = all.filter((i) => !i.loaded);
    const pool = (quiet.length ? quiet : all).map((i) => i.unit);
    const byThreads = new Map<number, UnitRecord[]>();
    for (const u of pool) byThreads.set(u.threads, [...(byThreads.get(u.threads) ?? []), u]);
    const group = byThreads.get(1) ?? [...byThreads.values()].sort((a, b) => b.length - a.length)[0];
    out.push(medianUnit(group));
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** The median instance of one unit: each duration its median; start where the median one started. */
function medianUnit(group: UnitRecord[]): UnitRecord {
  const last = group[group.length - 1];
  if (group.length === 1) return last;
  const med = (f: (u: UnitRecord) => number | undefined) => {
    const xs = group.map(f).filter((x): x is number => x !== undefined);
    return xs.length ? round(median(xs)) : undefined;
  };
  const span = med((u) => u.end - u.start)!;
  const start = med((u) => u.start)!;
  const unit: UnitRecord = { ...last, start, end: round(start + span), concurrent: med((u) => u.concurrent) ?? last.concurrent };
  const frontend = med((u) => u.frontend);
  const backend = med((u) => u.backend);
  if (frontend !== undefined) unit.frontend = Math.min(frontend, span);
  else delete unit.frontend;
  if (backend !== undefined) unit.backend = backend;
  else delete unit.backend;
  if (group.some((u) => u.fallback)) unit.fallback = true;
  return unit;
}
