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
  /** Tokens in the fifo at the last sample. */
  lastAvailable: number;
}

export interface Sampler {
  /** Stops after one last sample; `trailer`'s text, if given, ends the trace. */
  stop(trailer?: (summary: SamplerSummary) => string): SamplerSummary;
}

function nowNs(): bigint {
  // Unix time with µs resolution, to line up with `date +%s%N` in other processes.
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e3)) * 1000n;
}

/**
 * Counts the pool's tokens every `intervalMs` and writes each change to
 * `traceFile`. Runs in the pool's holder (see `countTokensThrough` and
 * trace-holder.ts). Reads up to 2J+1 tokens, so a pool that grew past
 * J shows as such.
 */
export function startSampler(poolPath: string, jobs: number, traceFile: string, intervalMs = 1): Sampler {
  const fifo = openSync(poolPath, constants.O_RDWR | constants.O_NONBLOCK);
  const out = openSync(traceFile, 'w');
  writeSync(out, traceHeader(jobs));
  const summary: SamplerSummary = { samples: 0, minAvailable: Number.MAX_SAFE_INTEGER, maxAvailable: -1, lastAvailable: -1 };
  let last = -1;
  const sample = () => {
    const available = countTokensThrough(fifo, 2 * jobs + 1);
    summary.samples++;
    summary.minAvailable = Math.min(summary.minAvailable, available);
    summary.maxAvailable = Math.max(summary.maxAvailable, available);
    summary.lastAvailable = available;
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
    stop(trailer) {
      if (!stopped) {
        stopped = true;
        clearInterval(timer);
        sample();
        closeSync(fifo);
        // Through the open file: a trace whose directory was removed meanwhile is not made again.
        if (trailer) writeSync(out, trailer(summary));
        closeSync(out);
      }
      return summary;
    },
  };
}
