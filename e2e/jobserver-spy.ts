import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A rustc spy for the jobserver specs: put its directory first on PATH and
 * every compile (not cargo's `___` probes) logs its start and end (ns, from
 * `date +%s%N`, the clock the pool's trace uses too) to $SPY_LOG, with what
 * the compile got as fd 3 (the jobserver, in the pipe form). With
 * $SPY_SLEEP it first sleeps that long, holding its job, so that jobs
 * overlap on any machine.
 */
export function writeRustcSpy(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'rustc');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      'name=; prev=',
      'for a do [ "$prev" = --crate-name ] && name=$a; prev=$a; done',
      'real=$(rustup which rustc)',
      'case $name in ""|___) exec "$real" "$@" ;; esac',
      'echo "start $(date +%s%N) $name $$ $(readlink /proc/$$/fd/3)" >> "$SPY_LOG"',
      '[ -n "$SPY_SLEEP" ] && sleep "$SPY_SLEEP"',
      '"$real" "$@"; rc=$?',
      'echo "end $(date +%s%N) $name $$" >> "$SPY_LOG"',
      'exit $rc',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return dir;
}

export interface Compile {
  name: string;
  pid: string;
  start: bigint;
  end: bigint;
  /** What its fd 3 was: the jobserver's fifo or pipe. */
  fd3: string;
}

export function readSpyLog(log: string): Compile[] {
  const open = new Map<string, Compile>();
  const done: Compile[] = [];
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const [kind, ns, name, pid, fd3 = ''] = line.split(' ');
    if (kind === 'start') open.set(pid, { name, pid, start: BigInt(ns), end: -1n, fd3 });
    if (kind === 'end' && open.has(pid)) {
      const c = open.get(pid) as Compile;
      open.delete(pid);
      done.push({ ...c, end: BigInt(ns) });
    }
  }
  return done;
}

/** Most compiles running at once. */
export function maxConcurrent(compiles: Compile[]): number {
  const events = compiles
    .flatMap((c) => [
      { t: c.start, d: 1 },
      { t: c.end, d: -1 },
    ])
    // Ends before starts at the same instant.
    .sort((a, b) => (a.t === b.t ? a.d - b.d : a.t < b.t ? -1 : 1));
  let now = 0;
  let max = 0;
  for (const e of events) {
    now += e.d;
    max = Math.max(max, now);
  }
  return max;
}

/**
 * The stretches when `name` was the only compile running, each shrunk by
 * `marginNs` at both ends (a job's token is taken a little before its
 * process logs its start, and given back a little after it logs its end),
 * and only those still `minNs` long.
 */
export function aloneWindows(compiles: Compile[], name: string, marginNs: bigint, minNs: bigint): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (const c of compiles.filter((x) => x.name === name)) {
    let pieces: [bigint, bigint][] = [[c.start, c.end]];
    for (const o of compiles) {
      if (o === c) continue;
      pieces = pieces.flatMap(([a, b]): [bigint, bigint][] => {
        if (o.end <= a || o.start >= b) return [[a, b]];
        const left: [bigint, bigint][] = o.start > a ? [[a, o.start]] : [];
        const right: [bigint, bigint][] = o.end < b ? [[o.end, b]] : [];
        return [...left, ...right];
      });
    }
    for (const [a, b] of pieces) {
      if (b - a - 2n * marginNs >= minNs) out.push([a + marginNs, b - marginNs]);
    }
  }
  return out;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `ok()` holds, for at most `ms`; returns whether it did. */
export async function waitUntil(ok: () => boolean, ms = 10_000): Promise<boolean> {
  for (let t = 0; t < ms && !ok(); t += 50) await pause(50);
  return ok();
}

/**
 * The pool's trace once its holder has written the end line, which it does when the run's
 * nx has exited (within 50 ms of it): `read` returns the file's text, or '' while absent.
 */
export async function finishedTrace(read: () => string, ms = 10_000): Promise<string> {
  let text = '';
  await waitUntil(() => /^# end /m.test((text = read())), ms);
  return text;
}
