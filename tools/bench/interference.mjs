// How much of the machine other processes took while a measured command ran, for the benches
// that compare timings on this shared machine (simulator-check, frontend-curve).
// others = (CPU time the cores were busy, from /proc/stat) - (the command's own CPU time, from
// /usr/bin/time), over the wall time: in cores. On `taskset -c 0` runs only cpu0 is counted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HZ = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Busy seconds of all cores ("cpu") or one ("cpu0") since boot. */
function busySeconds(cpu) {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`${cpu} `));
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
  const busy = f.slice(0, 8).reduce((a, b) => a + b, 0) - f[3] - f[4];
  return busy / HZ;
}

const sleep = (s) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, s * 1000);

/** Cores other processes use now, over a few seconds. */
export function othersNow(cpu = 'cpu', seconds = 3) {
  const b0 = busySeconds(cpu);
  sleep(seconds);
  return (busySeconds(cpu) - b0) / seconds;
}

/** Waits until other processes use at most `max` cores (or `maxWait` seconds passed). Returns the seconds waited. */
export function waitForQuiet({ max = 0.3, cpu = 'cpu', maxWait = 1800, say = () => {} } = {}) {
  const t0 = Date.now();
  let said = false;
  for (;;) {
    const others = othersNow(cpu);
    const waited = (Date.now() - t0) / 1000;
    if (others <= max || waited >= maxWait) return waited;
    if (!said) say(`  waiting for a quieter machine (others use ${others.toFixed(2)} cores on ${cpu})`);
    said = true;
    sleep(10);
  }
}

/** Runs a command with spawnSync options; returns its result, wall seconds, own CPU seconds and others' cores. */
export function runMeasured(argv, options, cpu = 'cpu') {
  const dir = mkdtempSync(join(tmpdir(), 'ft-interference-'));
  const timeFile = join(dir, 'time');
  try {
    const b0 = busySeconds(cpu);
    const t0 = process.hrtime.bigint();
    const result = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, ...argv], options);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const busy = busySeconds(cpu) - b0;
    let own = 0;
    try {
      const m = /([\d.]+) ([\d.]+)\s*$/.exec(readFileSync(timeFile, 'utf8'));
      if (m) own = Number(m[1]) + Number(m[2]);
    } catch {
      // No time file: the command did not start; the caller sees its status.
    }
    return { result, wall, own, others: Math.max(0, (busy - own) / wall) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
