// How much of the machine other processes took while a measured command ran, for the benches
// that compare timings on this shared machine (simulator-check, frontend-curve).
// others = (CPU time the cores were busy, from /proc/stat) - (the command's own CPU time, from
// /usr/bin/time), over the wall time: in cores. On `taskset -c 0` runs only cpu0 is counted.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Raises this bench's CPU share over the other processes on the machine. Linux shares the CPU
 * between sessions first (autogroups), so a plain `nice` does nothing against another session's
 * load: this re-runs the bench in a session of its own (setsid) and sets that session's autogroup
 * nice (negative values need root). Affects this bench and the builds it starts, nothing else.
 * Returns only in the re-run process (or when there is no autogroup); the first one exits with it.
 */
export function ownSessionWithNice(nice, say = () => {}) {
  if (nice === undefined || !existsSync('/proc/self/autogroup')) return;
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const sid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
  if (sid !== process.pid) {
    const r = spawnSync('setsid', ['--wait', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  writeFileSync('/proc/self/autogroup', String(nice));
  say(`  this bench runs in its own session, ${readFileSync('/proc/self/autogroup', 'utf8').trim()}`);
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
