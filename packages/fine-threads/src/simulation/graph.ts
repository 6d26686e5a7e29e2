/**
 * The simulator's graph: cargo's unit graph (`cargo <mode> --unit-graph`: every unit a build
 * needs and its dependencies, built or fresh) joined with a record's measured units. Pure.
 *
 * Edges are cargo's job-queue edges (cargo 1.95, JobQueue::enqueue):
 * - a dependent waits only for a dependency's metadata when both are `build`-mode rlibs (an
 *   rlib needs its dependencies' .rmeta only: pipelining); otherwise for its end;
 * - a unit that needs its dependencies' object code (bins, tests, proc-macros, dylibs, build
 *   scripts and their runs) waits for the end of every unit below it, transitively;
 * - nothing waits for a bin or a test target (a test needs a bin only to run).
 * Doc-test units are not jobs of the queue and are left out.
 *
 * Durations come from the record: a unit's front-end (until its .rmeta) is brought back to 1
 * thread by its curve (fit.ts), the rest is its back-end. A unit the record does not have was
 * fresh (or is new): 0 s, done as soon as it is ready. A recorded unit the unit graph does not
 * have is left out and listed in `leftOut`.
 */
import { parsePackageId as parseCargoPackageId } from '../cargo/package-id';
import type { UnitRecord } from '../recording/record';
import { singleThreadFrontend } from './fit';
import type { SimGraph, SimUnit, SpeedupCurve } from './model';

/** `cargo --unit-graph` output, version 1 (only the fields read here). */
export interface UnitGraph {
  version: number;
  units: UnitGraphUnit[];
  roots: number[];
}

export interface UnitGraphUnit {
  /** `<source>#<name>@<version>`, `<source>#<version>` (name = the URL's last segment), or the old `<name> <version> (<source>)`. */
  pkg_id: string;
  target: { kind: string[]; crate_types: string[]; name: string; src_path?: string };
  profile?: { name?: string };
  platform?: string | null;
  /** "build", "check", "test", "bench", "doc", "doctest", "docscrape", "run-custom-build". */
  mode: string;
  features?: string[];
  dependencies: { index: number; extern_crate_name?: string }[];
}

export class UnitGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnitGraphError';
  }
}

export interface JoinOptions {
  /** The recorded build's jobserver tokens (cargo -j) and cores: how much the others held of a threaded front-end. */
  tokens?: number;
  cores?: number;
  /** Seconds before cargo's first unit (see SimGraph.startup). */
  startup?: number;
}

/** Name and version of a unit graph's package id; an id without both is a UnitGraphError. */
export function parsePackageId(pkgId: string): { name: string; version: string } {
  const id = parseCargoPackageId(pkgId);
  if (id?.version === undefined) throw new UnitGraphError(`unit graph: unreadable package id ${JSON.stringify(pkgId)}`);
  return { name: id.name, version: id.version };
}

/** The record's kind for a unit-graph unit (cargo's report calls every library kind "lib"). */
function recordKind(u: UnitGraphUnit): string {
  const kind = u.target.kind[0] ?? 'unknown';
  if (kind === 'custom-build') return u.mode === 'run-custom-build' ? 'build-script-run' : 'build-script';
  if (['bin', 'test', 'bench', 'example'].includes(kind)) return kind;
  return 'lib';
}

/** cargo's Unit::requires_upstream_objects: anything but an rlib needs its dependencies' object code. */
function requiresUpstreamObjects(u: UnitGraphUnit): boolean {
  if (u.mode === 'test' || u.mode === 'bench') return true;
  const kind = u.target.kind[0] ?? '';
  if (kind === 'lib' || kind === 'rlib' || kind === 'example') {
    // A lib target's crate types decide (an example is a lib only when it says so).
    if (kind === 'example' && !u.target.crate_types.some((t) => t === 'lib' || t === 'rlib')) return true;
    return u.target.crate_types.some((t) => t !== 'lib' && t !== 'rlib');
  }
  return true;
}

/** cargo's only_requires_rmeta: both `build`-mode rlibs. */
function onlyRequiresRmeta(parent: UnitGraphUnit, dep: UnitGraphUnit): boolean {
  return !requiresUpstreamObjects(parent) && parent.mode === 'build' && !requiresUpstreamObjects(dep) && dep.mode === 'build';
}

/** The unit graph's mode for a record's (the timing report says "check-test" where the graph says "check"). */
function graphMode(recordMode: string): string {
  return recordMode === 'check-test' ? 'check' : recordMode;
}

/** Features as records keep them: sorted, comma-separated. */
const featuresOf = (u: UnitGraphUnit) => [...(u.features ?? [])].sort().join(',');

/** Modes that produce object code, whose units have real back-ends: paired with the record's longest back-ends first. */
const codegenRank = (mode: string) => (mode === 'check' || mode === 'doc' ? 1 : 0);

/**
 * Builds the simulator's graph. `units` may hold units of other builds (they are left out) but
 * should hold each unit once; a recorded unit matches a unit-graph unit by package, version,
 * kind, mode and features (a crate built for a build script and checked for the crate are two
 * units). Records from before units carried a mode cannot tell such units apart: their units
 * with the longest back-ends go to the units that generate code, in order, and the rest are
 * taken as fresh.
 */
export function joinUnitGraph(
  unitGraph: UnitGraph,
  units: UnitRecord[],
  curves: Record<string, SpeedupCurve>,
  defaultCurve: SpeedupCurve,
  options: JoinOptions = {},
): SimGraph {
  if (!unitGraph || !Array.isArray(unitGraph.units)) throw new UnitGraphError('unit graph: no "units" array');
  const all = unitGraph.units;
  const kept = all.map((u) => u.mode !== 'doctest');
  const index = new Map<number, number>();
  all.forEach((_, i) => {
    if (kept[i]) index.set(i, index.size);
  });
  const identity = all.map((u) => ({ ...parsePackageId(u.pkg_id), kind: recordKind(u) }));

  // Pair recorded units with unit-graph units, group by group.
  const groupKey = (name: string, version: string | undefined, kind: string) => `${name}\u0000${version ?? ''}\u0000${kind}`;
  const graphGroups = new Map<string, number[]>();
  all.forEach((u, i) => {
    if (!kept[i]) return;
    const key = groupKey(identity[i].name, identity[i].version, identity[i].kind);
    graphGroups.set(key, [...(graphGroups.get(key) ?? []), i]);
  });
  const recordGroups = new Map<string, UnitRecord[]>();
  const leftOut: string[] = [];
  for (const r of units) {
    let key = groupKey(r.package, r.version, r.kind);
    // Records written before they carried versions: match on name and kind alone, if unique.
    if (r.version === undefined) {
      const candidates = [...graphGroups.keys()].filter((k) => k.startsWith(`${r.package}\u0000`) && k.endsWith(`\u0000${r.kind}`));
      if (candidates.length === 1) key = candidates[0];
    }
    if (!graphGroups.has(key)) {
      leftOut.push(`${r.package} ${r.version ?? ''} ${r.kind} ${r.crate}`.replace(/ {2}/, ' '));
      continue;
    }
    recordGroups.set(key, [...(recordGroups.get(key) ?? []), r]);
  }
  const measured = new Map<number, UnitRecord>();
  for (const [key, members] of graphGroups) {
    const recorded = recordGroups.get(key) ?? [];
    const free = [...members];
    const take = (i: number, r: UnitRecord) => {
      measured.set(i, r);
      free.splice(free.indexOf(i), 1);
    };
    // A record that names its unit's mode (and features) takes the graph unit that has them.
    const rest: UnitRecord[] = [];
    for (const r of recorded) {
      const same = r.mode === undefined ? [] : free.filter((i) => all[i].mode === graphMode(r.mode!));
      const exact = same.find((i) => featuresOf(all[i]) === (r.features ?? ''));
      const i = exact ?? same[0];
      if (i === undefined) rest.push(r);
      else take(i, r);
    }
    // Older records name no mode: their units with the longest back-ends go to the units that
    // generate code, in order.
    const sortedGraph = [...free].sort((a, b) => codegenRank(all[a].mode) - codegenRank(all[b].mode) || a - b);
    const span = (r: UnitRecord) => r.backend ?? r.end - r.start;
    const sortedRecord = rest.sort((a, b) => span(b) - span(a) || a.start - b.start);
    sortedRecord.forEach((r, k) => {
      if (k < sortedGraph.length) measured.set(sortedGraph[k], r);
      else leftOut.push(`${r.package} ${r.version ?? ''} ${r.kind} ${r.crate}${r.mode ? ` (${r.mode})` : ''}`.replace(/ {2}/, ' '));
    });
  }

  // Keys: package, version, kind, crate; the mode (and then a number) where that is not unique.
  const baseKey = (i: number) => {
    const u = all[i];
    return `${identity[i].name} ${identity[i].version} ${identity[i].kind} ${u.target.name.replace(/-/g, '_')}`;
  };
  const counts = new Map<string, number>();
  all.forEach((_, i) => kept[i] && counts.set(baseKey(i), (counts.get(baseKey(i)) ?? 0) + 1));
  const seen = new Map<string, number>();
  const keyOf = (i: number) => {
    let key = baseKey(i);
    if ((counts.get(key) ?? 0) > 1) key = `${key} (${all[i].mode})`;
    const k = (seen.get(key) ?? 0) + 1;
    seen.set(key, k);
    return k > 1 ? `${key} #${k}` : key;
  };

  const simUnits: SimUnit[] = [];
  all.forEach((u, i) => {
    if (!kept[i]) return;
    const crate = u.target.name.replace(/-/g, '_');
    const r = measured.get(i);
    let frontend = 0;
    let backend = 0;
    if (r) {
      // Records hold milliseconds: keep differences of them free of float dust.
      const span = round(Math.max(0, r.end - r.start));
      if (r.frontend !== undefined) {
        const curve = curves[r.crate] ?? curves[crate] ?? defaultCurve;
        frontend = singleThreadFrontend(
          { threads: r.threads, frontend: r.frontend, concurrent: r.concurrent, tokens: options.tokens, cores: options.cores },
          curve,
        );
        backend = r.backend ?? round(Math.max(0, span - r.frontend));
      } else {
        backend = span;
      }
      // A threaded rustc's back-end was slower by the curve's back-end overhead.
      if (r.threads > 1) backend /= 1 + ((curves[r.crate] ?? curves[crate] ?? defaultCurve).backendOverhead ?? 0);
    }
    const { deps, rmetaDeps } = edges(all, i, kept);
    simUnits.push({
      key: keyOf(i),
      package: identity[i].name,
      version: identity[i].version,
      crate,
      kind: identity[i].kind,
      frontend,
      backend,
      deps: deps.map((d) => index.get(d) as number),
      rmetaDeps: rmetaDeps.map((d) => index.get(d) as number),
      ...(r ? { recordedStart: r.start } : {}),
    });
  });
  const graph: SimGraph = { units: simUnits };
  if (options.startup !== undefined) graph.startup = options.startup;
  if (leftOut.length) graph.leftOut = leftOut;
  return graph;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** One unit's job-queue edges, as unit-graph indices. */
function edges(all: UnitGraphUnit[], i: number, kept: boolean[]): { deps: number[]; rmetaDeps: number[] } {
  const u = all[i];
  const check = (d: number) => {
    if (!Number.isInteger(d) || d < 0 || d >= all.length) {
      throw new UnitGraphError(`unit graph: unit ${i} (${u.target.name}) depends on ${d}, which is not a unit`);
    }
    return d;
  };
  const artifact = new Map<number, 'all' | 'rmeta'>();
  for (const { index } of u.dependencies) {
    const d = all[check(index)];
    if (d.target.kind[0] === 'bin' || d.target.kind[0] === 'test') continue;
    artifact.set(index, onlyRequiresRmeta(u, d) ? 'rmeta' : 'all');
  }
  if (requiresUpstreamObjects(u)) {
    // cargo's depend_on_deps_of_deps: every unit below a direct dependency, whole.
    const visit = (j: number) => {
      for (const { index } of all[j].dependencies) {
        const had = artifact.has(check(index));
        artifact.set(index, 'all');
        if (!had) visit(index);
      }
    };
    for (const { index } of u.dependencies) visit(index);
  }
  const deps: number[] = [];
  const rmetaDeps: number[] = [];
  for (const [d, kind] of artifact) {
    if (!kept[d]) continue;
    (kind === 'rmeta' ? rmetaDeps : deps).push(d);
  }
  return { deps: deps.sort((a, b) => a - b), rmetaDeps: rmetaDeps.sort((a, b) => a - b) };
}
