import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, read, readdirSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One GNU make jobserver for a whole Nx run: a fifo holding J one-byte
 * tokens. cargo and rustc are its clients: cargo takes a token for every job
 * beyond its first and hands the jobserver on to rustc, whose front-end
 * threads and LLVM workers take tokens too. Every cargo the run starts
 * shares the pool, so at most J jobs run at once across them all.
 *
 * make gives each child one implicit token; here each executor takes that
 * token from the pool before it starts cargo, so N cargos cannot hold N
 * implicit tokens on top of the J-1 in the pipe. The pool holds J tokens.
 */
export const JOBSERVER_ENV = 'FINE_THREADS_JOBSERVER';
const TOKEN = Buffer.from('+');

export interface Pool {
  path: string;
  jobs: number;
  /** Closes the run's end of the fifo and removes the file. */
  close(): void;
}

/** `<kind>-<pid of the process that holds it>-<ms>.fifo`: a later run can tell a dead owner's fifo. */
export function poolFileName(kind: string, ownerPid: number, now = Date.now()): string {
  return `${kind}-${ownerPid}-${now}.fifo`;
}

export function ownerOfPoolFile(name: string): number | undefined {
  const m = /^[a-z]+-(\d+)-\d+\.fifo$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Makes the fifo and fills it. The fd stays open in this process for the
 * run: a fifo loses its bytes when nobody has it open.
 */
export function createPool(dir: string, name: string, jobs: number): Pool {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name.endsWith('.fifo') ? name : `${name}.fifo`);
  rmSync(path, { force: true });
  execFileSync('mkfifo', ['-m', '600', path]);
  // O_RDWR never blocks on a fifo on Linux, and keeps it alive.
  const fd = openSync(path, constants.O_RDWR);
  writeSync(fd, Buffer.alloc(jobs, TOKEN[0]));
  let closed = false;
  return {
    path,
    jobs,
    close() {
      if (closed) return;
      closed = true;
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      rmSync(path, { force: true });
    },
  };
}

/**
 * The fifo form, for clients that only get a path. cargo gets the pipe form
 * instead (see client.ts); kept for callers that have no fds to hand over.
 */
export function makeflags(path: string, jobs: number): string {
  return `${jobs > 0 ? `-j${jobs}` : '-j'} --jobserver-auth=fifo:${path}`;
}

/** Parses this package's own variable: `fifo:PATH:J` (J = 0 when unknown). */
export function parseJobserverEnv(value: string | undefined): { path: string; jobs: number } | undefined {
  const m = value ? /^fifo:(.+):(\d+)$/.exec(value) : null;
  return m ? { path: m[1], jobs: Number(m[2]) } : undefined;
}

export function formatJobserverEnv(pool: { path: string; jobs: number }): string {
  return `fifo:${pool.path}:${pool.jobs}`;
}

/** A token held by this process; give it back exactly once. */
export interface Token {
  release(): void;
}

function openFifo(path: string, flags = 0): number | undefined {
  try {
    if (!statSync(path).isFIFO()) return undefined;
    // O_RDWR: opening one end alone of a fifo would block until the other is opened.
    return openSync(path, constants.O_RDWR | flags);
  } catch {
    return undefined;
  }
}

function heldToken(fd: number, byte: Buffer): Token {
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      try {
        // The byte read, back: make 4.4 gives some bytes a meaning.
        writeSync(fd, byte);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/**
 * Takes one token, waiting for it like any client would. Returns undefined
 * when the fifo is gone (the run that made it ended): the caller then runs
 * without the shared cap rather than hanging.
 */
export function acquireToken(path: string): Promise<Token | undefined> {
  const fd = openFifo(path);
  if (fd === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const buf = Buffer.alloc(1);
    read(fd, buf, 0, 1, null, (err, n) => {
      if (err || n !== 1) {
        closeSync(fd);
        resolve(undefined);
        return;
      }
      resolve(heldToken(fd, buf));
    });
  });
}

/** Takes one token if one is free right now, else undefined. */
export function tryAcquireToken(path: string): Token | undefined {
  // Our own open, so O_NONBLOCK is ours alone, not every client's.
  const fd = openFifo(path, constants.O_NONBLOCK);
  if (fd === undefined) return undefined;
  const buf = Buffer.alloc(1);
  let n = 0;
  try {
    n = readSync(fd, buf, 0, 1, null);
  } catch {
    // EAGAIN: none free
  }
  if (n !== 1) {
    closeSync(fd);
    return undefined;
  }
  return heldToken(fd, buf);
}

/**
 * Counts the tokens in the fifo (up to `max`) through `fd`, which must be
 * this process's own O_NONBLOCK open of it. Node has no FIONREAD, so it
 * reads them and writes the same bytes straight back, in one synchronous
 * step: a client reading meanwhile waits those microseconds. Only the
 * pool's owner does this, so a crash between the read and the write cannot
 * lose tokens of a pool that outlives it.
 */
export function countTokensThrough(fd: number, max: number): number {
  const buf = Buffer.alloc(max);
  let n = 0;
  try {
    n = readSync(fd, buf, 0, max, null);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
  }
  if (n > 0) writeSync(fd, buf, 0, n);
  return n;
}

/** `countTokensThrough` with an open of its own. */
export function countTokens(path: string, max: number): number | undefined {
  const fd = openFifo(path, constants.O_NONBLOCK);
  if (fd === undefined) return undefined;
  try {
    return countTokensThrough(fd, max);
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes fifos whose owner process is gone: runs that were killed before
 * they could remove their own. They block nothing (each run makes its
 * own), they only litter. A fifo of a live owner is kept however old (a
 * long run still needs it); names without an owner go after `olderThanMs`.
 * A refill's side files (refill.ts) go once their fifo has gone.
 */
export function removeStalePools(
  dir: string,
  olderThanMs: number,
  now = Date.now(),
  alive: (pid: number) => boolean = isAlive,
): { removed: number; owners: number[] } {
  const owners: number[] = [];
  let removed = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return { removed, owners };
  }
  for (const name of names) {
    // A refill's lock, stamp and wait marks (refill.ts) go with their fifo.
    const side = /^(.+\.fifo)\.(refill|refilled|wait-\d+)$/.exec(name);
    if (side && !names.includes(side[1])) rmSync(join(dir, name), { force: true });
    if (!name.endsWith('.fifo')) continue;
    const path = join(dir, name);
    const owner = ownerOfPoolFile(name);
    try {
      const stale = owner !== undefined ? !alive(owner) : now - statSync(path).mtimeMs > olderThanMs;
      if (!stale) continue;
      rmSync(path, { force: true });
      removed++;
      if (owner !== undefined) owners.push(owner);
    } catch {
      // gone meanwhile
    }
  }
  return { removed, owners };
}
