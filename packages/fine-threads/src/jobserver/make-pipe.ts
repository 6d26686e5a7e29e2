import { fdAccessMode, fdTarget, parentOf } from '../system/proc';

/**
 * Under `make -jN` (make 4.3 and older), MAKEFLAGS names the jobserver as
 * two inherited fds, `--jobserver-auth=R,W`. They reach `nx` itself (with a
 * `+` rule), but not Nx's task processes: Node hands a child only its
 * stdio and IPC channel, and the IPC channel takes fd 3. So the run looks
 * for the pipe in its ancestors (nx, then make itself) and names it by a
 * path, `/proc/PID/fd/R`: opening that gives a new handle on the same pipe
 * (Linux only). The pipe must be the same at R and W, readable at R and
 * writable at W, so that an fd that merely has the number is not taken for
 * it.
 */

function pipeOf(pid: number, fd: number): string | undefined {
  const target = fdTarget(pid, fd);
  return target !== undefined && /^pipe:\[\d+\]$/.test(target) ? target : undefined;
}

/** Whether `pid` holds a jobserver pipe at `read`,`write`. */
export function holdsPipe(pid: number, read: number, write: number): boolean {
  const r = pipeOf(pid, read);
  if (!r || r !== pipeOf(pid, write)) return false;
  const rm = fdAccessMode(pid, read);
  const wm = fdAccessMode(pid, write);
  return (rm === 0 || rm === 2) && (wm === 1 || wm === 2);
}

/**
 * A path to make's jobserver pipe, valid while the process holding it
 * lives (make outlives the Nx run it started), or undefined when no
 * ancestor holds it (or there is no /proc).
 */
export function findMakePipe(read: number, write: number, from = process.pid, depth = 12): string | undefined {
  let pid: number | undefined = from;
  for (let i = 0; pid !== undefined && i < depth; i++) {
    if (holdsPipe(pid, read, write)) return `/proc/${pid}/fd/${read}`;
    pid = parentOf(pid);
  }
  return undefined;
}
