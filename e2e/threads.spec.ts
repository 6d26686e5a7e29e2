import { mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, statSync } from 'node:fs';
import { delimiter } from 'node:path';
import { TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';
import { readFlagSpy, writeFlagSpy } from './flag-spy';

// Per-crate front-end threads on the bundled example, through real nx, cargo and rustc.
// A rustc spy first on PATH (./flag-spy) logs, per invocation: crate name, threads flag, RUSTC_BOOTSTRAP.
let ws: TempWorkspace;
let spyLog: string;

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: `${ws.path('spy')}${delimiter}${process.env.PATH}`, SPY_LOG: spyLog, ...extra };
}

const spyLines = () => readFlagSpy(spyLog);

const setThreads = (crateDir: string, value: unknown) =>
  ws.write(`${crateDir}/project.json`, JSON.stringify({ metadata: { frontendThreads: value } }));

interface Unit {
  crate: string;
  kind: string;
  threads: number;
  frontend?: number;
  backend?: number;
  fallback?: true;
}
const records = () =>
  readFileSync(ws.path('.fine-threads/records.jsonl'), 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as { threads: Record<string, number>; units: Unit[]; fallbacks: unknown[]; toolchain: string }];
      } catch {
        return []; // a torn line
      }
    });

beforeAll(() => {
  ws = TempWorkspace.fromExample('ft-threads-');
  spyLog = ws.path('spy.log');
  writeFlagSpy(ws.path('spy'));
});
afterAll(() => ws.dispose());

beforeEach(() => rmSync(spyLog, { force: true }));

describe('frontendThreads on heavy', () => {
  it('compiles heavy, and nothing else, with two threads and RUSTC_BOOTSTRAP on stable', () => {
    setThreads('crates/heavy', 2);
    const r = ws.nx(['check', 'heavy'], env());
    expect(r.code).toBe(0);
    expect(r.output).toContain('fine-threads: front-end threads heavy=2');
    const lines = spyLines();
    expect(lines.map((l) => l.crate).sort()).toEqual(['basis', 'build_script_build', 'codegen', 'heavy', 'util']);
    for (const l of lines) {
      if (l.crate === 'heavy') expect(l).toEqual({ crate: 'heavy', flag: '-Zthreads=2', bootstrap: '1' });
      else expect(l).toEqual({ crate: l.crate, flag: '-', bootstrap: '-' });
    }
  });

  it('records the build: heavy at 2 threads with plausible front-end and back-end times', () => {
    const last = records().at(-1);
    expect(last?.threads).toEqual({ heavy: 2 });
    const heavy = last?.units.find((u) => u.crate === 'heavy');
    expect(heavy).toMatchObject({ kind: 'lib', threads: 2 });
    expect(heavy?.frontend).toBeGreaterThan(1);
    expect(heavy?.backend).toBeGreaterThanOrEqual(0);
    expect((heavy?.frontend ?? 0) + (heavy?.backend ?? 0)).toBeLessThan(120);
    expect(last?.units.find((u) => u.crate === 'basis')?.threads).toBe(1);
  });

  it('changing the thread count neither rebuilds anything nor changes the Nx cache hash', () => {
    setThreads('crates/heavy', 1);
    const cached = ws.nx(['check', 'heavy'], env());
    expect(cached.output).toMatch(/Cache:\s+1\/1 hit/);
    const rerun = ws.nx(['check', 'heavy', '--skip-nx-cache'], env());
    expect(rerun.code).toBe(0);
    expect(rerun.output).not.toMatch(/Checking|Compiling/);
    expect(spyLines()).toEqual([]);
  });

  it('takes a count from the command line, 0 meaning all cores, clamped to this machine', () => {
    ws.write('crates/heavy/src/lib.rs', `${ws.read('crates/heavy/src/lib.rs')}\n// edit 1\n`);
    const r = ws.nx(['check', 'heavy', '--frontendThreads=64'], env());
    expect(r.code).toBe(0);
    const cores = require('node:os').availableParallelism();
    expect(r.output).toContain(`fine-threads: --frontendThreads asks for 64 front-end threads; this machine has ${cores} cores, using ${cores}.`);
    expect(spyLines().find((l) => l.crate === 'heavy')?.flag).toBe(`-Zthreads=${cores}`);
  });

  it('on nightly adds the flag without RUSTC_BOOTSTRAP', () => {
    setThreads('crates/heavy', 2);
    const r = ws.nx(['check', 'heavy', '--toolchain=nightly', '--skip-nx-cache'], env());
    expect(r.code).toBe(0);
    const lines = spyLines();
    expect(lines.find((l) => l.crate === 'heavy')).toEqual({ crate: 'heavy', flag: '-Zthreads=2', bootstrap: '-' });
    expect(lines.filter((l) => l.crate !== 'heavy' && (l.flag !== '-' || l.bootstrap !== '-'))).toEqual([]);
    expect(records().at(-1)?.toolchain).toMatch(/nightly/);
  });

  it('falls back to one thread after an internal compiler error, finishes green and records it', () => {
    ws.write('crates/heavy/src/lib.rs', `${ws.read('crates/heavy/src/lib.rs')}\n// edit 2\n`);
    // A TMPDIR of its own: the task's private directory, with the wrapper's copy of heavy's
    // stderr in it, goes with the task.
    const tmp = ws.path('task-tmp');
    mkdirSync(tmp, { recursive: true });
    const r = ws.nx(['check', 'heavy', '--skip-nx-cache'], env({ SPY_ICE: '1', TMPDIR: tmp }));
    expect(r.code).toBe(0);
    expect(readdirSync(tmp).filter((n) => n.startsWith('fine-threads'))).toEqual([]);
    // The crash streams as it happens, then the wrapper says what it does about it.
    expect(r.output).toMatch(/internal compiler error: injected[\s\S]*rustc crashed compiling heavy with 2 front-end threads; compiling it again without them/);
    const heavy = spyLines().filter((l) => l.crate === 'heavy');
    expect(heavy.map((l) => l.flag)).toEqual(['-Zthreads=2', '-']);
    const last = records().at(-1);
    expect(last?.fallbacks).toEqual([{ crate: 'heavy', threads: 2, exitCode: 101 }]);
    expect(last?.units.find((u) => u.crate === 'heavy')).toMatchObject({ threads: 1, fallback: true });
  });

  it('a truncated record file does not break the next build', () => {
    const file = ws.path('.fine-threads/records.jsonl');
    const before = records().length;
    truncateSync(file, statSync(file).size - 40); // a build killed while writing
    ws.write('crates/heavy/src/lib.rs', `${ws.read('crates/heavy/src/lib.rs')}\n// edit 3\n`);
    const r = ws.nx(['check', 'heavy'], env());
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/fine-threads: .*records\.jsonl has 1 line\(s\) that are not records; they are skipped \(first: line \d+: not JSON \(torn or hand-edited\)\)\./);
    expect(records()).toHaveLength(before); // the torn one is gone, the new one is there
    expect(records().at(-1)?.threads).toEqual({ heavy: 2 });
  });

  it("applies each mode's own table: check threads heavy, build does not", () => {
    setThreads('crates/heavy', { check: { '2': 2 }, build: { '2': 1 } });
    try {
      const heavyFlags = () => spyLines().filter((l) => l.crate === 'heavy').map((l) => l.flag);
      const touch = (n: number) => ws.write('crates/heavy/src/lib.rs', `${ws.read('crates/heavy/src/lib.rs')}\n// mode edit ${n}\n`);
      touch(1); // so cargo compiles heavy again, and the spy sees it
      const check = ws.nx(['check', 'heavy'], env());
      expect(check.code).toBe(0);
      expect(heavyFlags()).toContain('-Zthreads=2');
      expect(records().at(-1)?.threads).toEqual({ heavy: 2 });
      rmSync(spyLog, { force: true });
      touch(2);
      const build = ws.nx(['build', 'heavy'], env());
      expect(build.code).toBe(0);
      expect(heavyFlags().length).toBeGreaterThan(0);
      expect(heavyFlags().every((f) => f === '-')).toBe(true);
      expect(records().at(-1)?.threads).toEqual({});
    } finally {
      setThreads('crates/heavy', 2);
    }
  });

  it('a bad value fails the task in one line', () => {
    setThreads('crates/heavy', 'two');
    const r = ws.nx(['check', 'heavy', '--skip-nx-cache'], env());
    expect(r.code).not.toBe(0);
    expect(r.output).toContain(
      'fine-threads: project heavy: frontendThreads must be an integer ≥ 0 (0 = all cores), a table by core count or one per mode, got "two"',
    );
    expect(r.output).not.toContain('> cargo');
    setThreads('crates/heavy', 2);
  });
});
