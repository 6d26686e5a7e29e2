import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { traceHeader, traceLine } from './accounting';
import { countTokensThrough } from './pool';

/** Set to a file path to trace the run's pool: `FINE_THREADS_JOBSERVER_TRACE=/tmp/tokens.trace nx run-many ...`. */
export const TRACE_ENV = 'FINE_THREADS_JOBSERVER_TRACE';

export interface SamplerSummary {
  samples: number;
  /** Fewest tokens seen in the fifo (J minus this = most out at once). */
  minAvailable: number;
  maxAvailable: number;
}

export interface Sampler {
  stop(): SamplerSummary;
}

function nowNs(): bigint {
  // Unix time with µs resolution, to line up with `date +%s%N` in other processes.
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e3)) * 1000n;
}

/**
 * Counts the pool's tokens every `intervalMs` and writes each change to
 * `traceFile`. Runs in the process that owns the pool (see
 * `countTokensThrough`). Reads up to 2J+1 tokens, so a pool that grew past
 * J shows as such.
 */
export function startSampler(poolPath: string, jobs: number, traceFile: string, intervalMs = 1): Sampler {
  const fifo = openSync(poolPath, constants.O_RDWR | constants.O_NONBLOCK);
  const out = openSync(traceFile, 'w');
  writeSync(out, traceHeader(jobs));
  const summary: SamplerSummary = { samples: 0, minAvailable: Number.MAX_SAFE_INTEGER, maxAvailable: -1 };
  let last = -1;
  const sample = () => {
    const available = countTokensThrough(fifo, 2 * jobs + 1);
    summary.samples++;
    summary.minAvailable = Math.min(summary.minAvailable, available);
    summary.maxAvailable = Math.max(summary.maxAvailable, available);
    if (available !== last) {
      writeSync(out, traceLine({ t: nowNs(), available }));
      last = available;
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  let stopped = false;
  return {
    stop() {
      if (!stopped) {
        stopped = true;
        clearInterval(timer);
        sample();
        closeSync(fifo);
        closeSync(out);
      }
      return summary;
    },
  };
}
