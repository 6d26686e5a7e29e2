/**
 * MAKEFLAGS as GNU make and the jobserver crate read it. Pure: no I/O.
 *
 * Two forms name a jobserver: `--jobserver-auth=R,W` (inherited pipe fds;
 * make 4.2+, and `--jobserver-fds=R,W` before 4.2) and
 * `--jobserver-auth=fifo:PATH` (make 4.4+). The last `--jobserver-auth=`
 * wins, `--jobserver-fds=` only counts when there is none (make 4.3 treats
 * both as one option, the jobserver crate prefers `-auth`).
 */
export type JobserverAuth = { kind: 'fifo'; path: string } | { kind: 'fds'; read: number; write: number };

export interface OuterJobserver {
  auth: JobserverAuth;
  /** make's `-jN`, when MAKEFLAGS carries it. */
  jobs?: number;
}

function words(makeflags: string): string[] {
  // Options come before ` -- `, variable assignments after it.
  return makeflags.split(' -- ')[0].split(/\s+/).filter((w) => w.length > 0);
}

function lastValue(ws: string[], prefix: string): string | undefined {
  const hits = ws.filter((w) => w.startsWith(prefix));
  return hits.length > 0 ? hits[hits.length - 1].slice(prefix.length) : undefined;
}

/** The jobserver MAKEFLAGS names, if any. A malformed or negative one (make's "disabled") counts as none. */
export function parseMakeflags(makeflags: string | undefined): OuterJobserver | undefined {
  if (!makeflags) return undefined;
  const ws = words(makeflags);
  const value = lastValue(ws, '--jobserver-auth=') ?? lastValue(ws, '--jobserver-fds=');
  if (value === undefined) return undefined;
  const j = lastValue(ws, '-j');
  const jobs = j && /^\d+$/.test(j) && Number(j) > 0 ? Number(j) : undefined;
  if (value.startsWith('fifo:')) {
    const path = value.slice('fifo:'.length);
    return path ? { auth: { kind: 'fifo', path }, jobs } : undefined;
  }
  const m = /^(\d+),(\d+)$/.exec(value);
  return m ? { auth: { kind: 'fds', read: Number(m[1]), write: Number(m[2]) }, jobs } : undefined;
}

/** Fds where cargo finds the jobserver: its fds 3 and 4, handed over as extra stdio. */
export const CARGO_JOBSERVER_FDS = { read: 3, write: 4 } as const;

/**
 * The pipe form, which every client reads: make 3.8x to 4.4, the jobserver
 * crate (cargo, rustc, cc-rs), ninja. `--jobserver-fds` too, as the
 * jobserver crate itself writes it, for makes older than 4.2.
 */
export function pipeMakeflags(jobs: number | undefined, fds: { read: number; write: number } = CARGO_JOBSERVER_FDS): string {
  const pair = `${fds.read},${fds.write}`;
  return `${jobs ? `-j${jobs}` : '-j'} --jobserver-fds=${pair} --jobserver-auth=${pair}`;
}

/**
 * The user's MAKEFLAGS with its jobserver replaced by ours: other flags
 * (`-k`, `-s`, variable assignments) reach the makes of build scripts
 * unchanged.
 */
export function replaceJobserver(makeflags: string | undefined, ours: string): string {
  if (!makeflags || !makeflags.trim()) return ours;
  const [options, ...rest] = makeflags.split(' -- ');
  const kept = options
    .split(/\s+/)
    .filter((w) => w.length > 0 && !/^-j\d*$/.test(w) && !/^--jobserver-(auth|fds)=/.test(w));
  const head = [...kept, ours].join(' ');
  return rest.length > 0 ? [head, ...rest].join(' -- ') : head;
}
