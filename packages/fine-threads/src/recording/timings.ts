/**
 * Parser for the HTML report `cargo build --timings` writes to
 * `<target-dir>/cargo-timings/cargo-timing-<timestamp>.html`. Pure: HTML text in, plain data out.
 *
 * The report embeds its data as pretty-printed JSON (serde_json) in a `<script>`:
 * `const UNIT_DATA = [...]; const CONCURRENCY_DATA = [...]; const CPU_USAGE = [...];`.
 * All times there are seconds, rounded by cargo to 0.01 s. See `__fixtures__/README.md`
 * for real examples and what each field looks like.
 */

/** One section of a unit's compilation, in seconds from the unit's start. */
export interface UnitSection {
  /** "frontend", "codegen"; with nightly `-Zsection-timings` also "link" and "other". */
  name: string;
  start: number;
  end: number;
}

/** What the report tells about a unit, whether or not it ran. */
export interface UnitIdentity {
  /** Package name as in Cargo.toml (e.g. "my-lib"). */
  package: string;
  version: string;
  /**
   * Crate name as rustc sees it (dashes → underscores). For a lib the report gives only the
   * package name, so a `[lib] name = "..."` override is invisible; build scripts are
   * "build_script_build" (the report does not name them either).
   */
  crateName: string;
  /** "lib" (proc-macros included: the report does not tell them apart), "bin", "test", "bench", "example", "build-script", "build-script-run", or "unknown". */
  kind: string;
  /**
   * cargo's compile mode, read from the unit's description: "build", "check", "check-test",
   * "test", "doc", "doctest", "docscrape" or "run-custom-build". (The JSON's own `mode` field
   * is only ever "todo" or "run-custom-build".)
   */
  mode: string;
  /** The report's target description, trimmed, e.g. `cli-tool "bin" (check)`; "" for a lib build. */
  description: string;
  /** Enabled features. */
  features: string[];
}

export interface TimingUnit extends UnitIdentity {
  /** Seconds from the start of the build. */
  start: number;
  end: number;
  /**
   * Seconds from this unit's start until its metadata (.rmeta) was written, i.e. the front-end;
   * undefined when the report has none (build-script runs, bins, proc-macros, test harnesses).
   * With nightly `-Zsection-timings` it is the time until codegen started, for every rustc unit.
   */
  frontend?: number;
  /** end - start - frontend when frontend is known. */
  backend?: number;
  /**
   * Average number of OTHER units running concurrently during this unit's front-end (or its
   * whole span when there is no front-end), from the report's concurrency samples.
   */
  concurrentDuringFrontend: number;
  /** Indices into units[] that this unit's end unblocked. */
  unblocks: number[];
  /** Indices into units[] that this unit's .rmeta unblocked. */
  unblocksRmeta: number[];
  /** The report's sections (frontend/codegen, or rustc's own with -Zsection-timings). */
  sections?: UnitSection[];
  /**
   * Set when the build failed and this unit started but never finished (its rustc failed or was
   * cut short): cargo records no end for it, so `end` equals `start` and means nothing.
   */
  failed?: true;
}

export interface ConcurrencySample {
  /** Seconds from the start of the build; the counts hold until the next sample. */
  t: number;
  /** Units running (rustc or a build script). */
  active: number;
  /** Units ready but waiting for a jobserver token. */
  waiting: number;
  /** Units still waiting for their dependencies. */
  inactive: number;
}

export interface TimingReport {
  /** Total wall time in seconds. */
  duration: number;
  /** "dev", "release", "test", or a custom profile. */
  profile?: string;
  /** `-j`, cargo's job count. */
  jobs?: number;
  /** CPUs cargo saw; undefined when cargo wrote "n/a". */
  ncpu?: number;
  /** Most units running at once, as cargo computed it (rounding can lift it one above jobs). */
  maxConcurrency?: number;
  /** The first line of `rustc -vV`, e.g. "rustc 1.95.0 (59807616e 2026-04-14)". No cargo version: the report has none. */
  rustcVersion?: string;
  host?: string;
  /** Requested target platforms, e.g. ["x86_64-unknown-linux-gnu"]. */
  targets?: string[];
  /** ISO time the build started, as cargo wrote it. */
  buildStart?: string;
  freshUnits?: number;
  dirtyUnits?: number;
  /** cargo's error when the build failed, e.g. "1 job failed". */
  error?: string;
  /** Units that ran, in the report's order (by start time). */
  units: TimingUnit[];
  /**
   * Units cargo registered but did not run: fresh (up to date), never started because the build
   * failed, or doc tests under `--no-run`. Since cargo 1.95 the report lists them with start and
   * duration 0; older reports leave them out.
   */
  notRun: UnitIdentity[];
  concurrency: ConcurrencySample[];
  /** CPU usage samples [time s, percent busy]. */
  cpuUsage: [number, number][];
}

export class TimingReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimingReportError';
  }
}

/** Throws TimingReportError with a one-line message if the text is not a cargo timing report it understands. */
export function parseTimingReport(html: string): TimingReport {
  if (!html.includes('Cargo Build Timings')) {
    throw new TimingReportError('not a cargo timing report (no "Cargo Build Timings" heading)');
  }
  // cargo writes the file in one go and ends it with </html>; anything else was cut short.
  if (!/<\/html>\s*$/.test(html)) {
    throw new TimingReportError('truncated cargo timing report (it does not end with </html>)');
  }
  const rawUnits = asArray(extractConst(html, 'UNIT_DATA'), 'UNIT_DATA');
  const concurrency = asArray(extractConst(html, 'CONCURRENCY_DATA'), 'CONCURRENCY_DATA').map(readSample);
  const cpuUsage = readCpuUsage(extractConst(html, 'CPU_USAGE'));
  const header = readHeader(html);

  const parsed = rawUnits.map(readUnit);
  const ran = parsed.filter((u) => !u.notRun);
  // `unblocked_units` hold cargo's unit ids (`i`), not array positions: map them to units[].
  const position = new Map<number, number>();
  ran.forEach((u, index) => position.set(u.id, index));
  const toIndices = (ids: number[]) =>
    ids.map((id) => position.get(id)).filter((index): index is number => index !== undefined);

  const units = ran.map((u): TimingUnit => {
    const start = u.start;
    const end = round2(u.start + u.duration);
    const frontend = u.frontend === undefined ? undefined : round2(u.frontend);
    const windowEnd = frontend === undefined ? end : round2(start + frontend);
    const unit: TimingUnit = {
      ...u.identity,
      start,
      end,
      concurrentDuringFrontend: othersRunning(concurrency, start, windowEnd, u.duration > 0),
      unblocks: toIndices(u.unblocked),
      unblocksRmeta: toIndices(u.unblockedRmeta),
    };
    if (frontend !== undefined) {
      unit.frontend = frontend;
      unit.backend = round2(Math.max(0, u.duration - frontend));
    }
    if (u.sections) unit.sections = u.sections;
    if (header.error !== undefined && u.duration === 0 && !u.sections) unit.failed = true;
    return unit;
  });

  const lastSample = concurrency.length ? concurrency[concurrency.length - 1].t : 0;
  const duration = round2(units.reduce((latest, u) => Math.max(latest, u.end), lastSample));
  return {
    duration,
    ...header,
    units,
    notRun: parsed.filter((u) => u.notRun).map((u) => u.identity),
    concurrency,
    cpuUsage,
  };
}

/** The JSON literal after `const NAME = `, parsed. Never evaluates anything. */
function extractConst(html: string, name: string): unknown {
  const marker = `const ${name} = `;
  const at = html.indexOf(marker);
  if (at < 0) throw new TimingReportError(`unsupported cargo timing report: no ${name} data`);
  let i = at + marker.length;
  const first = html[i];
  if (first !== '[' && first !== '{') {
    throw new TimingReportError(`unsupported cargo timing report: ${name} is not a JSON array or object`);
  }
  // Find the literal's end by bracket depth, skipping strings, so a ']' in a name cannot fool it.
  let depth = 0;
  let inString = false;
  for (; i < html.length; i++) {
    const c = html[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) break;
    }
  }
  if (i >= html.length) throw new TimingReportError(`truncated cargo timing report: ${name} is cut off`);
  const literal = html.slice(at + marker.length, i + 1);
  if (!/^\s*;/.test(html.slice(i + 1))) {
    throw new TimingReportError(`unsupported cargo timing report: ${name} is not followed by ";"`);
  }
  try {
    return JSON.parse(literal);
  } catch (e) {
    throw new TimingReportError(`unsupported cargo timing report: ${name} is not JSON (${oneLine(String((e as Error).message))})`);
  }
}

interface ParsedUnit {
  id: number;
  identity: UnitIdentity;
  start: number;
  duration: number;
  frontend?: number;
  sections?: UnitSection[];
  unblocked: number[];
  unblockedRmeta: number[];
  notRun: boolean;
}

function readUnit(raw: unknown, index: number): ParsedUnit {
  const where = `UNIT_DATA[${index}]`;
  const o = asObject(raw, where);
  const field = (key: string) => `${where}.${key}`;
  const pkg = asString(o.name, field('name'));
  const target = asString(o.target, field('target'));
  const jsonMode = o.mode === undefined ? undefined : asString(o.mode, field('mode'));
  const start = asNumber(o.start, field('start'));
  const duration = asNumber(o.duration, field('duration'));
  // cargo renamed `unlocked_*` to `unblocked_*` in 1.93; read either.
  const unblockedKey = 'unblocked_units' in o ? 'unblocked_units' : 'unlocked_units';
  const rmetaKey = 'unblocked_rmeta_units' in o ? 'unblocked_rmeta_units' : 'unlocked_rmeta_units';
  const unblocked = asArray(o[unblockedKey] ?? [], field(unblockedKey)).map((v, k) => asInt(v, `${field(unblockedKey)}[${k}]`));
  const unblockedRmeta = asArray(o[rmetaKey] ?? [], field(rmetaKey)).map((v, k) => asInt(v, `${field(rmetaKey)}[${k}]`));
  const sections = o.sections == null ? undefined : readSections(o.sections, field('sections'));
  // `rmeta_time` (s after the unit's start) up to cargo 1.93; `sections` since 1.91.
  const rmetaTime = o.rmeta_time == null ? undefined : asNumber(o.rmeta_time, field('rmeta_time'));
  const frontendSection = sections?.find((s) => s.name === 'frontend');
  const frontend = frontendSection ? frontendSection.end - frontendSection.start : rmetaTime;
  return {
    id: o.i === undefined ? index : asInt(o.i, field('i')),
    identity: {
      package: pkg,
      version: asString(o.version, field('version')),
      ...describeTarget(pkg, target, jsonMode),
      features: asArray(o.features ?? [], field('features')).map((v, k) => asString(v, `${field('features')}[${k}]`)),
    },
    start,
    duration,
    frontend,
    sections,
    unblocked,
    unblockedRmeta,
    // A unit that never started keeps cargo's defaults: start 0, duration 0, nothing else.
    notRun:
      start === 0 && duration === 0 && !sections && rmetaTime === undefined && !unblocked.length && !unblockedRmeta.length,
  };
}

function readSections(raw: unknown, where: string): UnitSection[] {
  // serde serializes Vec<(SectionName, SectionData)> as [["frontend", {"start": s, "end": s}], ...].
  return asArray(raw, where).map((entry, k) => {
    const pair = asArray(entry, `${where}[${k}]`);
    const data = asObject(pair[1], `${where}[${k}][1]`);
    return {
      name: asString(pair[0], `${where}[${k}][0]`),
      start: asNumber(data.start, `${where}[${k}].start`),
      end: asNumber(data.end, `${where}[${k}].end`),
    };
  });
}

const MODE_SUFFIXES: Record<string, string> = {
  test: 'test',
  'check-test': 'check-test',
  check: 'check',
  doc: 'doc',
  'doc test': 'doctest',
  'doc scrape': 'docscrape',
  run: 'run-custom-build',
};

/**
 * Reads cargo's target description. Since cargo 1.95 (rendered from its build log):
 * `""` lib, `" (check)"`, `" build-script"`, `" build-script (run)"`, `` ` cli-tool "bin"` ``,
 * `` ` my_lib "lib" (test)` ``. Before: `" build script (run)"`, `` ` bin "cli-tool"` ``, and up to
 * 1.93 `" lib (check)"`.
 */
function describeTarget(
  pkg: string,
  target: string,
  jsonMode: string | undefined,
): Pick<UnitIdentity, 'crateName' | 'kind' | 'mode' | 'description'> {
  const description = target.trim();
  const suffix = /^(.*?)\s*\(([a-z -]+)\)$/.exec(description);
  let rest = description;
  let mode = 'build';
  if (suffix && MODE_SUFFIXES[suffix[2]] !== undefined) {
    rest = suffix[1];
    mode = MODE_SUFFIXES[suffix[2]];
  }
  if (jsonMode === 'run-custom-build') mode = 'run-custom-build';
  const crate = (name: string) => name.replace(/-/g, '_');
  const named = (kind: string, name: string) => ({ kind, crateName: crate(name), mode, description });

  if (rest === '' || rest === 'lib') return named('lib', pkg);
  if (rest === 'build-script' || rest === 'build script') {
    return named(mode === 'run-custom-build' ? 'build-script-run' : 'build-script', 'build_script_build');
  }
  const current = /^(\S+) "(lib|bin|test|bench|example)"$/.exec(rest);
  if (current) return named(current[2], current[1]);
  const old = /^(bin|test|bench|example) "([^"]+)"$/.exec(rest);
  if (old) return named(old[1], old[2]);
  return named('unknown', pkg);
}

function readSample(raw: unknown, index: number): ConcurrencySample {
  const where = `CONCURRENCY_DATA[${index}]`;
  const o = asObject(raw, where);
  return {
    t: asNumber(o.t, `${where}.t`),
    active: asInt(o.active, `${where}.active`),
    waiting: asInt(o.waiting, `${where}.waiting`),
    inactive: asInt(o.inactive, `${where}.inactive`),
  };
}

function readCpuUsage(raw: unknown): [number, number][] {
  const samples: [number, number][] = [];
  asArray(raw, 'CPU_USAGE').forEach((entry, k) => {
    const pair = asArray(entry, `CPU_USAGE[${k}]`);
    // serde_json writes a NaN percentage (no CPU time elapsed) as null: skip that sample.
    if (pair[1] === null) return;
    samples.push([asNumber(pair[0], `CPU_USAGE[${k}][0]`), asNumber(pair[1], `CPU_USAGE[${k}][1]`)]);
  });
  return samples;
}

/**
 * Average of `active - self` over [from, to]. The samples are a step function (each holds until
 * the next) and count the unit itself while it runs: since cargo 1.94 cargo computes them from
 * the units' own spans; before, its job queue sampled them as it went. An empty window reads the state just after
 * `from`, where a zero-length unit has already ended and so is not counted.
 */
export function othersRunning(samples: ConcurrencySample[], from: number, to: number, selfCounted: boolean): number {
  const self = selfCounted ? 1 : 0;
  if (to - from < 1e-9) {
    const at = from + 1e-9;
    let active = 0;
    for (const s of samples) if (s.t <= at) active = s.active;
    return Math.max(0, active - self);
  }
  let area = 0;
  for (let k = 0; k < samples.length; k++) {
    const segStart = Math.max(samples[k].t, from);
    const segEnd = Math.min(k + 1 < samples.length ? samples[k + 1].t : Infinity, to);
    if (segEnd > segStart) area += (segEnd - segStart) * samples[k].active;
  }
  return Math.max(0, area / (to - from) - self);
}

type Header = Pick<
  TimingReport,
  'profile' | 'jobs' | 'ncpu' | 'maxConcurrency' | 'rustcVersion' | 'host' | 'targets' | 'buildStart' | 'freshUnits' | 'dirtyUnits' | 'error'
>;

/** The summary table: `<td>Label:</td><td>value</td>` rows (cargo does not HTML-escape values). */
function readHeader(html: string): Header {
  const cell = (label: string) => new RegExp(`<td>${label}:</td><td>(.*?)</td>`).exec(html)?.[1];
  const header: Header = {};
  const profile = cell('Profile');
  if (profile !== undefined) header.profile = profile;
  const concurrency = /^(\d+) \(jobs=(\d+) ncpu=(\d+|n\/a)\)$/.exec(cell('Max concurrency') ?? '');
  if (concurrency) {
    header.maxConcurrency = Number(concurrency[1]);
    header.jobs = Number(concurrency[2]);
    if (concurrency[3] !== 'n/a') header.ncpu = Number(concurrency[3]);
  }
  const rustc = cell('rustc')?.split('<br>');
  if (rustc) {
    header.rustcVersion = rustc[0];
    for (const line of rustc.slice(1)) {
      if (line.startsWith('Host: ')) header.host = line.slice('Host: '.length);
      if (line.startsWith('Target: ')) header.targets = line.slice('Target: '.length).split(', ').filter(Boolean);
    }
  }
  const buildStart = cell('Build start');
  if (buildStart !== undefined) header.buildStart = buildStart;
  const fresh = cell('Fresh units');
  if (fresh !== undefined && /^\d+$/.test(fresh)) header.freshUnits = Number(fresh);
  const dirty = cell('Dirty units');
  if (dirty !== undefined && /^\d+$/.test(dirty)) header.dirtyUnits = Number(dirty);
  const error = /<td class="error-text">Error:<\/td><td>([\s\S]*?)<\/td><\/tr>/.exec(html)?.[1];
  if (error !== undefined) header.error = oneLine(error);
  return header;
}

/** Cargo rounds times to 0.01 s; rounding sums keeps 0.17 + 0.36 from reading 0.53000000000000001. */
function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function fail(where: string, expected: string): never {
  throw new TimingReportError(`unsupported cargo timing report: ${where} is not ${expected}`);
}

function asObject(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, 'an object');
  return v as Record<string, unknown>;
}

function asArray(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) fail(where, 'an array');
  return v;
}

function asString(v: unknown, where: string): string {
  if (typeof v !== 'string') fail(where, 'a string');
  return v;
}

function asNumber(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, 'a number');
  return v;
}

function asInt(v: unknown, where: string): number {
  if (!Number.isInteger(v) || (v as number) < 0) fail(where, 'a non-negative integer');
  return v as number;
}
