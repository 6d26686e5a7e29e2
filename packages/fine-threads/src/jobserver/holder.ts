import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { childrenOf } from '../system/proc';

/**
 * The process that keeps a run's fifo alive: a fifo loses its bytes when nobody has it open,
 * and the executor that made the pool may end long before the run does. The holder gets the
 * fifo as its fd 3, waits for the run's `nx` process to exit, then removes the fifo.
 *
 * It is started through a shell that puts it in the background and exits at once, so it is
 * no descendant of the executor: Nx kills a cancelled task's process tree, and the pool must
 * outlive any one task. It ignores SIGINT and SIGHUP (Ctrl-C reaches the whole process group;
 * it waits for nx itself to go) and removes the fifo on SIGTERM.
 *
 * The plain holder is `sh` and GNU `tail --pid` (a poll every 0.2 s, no process per poll),
 * with a `kill -0` loop where tail has no --pid. With FINE_THREADS_JOBSERVER_TRACE set, the
 * holder is Node instead (trace-holder.ts), which also samples the pool.
 */
const PLAIN = [
  "trap '' INT HUP",
  // In the background, so that SIGTERM interrupts the wait.
  'tail --pid="$1" -s 0.2 -f /dev/null 2>/dev/null &',
  't=$!',
  'trap \'kill "$t" 2>/dev/null; rm -f "$2"; exit 0\' TERM',
  'wait "$t" || while kill -0 "$1" 2>/dev/null; do sleep 1; done',
  'rm -f "$2"',
].join('\n');

export interface HolderSpec {
  /** The run's nx process: the pool lives until it exits. */
  owner: number;
  /** Where the fifo will be found; removed when the owner is gone. */
  path: string;
  jobs: number;
  /** Trace the pool's tokens into this file (see sampler.ts). */
  traceFile?: string;
}

/** Starts the holder with `fd` (the fifo, open read-write) as its fd 3; returns its pid, if known. */
export function startHolder(fd: number, spec: HolderSpec): number | undefined {
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const inner = spec.traceFile
    ? `exec ${q(process.execPath)} ${q(join(__dirname, 'trace-holder.js'))} "$1" "$2" ${spec.jobs} ${q(spec.traceFile)}`
    : PLAIN;
  // `( … ) &` in a non-interactive sh: no job control, so the holder also starts with SIGINT ignored.
  const script = `(\n${inner}\n) </dev/null >/dev/null 2>&1 &\necho $!`;
  const r = spawnSync('/bin/sh', ['-c', script, 'fine-threads-jobserver', String(spec.owner), spec.path], {
    stdio: ['ignore', 'pipe', 'ignore', fd],
    encoding: 'utf8',
  });
  if (r.error || r.status !== 0) throw new Error(`could not start the jobserver's holder: ${r.error?.message ?? `sh exited ${r.status}`}`);
  const pid = Number(r.stdout.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Stops a holder without its clean-up (SIGKILL: its TERM trap would remove the fifo at its
 * path, which another holder may own), with the tail or sleep it waits in.
 */
export function killHolder(pid: number): void {
  for (const p of [pid, ...childrenOf(pid)]) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
