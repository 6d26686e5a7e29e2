/**
 * The jobserver's own token accounting, read from a trace of the pool: how
 * many of its J tokens were out (held by executors for their cargo, by
 * cargo for its jobs beyond the first, by rustc for its extra front-end
 * threads and LLVM workers, by make for its jobs) at each moment. Pure.
 *
 * What it shows and what it cannot: a token out is a token some client
 * holds; which client holds it is not in the pool, and a thread that ran
 * without taking a token would not show at all. Tests tell holders apart
 * by running one client at a time.
 *
 * Trace format: a header `# fine-threads jobserver trace jobs=J`, then one
 * line per change, `<unix time in ns> <tokens in the fifo>`, and once the
 * run has ended, `# end max-in-use=N max-available=M samples=K available=A`
 * and the end-of-run note, if any, as `# note <text>`.
 */
export interface TokenSample {
  /** Unix time, ns. */
  t: bigint;
  /** Tokens in the fifo at that moment. */
  available: number;
}

export interface TraceEnd {
  maxInUse: number;
  maxAvailable: number;
  samples: number;
  /** Tokens in the fifo when the run ended. */
  available: number;
  note?: string;
}

export interface TokenTrace {
  jobs: number;
  samples: TokenSample[];
  /** Written by the pool's holder once the run's nx has exited; absent until then. */
  end?: TraceEnd;
}

export function traceHeader(jobs: number): string {
  return `# fine-threads jobserver trace jobs=${jobs}\n`;
}

export function traceLine(s: TokenSample): string {
  return `${s.t} ${s.available}\n`;
}

/** The trace's last lines, from the sampler's summary: `minAvailable` etc. as the sampler counts them. */
export function traceEnd(jobs: number, s: { samples: number; minAvailable: number; maxAvailable: number; lastAvailable: number }, note?: string): string {
  const end = `# end max-in-use=${jobs - s.minAvailable} max-available=${s.maxAvailable} samples=${s.samples} available=${s.lastAvailable}\n`;
  return note ? `${end}# note ${note}\n` : end;
}

export function parseTrace(text: string): TokenTrace {
  const header = /^# fine-threads jobserver trace jobs=(\d+)$/m.exec(text);
  if (!header) throw new Error('not a fine-threads jobserver trace');
  const samples: TokenSample[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\d+)$/.exec(line);
    if (m) samples.push({ t: BigInt(m[1]), available: Number(m[2]) });
  }
  const trace: TokenTrace = { jobs: Number(header[1]), samples };
  const end = /^# end max-in-use=(-?\d+) max-available=(-?\d+) samples=(\d+) available=(-?\d+)$/m.exec(text);
  if (end) {
    const [maxInUse, maxAvailable, n, available] = end.slice(1).map(Number);
    trace.end = { maxInUse, maxAvailable, samples: n, available };
    const note = /^# note (.+)$/m.exec(text);
    if (note) trace.end.note = note[1];
  }
  return trace;
}

export function inUse(trace: TokenTrace, s: TokenSample): number {
  return trace.jobs - s.available;
}

/** The samples in effect during [from, to]: the last one at or before `from`, and every one after it up to `to`. */
export function samplesDuring(trace: TokenTrace, from: bigint, to: bigint): TokenSample[] {
  const out: TokenSample[] = [];
  let before: TokenSample | undefined;
  for (const s of trace.samples) {
    if (s.t <= from) before = s;
    else if (s.t <= to) out.push(s);
  }
  return before ? [before, ...out] : out;
}

/** Most tokens out at once, over the whole trace or during [from, to]; -1 without samples. */
export function maxInUse(trace: TokenTrace, from?: bigint, to?: bigint): number {
  const samples = from !== undefined && to !== undefined ? samplesDuring(trace, from, to) : trace.samples;
  return samples.reduce((max, s) => Math.max(max, inUse(trace, s)), -1);
}

/** Most tokens ever in the fifo: more than J means a client gave back a token it never took. */
export function maxAvailable(trace: TokenTrace): number {
  return trace.samples.reduce((max, s) => Math.max(max, s.available), -1);
}

/** What is left at the end of a run: tokens still out (lost, if every client has exited) or surplus. */
export function endOfRunNote(jobs: number, available: number): string | undefined {
  if (available < jobs) {
    const n = jobs - available;
    return `fine-threads: ${n} of ${jobs} jobserver tokens ${n === 1 ? 'was' : 'were'} not given back by the end of the run (a task was killed while holding ${n === 1 ? 'it' : 'them'}); the next run starts with all ${jobs}.`;
  }
  if (available > jobs) {
    return `fine-threads: the jobserver held ${available} tokens at the end of the run, more than its ${jobs}: a client gave back tokens it never took.`;
  }
  return undefined;
}
