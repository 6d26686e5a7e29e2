import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, read, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One GNU make jobserver (the fifo form of make 4.4) for a whole Nx run.
 * cargo and rustc are its clients: cargo finds it in MAKEFLAGS and takes a
 * token for every job beyond its first, and hands it on to rustc, whose
 * front-end threads and LLVM workers take tokens too. Every cargo the run
 * starts shares the pool, so at most J jobs run at once across them all.
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

/**
 * Makes the fifo and fills it. The fd stays open in this process for the
 * run: a fifo loses its bytes when nobody has it open.
 */
export function createPool(dir: string, name: string, jobs: number): Pool {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.fifo`);
  rmSync(path, { force: true });
  execFileSync('mkfifo', ['-m', '600', path]);
  // O_RDWR never blocks on a fifo on Linux, and keeps it alive.
  const fd = openSync(path, constants.O_RDWR);
  writeSync(fd, Buffer.alloc(jobs, TOKEN[0]));
  return {
    path,
    jobs,
    close() {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      rmSync(path, { force: true });
    },
  };
}

/** What cargo reads to join the pool (the jobserver crate reads MAKEFLAGS and CARGO_MAKEFLAGS). */
export function makeflags(path: string, jobs: number): string {
  return `-j${jobs} --jobserver-auth=fifo:${path}`;
}

/** Parses this package's own variable: `fifo:PATH:J`. */
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

/**
 * Takes one token, waiting for it like any client would. Returns undefined
 * when the fifo is gone (the run that made it ended): the caller then runs
 * without the shared cap rather than hanging.
 */
export function acquireToken(path: string): Promise<Token | undefined> {
  let fd: number;
  try {
    if (!statSync(path).isFIFO()) return Promise.resolve(undefined);
    fd = openSync(path, constants.O_RDWR);
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const buf = Buffer.alloc(1);
    read(fd, buf, 0, 1, null, (err, n) => {
      if (err || n !== 1) {
        closeSync(fd);
        resolve(undefined);
        return;
      }
      let released = false;
      resolve({
        release() {
          if (released) return;
          released = true;
          try {
            writeSync(fd, buf);
          } finally {
            closeSync(fd);
          }
        },
      });
    });
  });
}

/** Removes fifos left by runs that were killed; they block nothing, they only litter. */
export function removeStalePools(dir: string, olderThanMs: number, now = Date.now()): number {
  let removed = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.endsWith('.fifo')) continue;
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs > olderThanMs) {
        rmSync(path, { force: true });
        removed++;
      }
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}
