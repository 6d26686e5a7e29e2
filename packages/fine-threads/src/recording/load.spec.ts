import { spawnSync } from 'node:child_process';
import { loadBetween, ownCpuSeconds, parseChildrenCpu, parseProcStat, startLoadMeter } from './load';

describe('load during a build', () => {
  it('reads /proc/stat: busy is all but idle, iowait and steal; steal apart', () => {
    const t = parseProcStat('cpu  1000 50 300 9000 40 10 20 30 0 0\ncpu0 500 25 150 4500 20 5 10 15 0 0\n', 100);
    expect(t).toEqual({ busy: 13.8, steal: 0.3 });
    expect(parseProcStat('intr 1 2 3\n')).toBeUndefined();
  });

  it("reads a process's waited-for children's CPU time, whatever its name holds", () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
    const stat = '4242 (node) x (y)) S 1 4242 4242 0 -1 4194304 10 20 0 0 7 3 250 50 20 0 11 0';
    expect(parseChildrenCpu(stat, 100)).toBe(3);
  });

  it("counts other work: the cores' busy time less the build's own, over the wall time", () => {
    const start = { cpu: { busy: 100, steal: 1 }, own: 10, at: 0 };
    // 10 s: all cores busy for 18 s, the build used 14 s of it: others 0.4 cores; steal 0.1.
    expect(loadBetween(start, { cpu: { busy: 118, steal: 2 }, own: 24, at: 10_000 })).toEqual({ others: 0.4, steal: 0.1 });
    // Tick rounding can make the build's own time exceed the cores' count: never negative.
    expect(loadBetween(start, { cpu: { busy: 110, steal: 1 }, own: 20.5, at: 10_000 })?.others).toBe(0);
    expect(loadBetween(start, { ...start })).toBeUndefined();
  });

  it("counts a reaped child's CPU time as the build's own", () => {
    const before = ownCpuSeconds()!;
    const meter = startLoadMeter();
    // A child that burns CPU for ~0.5 s and is reaped before the reading.
    spawnSync(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 500);']);
    expect(ownCpuSeconds()! - before).toBeGreaterThan(0.4);
    const load = meter.stop();
    expect(load).toBeDefined();
    expect(load!.others).toBeGreaterThanOrEqual(0);
  });
});
