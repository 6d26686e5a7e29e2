/**
 * The holder of a traced pool (FINE_THREADS_JOBSERVER_TRACE, see holder.ts):
 *   node trace-holder.js <owner pid> <fifo path> <J> <trace file>, with the fifo as fd 3.
 * Samples the pool until the run's nx process exits, then writes the trace's end line (the
 * most tokens ever out, and what was not given back) and removes the fifo.
 */
import { rmSync } from 'node:fs';
import { endOfRunNote, traceEnd } from './accounting';
import { isAlive } from './pool';
import { startSampler } from './sampler';

const [owner, path, jobsArg, traceFile] = process.argv.slice(2);
const jobs = Number(jobsArg);
// A new open of fd 3's fifo, non-blocking for counting (Linux; tracing is a diagnostic).
const sampler = startSampler('/proc/self/fd/3', jobs, traceFile);
let finished = false;
const finish = () => {
  if (finished) return;
  finished = true;
  sampler.stop((summary) => traceEnd(jobs, summary, endOfRunNote(jobs, summary.lastAvailable)));
  rmSync(path, { force: true });
  process.exit(0);
};
// Ctrl-C reaches the whole process group: the pool stays until nx itself has gone.
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
process.on('SIGTERM', finish);
setInterval(() => {
  if (!isAlive(Number(owner))) finish();
}, 50);
