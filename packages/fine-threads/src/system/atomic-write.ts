import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a whole file so that a reader sees the old content or the new, never
 * half: written beside it under a name of this process, then renamed over it
 * (rename is atomic within a directory). A failed write leaves no temp file.
 */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));
const sleepMs = (ms: number) => Atomics.wait(pause, 0, 0, ms);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding `<file>.lock` (made with O_EXCL, holding the owner's pid), so
 * writers of one file in parallel processes take turns. A lock whose owner is
 * dead is taken over; after `waitMs` the caller goes ahead without it (a record
 * must never hang a build) and `fn` is told so.
 */
export function withFileLock<T>(file: string, fn: (locked: boolean) => T, waitMs = 5000): T {
  const lock = `${file}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + waitMs;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, String(process.pid));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') break;
      let owner = NaN;
      try {
        owner = Number(readFileSync(lock, 'utf8'));
      } catch {
        // removed meanwhile: try again
      }
      // A pid not yet written reads as 0/NaN: give its owner a moment.
      if (owner > 0 && !alive(owner)) rmSync(lock, { force: true });
      else if (Date.now() > deadline) break;
      else sleepMs(5);
    }
  }
  try {
    return fn(fd !== undefined);
  } finally {
    if (fd !== undefined) {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
}
