import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { delimiter } from 'node:path';
import { TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';
import { readFlagSpy, writeFlagSpy } from './flag-spy';

// A machine profile is this process's core count at run time, as the OS grants it (affinity,
// cgroup-free here): one checkout, one table keyed by core count, and two "agents" made with
// taskset, a 1-core one and a 2-core one, each applying its own entry.
let ws: TempWorkspace;
const spyLog = () => ws.path('spy.log');

beforeAll(() => {
  ws = TempWorkspace.empty('ft-agents-');
  ws.write('Cargo.toml', '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n');
  ws.crate('crates/base', 'base', 'pub fn one() -> u32 { 1 }\n');
  ws.crate('crates/top', 'top', 'pub fn two() -> u32 { base::one() + 1 }\n', '\n[dependencies]\nbase = { path = "../base" }\n');
  // top: 2 threads on a 2-core machine, none on a 1-core one; base: never.
  ws.write('crates/top/project.json', JSON.stringify({ metadata: { frontendThreads: { check: { '1': 1, '2': 2 } } } }));
  writeFlagSpy(ws.path('spy'));
});
afterAll(() => ws.dispose());

/** `nx check top` on the given CPUs, every crate compiled again; the spy's lines and the run's record. */
function checkOn(cpus: string) {
  rmSync(spyLog(), { force: true });
  rmSync(ws.path('target'), { recursive: true, force: true });
  const env = ws.env({ PATH: `${ws.path('spy')}${delimiter}${process.env.PATH}`, SPY_LOG: spyLog() });
  const nxBin = require.resolve('nx/bin/nx.js', { paths: [ws.root] });
  const r = spawnSync('taskset', ['-c', cpus, process.execPath, nxBin, 'check', 'top', '--skip-nx-cache'], {
    cwd: ws.root,
    env,
    encoding: 'utf8',
  });
  const records = readFileSync(ws.path('.fine-threads/records.jsonl'), 'utf8').trim().split('\n');
  return { code: r.status, output: `${r.stdout}\n${r.stderr}`, compiles: readFlagSpy(spyLog()), record: JSON.parse(records[records.length - 1]) };
}

describe('agents of different sizes sharing one checkout', () => {
  it('a 2-core agent applies the table\'s "2" entry: top compiles with 2 front-end threads, base without', () => {
    const run = checkOn('0,1');
    expect(run.code).toBe(0);
    expect(run.compiles.map((c) => [c.crate, c.flag]).sort()).toEqual([
      ['base', '-'],
      ['top', '-Zthreads=2'],
    ]);
    expect(run.record.cores).toBe(2);
    expect(run.record.threads).toEqual({ top: 2 });
  }, 300_000);

  it('a 1-core agent (taskset -c 0) applies the "1" entry: no crate gets threads, and its record says 1 core', () => {
    const run = checkOn('0');
    expect(run.code).toBe(0);
    expect(run.compiles.map((c) => [c.crate, c.flag]).sort()).toEqual([
      ['base', '-'],
      ['top', '-'],
    ]);
    expect(run.record.cores).toBe(1);
    expect(run.record.threads).toEqual({});
  }, 300_000);
});
