/**
 * Parser for the log `cargo -Zbuild-analysis` (with `build.analysis.enabled = true`) writes to
 * `$CARGO_HOME/log/<run id>.jsonl`: one JSON object per line, each with `run_id`, `timestamp` and
 * a `reason`. Pure: log text in, the same TimingReport `parseTimingReport` gives for the HTML.
 * See `__fixtures__/README.md` for real logs.
 *
 * What the log cannot give (cargo 1.97-nightly):
 * - check vs check-test: cargo writes both as mode "check" (see `lossy`);
 * - the build's error text, and any end of build: there is no build-finished event, so the
 *   duration is the last unit's end (the HTML parse does the same) and a failed build shows only
 *   as a unit that started and never finished;
 * - CPU usage samples (`cpuUsage` is empty).
 * Times are cargo's own seconds since its start, unrounded (the HTML rounds them to 0.01 s).
 */
import { parsePackageId } from '../cargo/package-id';
import { othersRunning, TimingReportError, type ConcurrencySample, type TimingReport, type TimingUnit, type UnitIdentity, type UnitSection } from './timings';

export interface BuildAnalysisLog {
  /** `<yyyymmddThhmmssmmmZ>-<hash>`: the log's file name, and the `cargo-timing-<run id>.html` of the same build. */
  runId: string;
  /** cargo's argv as it saw it: its own path first, rustup's `+toolchain` gone. */
  command: string[];
  cwd: string;
  report: TimingReport;
  /**
   * Set when the log cannot tell units apart the way the HTML does: units cargo logged alike
   * (a lib checked and checked as a test are both mode "check"), or a "check" unit in a build
   * whose command asks for tests. The HTML report of the same build should be read instead.
   */
  lossy?: string;
}

interface Registered {
  index: number;
  identity: UnitIdentity;
  /** package id, target, mode, platform, features: what the log says of a unit. */
  key: string;
  start?: number;
  rmeta?: number;
  end?: number;
  unblocked: number[];
  unblockedRmeta: number[];
  sections: Map<string, { start: number; end?: number }>;
  /** When the unit's last dependency let it go (an unblocking event), for the waiting count. */
  ready?: number;
}

/** Flags after which cargo checks targets as tests, which the log writes as plain "check". */
const TEST_FLAGS = /^(--tests|--all-targets|--test|--bench|--benches|--test=.*|--bench=.*|--profile=(test|bench))$/;

/** Throws TimingReportError with one line when the text is not one build's log it understands. */
export function parseBuildAnalysisLog(text: string): BuildAnalysisLog {
  const events = readLines(text);
  const started = events[0];
  if (!started || started.reason !== 'build-started') throw fail('it does not begin with a build-started event');
  const runId = str(started.run_id, 'run_id');
  const command = arr(started.command, 'command').map((v) => str(v, 'command[]'));
  const units = new Map<number, Registered>();
  const platforms = new Set<string>();
  let fresh = 0;
  let dirty = 0;
  const unit = (e: Record<string, unknown>) => {
    const u = units.get(int(e.index, 'index'));
    if (!u) throw fail(`${String(e.reason)} for unit ${String(e.index)}, which was never registered`);
    return u;
  };

  for (const e of events) {
    if (e.run_id !== runId) throw fail('it holds events of more than one run');
    switch (e.reason) {
      case 'unit-registered': {
        const index = int(e.index, 'index');
        const target = obj(e.target, 'target');
        const platform = str(e.platform, 'platform');
        platforms.add(platform);
        const features = e.features === undefined ? [] : arr(e.features, 'features').map((v) => str(v, 'features[]'));
        const packageId = str(e.package_id, 'package_id');
        const mode = str(e.mode, 'mode');
        units.set(index, {
          index,
          identity: identityOf(packageId, str(target.name, 'target.name'), str(target.kind, 'target.kind'), mode, features),
          key: JSON.stringify([packageId, target.name, target.kind, mode, platform, features]),
          unblocked: [],
          unblockedRmeta: [],
          sections: new Map(),
        });
        break;
      }
      case 'unit-fingerprint':
        if (e.status === 'fresh') fresh++;
        else dirty++;
        break;
      case 'unit-started':
        unit(e).start = num(e.elapsed, 'elapsed');
        break;
      case 'unit-rmeta-finished': {
        const u = unit(e);
        u.rmeta = num(e.elapsed, 'elapsed');
        u.unblockedRmeta = indices(e.unblocked);
        break;
      }
      case 'unit-finished': {
        const u = unit(e);
        u.end = num(e.elapsed, 'elapsed');
        u.unblocked = indices(e.unblocked);
        break;
      }
      case 'unit-section-started':
        unit(e).sections.set(str(e.section, 'section'), { start: num(e.elapsed, 'elapsed') });
        break;
      case 'unit-section-finished': {
        const s = unit(e).sections.get(str(e.section, 'section'));
        if (s) s.end = num(e.elapsed, 'elapsed');
        break;
      }
      default:
      // Resolution and unit-graph phases, and reasons newer cargos add: not timings of units.
    }
  }

  // A unit is ready when the event that unblocked it happened (what the HTML's "waiting" counts).
  for (const u of units.values()) {
    for (const i of u.unblocked) setReady(units.get(i), u.end);
    for (const i of u.unblockedRmeta) setReady(units.get(i), u.rmeta);
  }
  const ran = [...units.values()].filter((u) => u.start !== undefined).sort((a, b) => a.start! - b.start! || a.index - b.index);
  const concurrency = samples(ran);
  const position = new Map(ran.map((u, k) => [u.index, k]));
  const toPositions = (ids: number[]) => ids.map((i) => position.get(i)).filter((k): k is number => k !== undefined);

  const reportUnits = ran.map((u): TimingUnit => {
    const start = u.start!;
    const end = u.end ?? u.rmeta ?? start;
    const sections = sectionsOf(u, start, end);
    // With -Zsection-timings the front-end ends where rustc's first section (codegen) starts,
    // as the HTML has it; else at the .rmeta.
    const frontend = sections ? sections[0].end : u.rmeta === undefined ? undefined : Math.max(0, u.rmeta - start);
    const windowEnd = frontend === undefined ? end : start + frontend;
    const out: TimingUnit = {
      ...u.identity,
      start,
      end,
      concurrentDuringFrontend: othersRunning(concurrency, start, windowEnd, end > start),
      unblocks: toPositions(u.unblocked),
      unblocksRmeta: toPositions(u.unblockedRmeta),
    };
    if (frontend !== undefined) {
      out.frontend = frontend;
      out.backend = Math.max(0, end - start - frontend);
    }
    if (sections) out.sections = sections;
    // No unit-finished: its rustc failed or the build was cut short (cargo logs no error).
    if (u.end === undefined) out.failed = true;
    return out;
  });

  const report: TimingReport = {
    duration: reportUnits.reduce((latest, u) => Math.max(latest, u.end), 0),
    profile: str(started.profile, 'profile'),
    jobs: int(started.jobs, 'jobs'),
    ...(typeof started.num_cpus === 'number' ? { ncpu: started.num_cpus } : {}),
    maxConcurrency: concurrency.reduce((most, s) => Math.max(most, s.active), 0),
    rustcVersion: typeof started.rustc_version_verbose === 'string' ? started.rustc_version_verbose.split('\n')[0] : str(started.rustc_version, 'rustc_version'),
    host: str(started.host, 'host'),
    targets: [...platforms].sort(),
    buildStart: startOf(runId),
    freshUnits: fresh,
    dirtyUnits: dirty,
    units: reportUnits,
    notRun: [...units.values()].filter((u) => u.start === undefined).map((u) => u.identity),
    concurrency,
    cpuUsage: [],
  };
  const lossy = lossOf(ran, command);
  return { runId, command, cwd: str(started.cwd, 'cwd'), report, ...(lossy ? { lossy } : {}) };
}

/** When a run started, from its id (`20261206T015014046Z-<hash>`, ms: all the id keeps), in ms since the epoch. */
export function runIdTime(runId: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-[0-9a-f]+$/.exec(runId);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]) : undefined;
}

/** The run id's stamp as an ISO time. */
function startOf(runId: string): string | undefined {
  const ms = runIdTime(runId);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function lossOf(ran: Registered[], command: string[]): string | undefined {
  const seen = new Set<string>();
  for (const u of ran) {
    if (seen.has(u.key)) return `cargo logged two units of ${u.identity.package} ${u.identity.kind} alike (mode ${u.identity.mode})`;
    seen.add(u.key);
  }
  const testFlag = command.find((a, k) => TEST_FLAGS.test(a) || (a === '--profile' && /^(test|bench)$/.test(command[k + 1] ?? '')));
  const checked = ran.find((u) => u.identity.mode === 'check');
  if (testFlag && checked) return `with ${testFlag} the log does not tell check from check-test`;
  return undefined;
}

function setReady(u: Registered | undefined, t: number | undefined): void {
  if (u && t !== undefined) u.ready = Math.max(u.ready ?? 0, t);
}

/** Sections as the HTML has them: an implicit "frontend" up to the first of rustc's, then each of them, then "other". */
function sectionsOf(u: Registered, start: number, end: number): UnitSection[] | undefined {
  if (u.sections.size === 0) return undefined;
  const named = [...u.sections.entries()].map(([name, s]) => ({ name, start: s.start - start, end: (s.end ?? end) - start }));
  const out: UnitSection[] = [{ name: 'frontend', start: 0, end: named[0].start }, ...named];
  const last = named[named.length - 1];
  if (last.end < end - start) out.push({ name: 'other', start: last.end, end: end - start });
  return out;
}

/** Running, waiting and not-yet-ready counts after each event, from the units' own spans. */
function samples(ran: Registered[]): ConcurrencySample[] {
  type Ev = [t: number, order: number, index: number];
  const events: Ev[] = [];
  for (const u of ran) {
    const start = u.start!;
    events.push([Math.min(u.ready ?? start, start), 0, u.index], [start, 1, u.index], [u.end ?? u.rmeta ?? start, 2, u.index]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const inactive = new Set(ran.map((u) => u.index));
  const waiting = new Set<number>();
  const active = new Set<number>();
  const out: ConcurrencySample[] = [];
  for (const [t, order, index] of events) {
    inactive.delete(index);
    waiting.delete(index);
    active.delete(index);
    if (order === 0) waiting.add(index);
    if (order === 1) active.add(index);
    const sample = { t, active: active.size, waiting: waiting.size, inactive: inactive.size };
    // One sample per instant: the state after everything that happened then.
    if (out.length && out[out.length - 1].t === t) out[out.length - 1] = sample;
    else out.push(sample);
  }
  return out;
}

/**
 * The identity the HTML parse gives the same unit. The crate name is the target's (a lib's
 * `[lib] name` included, which the HTML cannot show).
 */
function identityOf(packageId: string, targetName: string, targetKind: string, logMode: string, features: string[]): UnitIdentity {
  const id = parsePackageId(packageId);
  const name = id?.name ?? packageId;
  const version = id?.version ?? 'N/A';
  // Test and bench targets are always checked as tests; lib/bin "check-test" is lost (see lossy).
  const mode = logMode === 'check' && (targetKind === 'test' || targetKind === 'bench') ? 'check-test' : logMode;
  const kind = targetKind === 'build-script' && mode === 'run-custom-build' ? 'build-script-run' : targetKind;
  return {
    package: name,
    version,
    crateName: targetName.replace(/-/g, '_'),
    kind,
    mode,
    description: describe(targetName, targetKind, mode),
    features,
  };
}

const MODE_SUFFIX: Record<string, string> = {
  build: '',
  test: ' (test)',
  check: ' (check)',
  'check-test': ' (check-test)',
  doc: ' (doc)',
  doctest: ' (doc test)',
  docscrape: ' (doc scrape)',
  'run-custom-build': ' (run)',
};

/** cargo's target description, as the HTML report shows it (trimmed). */
function describe(name: string, kind: string, mode: string): string {
  const target = kind === 'lib' && (mode === 'build' || mode === 'check') ? '' : kind === 'build-script' ? 'build-script' : `${name} "${kind}"`;
  return `${target}${MODE_SUFFIX[mode] ?? ` (${mode})`}`.trim();
}

function readLines(text: string): Record<string, unknown>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const events: Record<string, unknown>[] = [];
  for (const [k, line] of lines.entries()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      // cargo writes whole lines; a last line that does not parse is a write cut short: dropped.
      if (k === lines.length - 1 && !text.endsWith('\n')) break;
      throw fail(`line ${k + 1} is not JSON`);
    }
    events.push(obj(parsed, `line ${k + 1}`));
  }
  return events;
}

function fail(what: string): TimingReportError {
  return new TimingReportError(`unsupported cargo build-analysis log: ${what}`);
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail(`${where} is not an object`);
  return v as Record<string, unknown>;
}

function arr(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw fail(`${where} is not an array`);
  return v;
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string') throw fail(`${where} is not a string`);
  return v;
}

function num(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw fail(`${where} is not a number`);
  return v;
}

function int(v: unknown, where: string): number {
  if (!Number.isInteger(v) || (v as number) < 0) throw fail(`${where} is not a non-negative integer`);
  return v as number;
}

function indices(v: unknown): number[] {
  return v === undefined ? [] : arr(v, 'unblocked').map((i) => int(i, 'unblocked[]'));
}
