/**
 * How busy the machine was with other work while a build ran: the CPU seconds all cores spent
 * (from /proc/stat) minus those of the build itself (this process and the children it waited
 * for: cargo, and through cargo every rustc and build script), over the wall time, in cores.
 * Steal (time the hypervisor gave to other guests) is kept apart: it slows a build the same way
 * but no process here shows it. A build that ran beside a second build, a test suite or a
 * browser is slower for reasons no thread table can fix; the tuner and the guard leave it out.
 *
 * The parsers are pure; /proc is read through system/proc.ts.
 */
import { parseStatFields, procText } from '../system/proc';

/** CPU seconds since boot, summed over all cores, from /proc/stat's `cpu` line. */
export interface CpuTimes {
  /** user + nice + system + irq + softirq: work done by something on this machine. */
  busy: number;
  steal: number;
}

/** What a record says of the machine during its build, in cores (0.5 = half a core on average). */
export interface BuildLoad {
  /** Cores busy with processes other than this build's. */
  others: number;
  /** Cores taken by the hypervisor (steal). */
  steal: number;
}

/** Parses /proc/stat's aggregate `cpu` line; `hz` is the kernel's clock ticks per second (USER_HZ). */
export function parseProcStat(text: string, hz = 100): CpuTimes | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 8 || f.some((x) => !Number.isFinite(x))) return undefined;
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const [user, nice, system, , , irq, softirq, steal] = f;
  return { busy: (user + nice + system + irq + softirq) / hz, steal: steal / hz };
}

/** CPU seconds of a process's waited-for children (cutime + cstime) from its /proc/<pid>/stat. */
export function parseChildrenCpu(stat: string, hz = 100): number | undefined {
  const rest = parseStatFields(stat);
  // Fields 16 and 17 (cutime, cstime) are the 14th and 15th after the name.
  const cutime = Number(rest[13]);
  const cstime = Number(rest[14]);
  if (!Number.isFinite(cutime) || !Number.isFinite(cstime)) return undefined;
  return (cutime + cstime) / hz;
}

/** The load over a span, from readings at its start and end. Never negative (clock-tick rounding). */
export function loadBetween(
  start: { cpu: CpuTimes; own: number; at: number },
  end: { cpu: CpuTimes; own: number; at: number },
): BuildLoad | undefined {
  const wall = (end.at - start.at) / 1000;
  if (!(wall > 0)) return undefined;
  const busy = end.cpu.busy - start.cpu.busy;
  const own = end.own - start.own;
  const round = (x: number) => Math.round(Math.max(0, x) * 1000) / 1000;
  return { others: round((busy - own) / wall), steal: round((end.cpu.steal - start.cpu.steal) / wall) };
}

// Linux's USER_HZ is 100 on every architecture Node runs on (the /proc ABI fixes it).
const HZ = 100;

/** CPU seconds of this process and of the children it has reaped (cargo, and all cargo waited for). */
export function ownCpuSeconds(): number | undefined {
  const stat = procText('/proc/self/stat');
  // Not Linux, or /proc not mounted: the record has no load.
  const children = stat === undefined ? undefined : parseChildrenCpu(stat, HZ);
  if (children === undefined) return undefined;
  const self = process.cpuUsage();
  return children + (self.user + self.system) / 1e6;
}

function reading(): { cpu: CpuTimes; own: number; at: number } | undefined {
  const stat = procText('/proc/stat');
  const cpu = stat === undefined ? undefined : parseProcStat(stat, HZ);
  const own = ownCpuSeconds();
  return cpu && own !== undefined ? { cpu, own, at: Date.now() } : undefined;
}

/**
 * Starts measuring; `stop()` returns the load since, or undefined where /proc cannot be read.
 * A child's CPU time reaches this process's counters only once the child is reaped, so stop
 * after cargo has exited.
 */
export function startLoadMeter(): { stop(): BuildLoad | undefined } {
  const start = reading();
  return {
    stop: () => {
      const end = reading();
      return start && end ? loadBetween(start, end) : undefined;
    },
  };
}
