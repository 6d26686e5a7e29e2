/**
 * How a batch of Nx tasks becomes few cargo invocations, and how one cargo's
 * failures fall on the tasks: pure, no I/O.
 */

export interface PlannedTask {
  id: string;
  /** Tasks that share a key run in one cargo: same Cargo workspace, command and argv-changing options. */
  key: string;
  /** Cargo workspace directory: two cargos there would only queue on its target dir's lock. */
  lane: string;
  /** Tasks of this batch it depends on (Nx's task graph). */
  dependsOn: readonly string[];
}

/**
 * The tasks that may start now: each of its dependencies has finished, or
 * starts now in the same cargo (cargo itself builds a crate's dependencies
 * first). Grows to a fixed point, so chains inside one group start together.
 */
export function readyTasks<T extends PlannedTask>(tasks: readonly T[], finished: ReadonlySet<string>): T[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const ready = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of tasks) {
      if (finished.has(t.id) || ready.has(t.id)) continue;
      const ok = t.dependsOn.every((d) => finished.has(d) || !byId.has(d) || (ready.has(d) && byId.get(d)?.key === t.key));
      if (ok) {
        ready.add(t.id);
        grew = true;
      }
    }
  }
  return tasks.filter((t) => ready.has(t.id));
}

/** Unfinished tasks with a dependency that failed or was skipped, transitively: they are skipped, never run. */
export function blockedTasks(tasks: readonly PlannedTask[], notSucceeded: ReadonlySet<string>, finished: ReadonlySet<string>): string[] {
  const blocked = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of tasks) {
      if (finished.has(t.id) || blocked.has(t.id)) continue;
      if (t.dependsOn.some((d) => notSucceeded.has(d) || blocked.has(d))) {
        blocked.add(t.id);
        grew = true;
      }
    }
  }
  return [...blocked];
}

/** Groups by key, and the groups by lane: lanes run side by side, a lane's groups one after another. */
export function lanesOf<T extends PlannedTask>(ready: readonly T[]): T[][][] {
  const lanes = new Map<string, Map<string, T[]>>();
  for (const t of ready) {
    const groups = lanes.get(t.lane) ?? new Map<string, T[]>();
    lanes.set(t.lane, groups);
    const group = groups.get(t.key) ?? [];
    groups.set(t.key, group);
    group.push(t);
  }
  return [...lanes.values()].map((groups) => [...groups.values()]);
}

/** A package's dependencies as `cargo metadata` resolves them, by package name. */
export interface DependencyEdge {
  name: string;
  /** `normal`, `build` or `dev`. */
  kinds: readonly string[];
}

export type ResolveGraph = ReadonlyMap<string, readonly DependencyEdge[]>;

interface MetadataJson {
  packages?: { id: string; name: string }[];
  resolve?: { nodes?: { id: string; deps?: { pkg: string; dep_kinds?: { kind: string | null }[] }[] }[] } | null;
}

/** The resolve graph of `cargo metadata --format-version 1` (with dependencies), by package name. */
export function resolveGraphOf(metadata: MetadataJson): ResolveGraph {
  const names = new Map((metadata.packages ?? []).map((p) => [p.id, p.name]));
  const graph = new Map<string, DependencyEdge[]>();
  for (const node of metadata.resolve?.nodes ?? []) {
    const name = names.get(node.id);
    if (!name) continue;
    const edges = graph.get(name) ?? [];
    graph.set(name, edges);
    for (const dep of node.deps ?? []) {
      const depName = names.get(dep.pkg);
      if (depName) edges.push({ name: depName, kinds: (dep.dep_kinds ?? [{ kind: null }]).map((k) => k.kind ?? 'normal') });
    }
  }
  return graph;
}

/**
 * The packages whose build a failure reaches: a package fails when it failed
 * itself or when something it needs failed. Its own dev-dependencies count
 * when the command builds its tests (`withDev`); a dependency's never do.
 * Returns, for each failing package of `requested`, the failed package that
 * explains it (itself when it failed on its own).
 */
export function failureReach(
  requested: readonly string[],
  failed: ReadonlySet<string>,
  graph: ResolveGraph,
  withDev: boolean,
): Map<string, string> {
  const reach = new Map<string, string>();
  const memo = new Map<string, string | null>();
  const cause = (name: string, seen: Set<string>): string | null => {
    if (failed.has(name)) return name;
    const known = memo.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return null;
    seen.add(name);
    let found: string | null = null;
    for (const e of graph.get(name) ?? []) {
      if (!e.kinds.some((k) => k !== 'dev')) continue;
      found = cause(e.name, seen);
      if (found) break;
    }
    memo.set(name, found);
    return found;
  };
  for (const name of requested) {
    let found = cause(name, new Set());
    if (!found && withDev) {
      for (const e of graph.get(name) ?? []) {
        if (!e.kinds.includes('dev')) continue;
        found = cause(e.name, new Set());
        if (found) break;
      }
    }
    if (found) reach.set(name, found);
  }
  return reach;
}

/** Whether user args make cargo build test-like targets too, so dev-dependencies count for build/check/clippy. */
export function buildsDevTargets(args: readonly string[]): boolean {
  return args.some((a) => /^--(all-targets|tests?|benches|bench|examples?)(=|$)/.test(a));
}
