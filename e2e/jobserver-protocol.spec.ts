import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { joinJobserver } from '../packages/fine-threads/src/jobserver/client';
import { pipeMakeflags } from '../packages/fine-threads/src/jobserver/makeflags';
import { acquireToken, countTokens, createPool, formatJobserverEnv, JOBSERVER_ENV, makeflags, type Pool } from '../packages/fine-threads/src/jobserver/pool';
import { maxConcurrent, readSpyLog, writeRustcSpy } from './jobserver-spy';

// The pool speaks the jobserver protocol with real clients, no Nx in between: cargo (the
// jobserver crate) in the fifo form and in the pipe form, and GNU make 4.3 in the pipe form.
// Each client's jobs sleep long enough to overlap, so "at most J at once" is reached, not just
// respected; J=3 on a 2-core machine shows the cap is the pool's, not cargo's own -j.
let dir: string;
const CRATES = ['p1', 'p2', 'p3', 'p4', 'p5'];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ft-jobproto-'));
  const ws = join(dir, 'ws');
  for (const c of CRATES) mkdirSync(join(ws, c, 'src'), { recursive: true });
  writeFileSync(join(ws, 'Cargo.toml'), `[workspace]\nmembers = [${CRATES.map((c) => `"${c}"`).join(', ')}]\nresolver = "2"\n`);
  for (const c of CRATES) {
    writeFileSync(join(ws, c, 'Cargo.toml'), `[package]\nname = "${c}"\nversion = "0.1.0"\nedition = "2021"\n`);
    writeFileSync(join(ws, c, 'src/lib.rs'), `pub fn ${c}() -> u32 { 1 }\n`);
  }
  writeRustcSpy(join(dir, 'spy'));
  // Six make jobs that log their start and end.
  writeFileSync(
    join(dir, 'Makefile'),
    [
      'JOBS := a b c d e f',
      'all: $(JOBS)',
      '$(JOBS):',
      '\t@echo "start $$(date +%s%N) $@ $$$$" >> $(LOG); sleep 0.4; echo "end $$(date +%s%N) $@ $$$$" >> $(LOG)',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let pool: Pool | undefined;
afterEach(() => {
  pool?.close();
  pool = undefined;
});

function spyEnv(log: string): NodeJS.ProcessEnv {
  rmSync(log, { force: true });
  rmSync(join(dir, 'ws/target'), { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(dir, 'spy')}${delimiter}${process.env.PATH}`, SPY_LOG: log, SPY_SLEEP: '1' };
  // Far above J: the pool is the only cap. No jobserver from the test's own environment.
  env.CARGO_BUILD_JOBS = '8';
  delete env.MAKEFLAGS;
  delete env.CARGO_MAKEFLAGS;
  delete env.MFLAGS;
  delete env[JOBSERVER_ENV];
  return env;
}

function cargoBuild(env: NodeJS.ProcessEnv, fds: number[] = []): { status: number | null; stderr: string } {
  const r = spawnSync('cargo', ['build', '--workspace', '--offline'], {
    cwd: join(dir, 'ws'),
    env,
    stdio: ['ignore', 'pipe', 'pipe', ...fds],
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { status: r.status, stderr: r.stderr };
}

describe('cargo as a client of the pool', () => {
  it('fifo form: J=3 → exactly 3 compiles at once at most, and every token comes back', async () => {
    pool = createPool(dir, 'fifo-cargo', 3);
    const log = join(dir, 'fifo.log');
    // The executor's part: cargo's implicit token comes from the pool.
    const implicit = await acquireToken(pool.path);
    expect(implicit).toBeDefined();
    const env = { ...spyEnv(log), MAKEFLAGS: makeflags(pool.path, 3), CARGO_MAKEFLAGS: makeflags(pool.path, 3) };
    const r = cargoBuild(env);
    implicit?.release();
    expect(r.status).toBe(0);
    const compiles = readSpyLog(log);
    expect(compiles.map((c) => c.name).sort()).toEqual(CRATES);
    expect(maxConcurrent(compiles)).toBe(3);
    expect(countTokens(pool.path, 10)).toBe(3);
  }, 300_000);

  it('pipe form (joinJobserver, as the executors do): J=3 → 3 at once, rustc holds the pool at fd 3', async () => {
    pool = createPool(dir, 'pipe-cargo', 3);
    const log = join(dir, 'pipe.log');
    const base = spyEnv(log);
    const js = await joinJobserver({ root: dir }, { ...base, [JOBSERVER_ENV]: formatJobserverEnv(pool) });
    expect(js.env.CARGO_MAKEFLAGS).toBe('-j3 --jobserver-fds=3,4 --jobserver-auth=3,4');
    const r = cargoBuild({ ...base, ...js.env }, js.fds);
    js.release();
    expect(r.status).toBe(0);
    const compiles = readSpyLog(log);
    expect(compiles).toHaveLength(CRATES.length);
    expect(maxConcurrent(compiles)).toBe(3);
    // Every compile had the pool's fifo as fd 3: cargo handed the pipe form on.
    expect(new Set(compiles.map((c) => c.fd3))).toEqual(new Set([pool.path]));
    expect(countTokens(pool.path, 10)).toBe(3);
  }, 300_000);

  it('pipe form with J=1: one compile at a time', async () => {
    pool = createPool(dir, 'pipe-cargo-1', 1);
    const log = join(dir, 'pipe1.log');
    const base = spyEnv(log);
    const js = await joinJobserver({ root: dir }, { ...base, [JOBSERVER_ENV]: formatJobserverEnv(pool) });
    const r = cargoBuild({ ...base, ...js.env }, js.fds);
    js.release();
    expect(r.status).toBe(0);
    expect(maxConcurrent(readSpyLog(log))).toBe(1);
    expect(countTokens(pool.path, 10)).toBe(1);
  }, 300_000);
});

describe('GNU make 4.3 as a client of the pool', () => {
  function make(env: NodeJS.ProcessEnv, fds: number[]): { status: number | null; output: string } {
    const r = spawnSync('make', ['-f', join(dir, 'Makefile'), `LOG=${env.SPY_LOG}`], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe', ...fds],
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }

  it.each([2, 3])('pipe form, J=%i: make runs its six jobs at most J at once, and every token comes back', async (jobs) => {
    pool = createPool(dir, `make-${jobs}`, jobs);
    const log = join(dir, `make-${jobs}.log`);
    const base = spyEnv(log);
    // make's implicit token, taken as the executors take cargo's.
    const js = await joinJobserver({ root: dir }, { ...base, [JOBSERVER_ENV]: formatJobserverEnv(pool) });
    const r = make({ ...base, ...js.env }, js.fds);
    js.release();
    expect(r.output).not.toMatch(/jobserver unavailable|invalid --jobserver/);
    expect(r.status).toBe(0);
    const jobsRun = readSpyLog(log);
    expect(jobsRun).toHaveLength(6);
    expect(maxConcurrent(jobsRun)).toBe(jobs);
    expect(countTokens(pool.path, 10)).toBe(jobs);
  }, 60_000);

  it('the fifo form stops make 4.3 — why cargo gets the pipe form', () => {
    pool = createPool(dir, 'make-fifo', 2);
    const log = join(dir, 'make-fifo.log');
    const r = make({ ...spyEnv(log), MAKEFLAGS: makeflags(pool.path, 2) }, []);
    const version = spawnSync('make', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
    if (!/^GNU Make 4\.[0-3]\b/.test(version)) return; // make 4.4+ reads the fifo form
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/invalid --jobserver-auth string 'fifo:/);
  });

  it('control: the same MAKEFLAGS without the fds, and make says so and runs one job at a time', () => {
    const log = join(dir, 'make-nofds.log');
    const r = make({ ...spyEnv(log), MAKEFLAGS: pipeMakeflags(2) }, []);
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/jobserver unavailable/);
    expect(maxConcurrent(readSpyLog(log))).toBe(1);
    expect(readFileSync(log, 'utf8')).toContain('start');
  });
});
