import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { delimiter } from 'node:path';
import { countTokens } from '../packages/fine-threads/src/jobserver/pool';
import { TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';
import { maxConcurrent, readSpyLog, waitUntil, writeRustcSpy } from './jobserver-spy';

// The jobserver and make. Nx under `make -j2` (make 4.3's pipe form: the fds reach `nx` but not
// Nx's task processes, so the run finds make's pipe by path), Nx under a make-4.4-style fifo,
// and GNU make 4.3 in a build script under our pool (it needs the pipe form).
let ws: TempWorkspace;
const spyLog = () => ws.path('spy.log');
const poolDir = () => ws.path('.nx/workspace-data/fine-threads-jobserver');

beforeAll(() => {
  ws = TempWorkspace.fromExample('ft-jobmake-');
  // Pressure: three crates that compile side by side in the second Cargo workspace.
  for (const name of ['lint-a', 'lint-b', 'lint-c']) {
    const body = Array.from({ length: 250 }, (_, i) => `pub fn f${i}(x: u64) -> u64 { (0..x).map(|v| v * ${i}).filter(|v| v % 3 == 0).sum() }`).join('\n');
    ws.crate(`tools/crates/${name}`, name, `${body}\n`);
  }
  ws.crate(
    'tools/crates/lint-all',
    'lint-all',
    'pub use lint_a::f1 as a;\npub use lint_b::f1 as b;\npub use lint_c::f1 as c;\n',
    '[dependencies]\nlint-a = { path = "../lint-a" }\nlint-b = { path = "../lint-b" }\nlint-c = { path = "../lint-c" }\n',
  );
  // A crate whose build script runs GNU make, as `-sys` crates do, passing cargo's jobserver on.
  ws.crate('crates/native', 'native', 'pub fn native() {}\n', '');
  ws.write(
    'crates/native/build.rs',
    [
      'use std::{env, fs, process::Command};',
      'fn main() {',
      '    let dir = env::var("CARGO_MANIFEST_DIR").unwrap();',
      '    let log = env::var("MAKE_LOG").unwrap();',
      '    let out = Command::new("make")',
      '        .args(["-f", &format!("{dir}/jobs.mk"), &format!("LOG={log}")])',
      '        .env("MAKEFLAGS", env::var("CARGO_MAKEFLAGS").unwrap_or_default())',
      '        .output()',
      '        .expect("make runs");',
      '    fs::write(format!("{log}.stderr"), &out.stderr).unwrap();',
      '    let fd3 = fs::read_link("/proc/self/fd/3").map(|p| p.display().to_string()).unwrap_or_default();',
      '    fs::write(format!("{log}.fd3"), fd3).unwrap();',
      '    assert!(out.status.success(), "make failed: {}", String::from_utf8_lossy(&out.stderr));',
      '}',
      '',
    ].join('\n'),
  );
  ws.write(
    'crates/native/jobs.mk',
    [
      'JOBS := a b c d e f',
      'all: $(JOBS)',
      '$(JOBS):',
      '\t@echo "start $$(date +%s%N) $@ $$$$" >> $(LOG); sleep 0.4; echo "end $$(date +%s%N) $@ $$$$" >> $(LOG)',
      '',
    ].join('\n'),
  );
  writeRustcSpy(ws.path('spy'));
});
afterAll(() => ws.dispose());

const RUN_MANY = ['run-many', '-t', 'check', '--projects=heavy,lint-all', '--parallel=4', '--skip-nx-cache', '--output-style=static'];

function prepare(jobs: number): NodeJS.ProcessEnv {
  ws.write('nx.json', JSON.stringify({ plugins: [{ plugin: 'fine-threads', options: { jobs } }] }));
  rmSync(ws.path('target'), { recursive: true, force: true });
  rmSync(ws.path('tools/target'), { recursive: true, force: true });
  rmSync(spyLog(), { force: true });
  return { PATH: `${ws.path('spy')}${delimiter}${process.env.PATH}`, SPY_LOG: spyLog(), MAKEFLAGS: undefined, CARGO_MAKEFLAGS: undefined };
}

function leftInPoolDir(): string[] {
  try {
    return readdirSync(poolDir());
  } catch {
    return [];
  }
}

describe('Nx under make', () => {
  it('control: without a shared cap, this run has more than 2 compiles at once', () => {
    const r = ws.nx(RUN_MANY, prepare(0));
    expect(r.code).toBe(0);
    expect(maxConcurrent(readSpyLog(spyLog()))).toBeGreaterThan(2);
  }, 300_000);

  it('make -j2 (pipe form): every cargo joins make’s own pipe, and never more than 2 compiles at once', async () => {
    const env = prepare(8); // the plugin's own J is not used under make
    ws.write(
      'Makefile',
      [
        'all:',
        // `+` on both lines: make hands them its jobserver fds.
        `\t+@readlink /proc/$$$$/fd/3 > make-pipe.txt`,
        `\t+node node_modules/nx/dist/bin/nx.js ${RUN_MANY.join(' ')}`,
        '',
      ].join('\n'),
    );
    const r = spawnSync('make', ['-j2'], { cwd: ws.root, env: ws.env(env), encoding: 'utf8', timeout: 600_000 });
    const output = `${r.stdout}${r.stderr}`;
    expect(r.status).toBe(0);
    expect(output).not.toMatch(/fine-threads: .*jobserver/);
    const makePipe = ws.read('make-pipe.txt').trim();
    expect(makePipe).toMatch(/^pipe:\[\d+\]$/);
    const compiles = readSpyLog(spyLog());
    expect(compiles.length).toBeGreaterThanOrEqual(8);
    // Each rustc holds make's pipe at fd 3: cargo is make's client, not a jobserver of its own.
    expect(new Set(compiles.map((c) => c.fd3))).toEqual(new Set([makePipe]));
    expect(maxConcurrent(compiles)).toBeLessThanOrEqual(2);
    // The one-token fifo for nx's implicit token is gone with the run.
    expect(await waitUntil(() => leftInPoolDir().length === 0)).toBe(true);
  }, 600_000);

  it('a make-4.4-style fifo jobserver in MAKEFLAGS: cargo joins it, never more than 2, and every token comes back', async () => {
    const env = prepare(8);
    const fifo = ws.path('outer.fifo');
    execFileSync('mkfifo', [fifo]);
    // What make -j2 does: J-1 tokens in the fifo, the implicit one is nx's.
    const hold = openSync(fifo, constants.O_RDWR);
    writeSync(hold, '+');
    try {
      const r = ws.nx(RUN_MANY, { ...env, MAKEFLAGS: `-j2 --jobserver-auth=fifo:${fifo}` });
      expect(r.code).toBe(0);
      const compiles = readSpyLog(spyLog());
      expect(new Set(compiles.map((c) => c.fd3))).toEqual(new Set([fifo]));
      expect(maxConcurrent(compiles)).toBeLessThanOrEqual(2);
      expect(countTokens(fifo, 10)).toBe(1);
      expect(await waitUntil(() => leftInPoolDir().length === 0)).toBe(true);
    } finally {
      closeSync(hold);
      rmSync(fifo, { force: true });
    }
  }, 600_000);
});

describe('make in a build script, under the run’s pool', () => {
  it('GNU make 4.3 joins the pool through cargo (pipe form): its jobs run 2 at once at J=2, no jobserver warning', () => {
    const env = prepare(2);
    const log = ws.path('make-jobs.log');
    rmSync(log, { force: true });
    const r = ws.nx(['build', 'native', '--skip-nx-cache', '--output-style=static'], { ...env, MAKE_LOG: log });
    expect(r.code).toBe(0);
    expect(readFileSync(`${log}.stderr`, 'utf8')).not.toMatch(/jobserver|-j1/);
    const jobs = readSpyLog(log);
    expect(jobs).toHaveLength(6);
    // The build script held the pool at fd 3, handed down from the executor through cargo.
    expect(readFileSync(`${log}.fd3`, 'utf8')).toMatch(/fine-threads-jobserver\/run-\d+-\d+\.fifo$/);
    // The build script runs on cargo's implicit token, make's first job on the build script's,
    // and one more from the pool: 2, the whole J.
    expect(maxConcurrent(jobs)).toBe(2);
  }, 300_000);
});
