/**
 * Linux's /proc, read in one place. Every reader answers undefined (or empty) when the process
 * is gone meanwhile or there is no /proc (not Linux), and never throws: callers treat that as
 * "cannot tell", each in its own way. The parsers of the text are pure and exported for tests.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

type Pid = number | 'self';

/** A /proc file's text, or undefined. */
export function procText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The fields of a /proc/<pid>/stat line after the command name, which may hold spaces and
 * parentheses: index 0 is field 3 (state), so field N is at N - 3.
 */
export function parseStatFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).trim().split(' ');
}

function statFields(pid: Pid, tid?: number): string[] | undefined {
  const text = procText(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`);
  return text === undefined ? undefined : parseStatFields(text);
}

/** Field 4, the parent's pid. */
export function parentOf(pid: Pid): number | undefined {
  const ppid = Number(statFields(pid)?.[1]);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
}

/** Field 22, the start time in clock ticks since boot: with the pid, names one process for good. */
export function startTimeOf(pid: Pid): string | undefined {
  return statFields(pid)?.[19];
}

/** Fields 14 and 15, user and system time in clock ticks (USER_HZ, 100 on Linux). */
export function cpuTicksOf(pid: Pid): number | undefined {
  const f = statFields(pid);
  if (!f) return undefined;
  const ticks = Number(f[11]) + Number(f[12]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/** The argument vector. */
export function cmdlineOf(pid: Pid): string[] | undefined {
  const text = procText(`/proc/${pid}/cmdline`);
  if (text === undefined) return undefined;
  return (text.endsWith('\0') ? text.slice(0, -1) : text).split('\0');
}

/** The children of a process's main thread (where Linux lists them). */
export function childrenOf(pid: number): number[] {
  const text = procText(`/proc/${pid}/task/${pid}/children`);
  return text === undefined ? [] : text.split(/\s+/).filter(Boolean).map(Number);
}

/** Every process the caller may see. */
export function allPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e))
      .map(Number);
  } catch {
    return [];
  }
}

/** `pid` and every process below it (a rustup proxy or a wrapper may stand between), from one scan. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of allPids()) {
    const parent = parentOf(p);
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), p]);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/** Where a process's fd points (a path, `pipe:[N]`, …). */
export function fdTarget(pid: Pid, fd: number | string): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/** O_ACCMODE of a process's fd: 0 read, 1 write, 2 both. */
export function fdAccessMode(pid: Pid, fd: number): number | undefined {
  const m = /^flags:\s*([0-7]+)$/m.exec(procText(`/proc/${pid}/fdinfo/${fd}`) ?? '');
  return m ? parseInt(m[1], 8) & 3 : undefined;
}

/** The processes among `pids` that have `path` open (by the path they opened it under). */
export function processesWithOpen(path: string, pids: readonly number[] = allPids()): number[] {
  const out: number[] = [];
  for (const p of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${p}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    if (fds.some((fd) => fdTarget(p, fd) === path)) out.push(p);
  }
  return out;
}

/** A thread as the scheduler sees it: its state letter (R running, S sleeping, D in I/O, …) and where it sleeps. */
export interface ThreadState {
  tid: number;
  state: string;
  /** The kernel function it waits in (`pipe_read`, `do_sys_poll`, …); '0' or '' when running. */
  wchan: string;
}

/** Every thread of a process. */
export function threadsOf(pid: number): ThreadState[] | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const out: ThreadState[] = [];
  for (const t of tids) {
    const tid = Number(t);
    const state = statFields(pid, tid)?.[0];
    if (state === undefined) continue;
    out.push({ tid, state, wchan: procText(`/proc/${pid}/task/${tid}/wchan`) ?? '' });
  }
  return out;
}

/** How many threads a process runs now. */
export function threadCount(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return undefined;
  }
}
