import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cmdlineOf, cpuTicksOf, parentOf, parseStatFields, processesWithOpen, processTree, startTimeOf, threadsOf } from './proc';

it('parses a stat line whose command name holds spaces and parentheses', () => {
  const f = parseStatFields('4242 (a (b) c) S 17 4242 4242 0 -1 4194560 100 0 0 0 31 7 0 0 20 0 1 0 98765 1000 10\n');
  expect(f[0]).toBe('S');
  expect(f[1]).toBe('17');
  expect(Number(f[11]) + Number(f[12])).toBe(38);
  expect(f[19]).toBe('98765');
});

it('reads a live child: its parent, start time, arguments, CPU, threads, the file it has open, and its place in the tree', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ft-proc-'));
  const file = join(dir, 'held');
  writeFileSync(file, 'x');
  const child = spawn(process.execPath, ['-e', `require('fs').openSync(${JSON.stringify(file)}, 'r'); setTimeout(() => {}, 30000)`, 'marker-arg'], { stdio: 'ignore' });
  try {
    const pid = child.pid as number;
    for (let i = 0; i < 50 && processesWithOpen(file, [pid]).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(parentOf(pid)).toBe(process.pid);
    expect(Number(startTimeOf(pid))).toBeGreaterThan(0);
    expect(cmdlineOf(pid)?.at(-1)).toBe('marker-arg');
    expect(cpuTicksOf(pid)).toBeGreaterThanOrEqual(0);
    expect((threadsOf(pid) ?? []).length).toBeGreaterThan(1);
    expect(processesWithOpen(file, [process.pid, pid])).toEqual([pid]);
    expect(processTree(process.pid)).toContain(pid);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  // Gone: every reader says "cannot tell" rather than throwing.
  await new Promise((r) => child.once('exit', r));
  await new Promise((r) => setTimeout(r, 100));
  expect(parentOf(child.pid as number)).toBeUndefined();
  expect(threadsOf(child.pid as number)).toBeUndefined();
});
