import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { withFileLock, writeFileAtomic } from '../system/atomic-write';

/**
 * Build records, one JSON object per line, in one file under the Nx
 * workspace: `.fine-threads/records.jsonl`. Appending a whole line with one
 * write keeps earlier records readable if a build is killed; a torn last
 * line is skipped on read. The file is kept under MAX_BYTES by dropping the
 * oldest half when it grows past it.
 */
export const RECORDS_DIR = '.fine-threads';
export const RECORDS_FILE = 'records.jsonl';
export const RECORD_VERSION = 1;
export const MAX_BYTES = 8 * 1024 * 1024;

export function recordsPath(workspaceRoot: string): string {
  return join(workspaceRoot, RECORDS_DIR, RECORDS_FILE);
}

/**
 * Appends under the file's lock: a compaction (read, then rename over) in
 * another task can then never drop a line appended meanwhile.
 */
export function appendRecord(file: string, record: object, maxBytes = MAX_BYTES): void {
  withFileLock(file, (locked) => {
    appendLine(file, record);
    // Without the lock only appending is safe: compaction waits for a build that gets it.
    if (locked && statSync(file).size > maxBytes) compact(file, maxBytes / 2);
  });
}

function appendLine(file: string, record: object): void {
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'a+');
  try {
    // After a torn write the file ends mid-line: start on a fresh one.
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    writeSync(fd, `${torn ? '\n' : ''}${JSON.stringify(record)}\n`);
  } finally {
    closeSync(fd);
  }
}

/** Keeps the newest whole lines that fit in `keepBytes`; written aside, then renamed over. */
function compact(file: string, keepBytes: number): void {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  const kept: string[] = [];
  let size = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    size += Buffer.byteLength(lines[i]) + 1;
    if (size > keepBytes) break;
    kept.unshift(lines[i]);
  }
  writeFileAtomic(file, kept.map((l) => `${l}\n`).join(''));
}

export interface ReadResult<T> {
  records: T[];
  /** Lines that were not records of this version: torn, corrupt or foreign. */
  skipped: number;
  /** The first skipped line's number (1-based) and why it was skipped. */
  firstSkipped?: string;
}

/**
 * Every line that parses and that `problem` (a schema check) has nothing against; without
 * `problem`, every object of this record version.
 */
export function readRecords<T extends { v: number }>(file: string, problem?: (value: unknown) => string | undefined): ReadResult<T> {
  if (!existsSync(file)) return { records: [], skipped: 0 };
  const records: T[] = [];
  let skipped = 0;
  let firstSkipped: string | undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim().length === 0) continue;
    let why: string | undefined;
    try {
      const parsed = JSON.parse(line) as T;
      why = problem
        ? problem(parsed)
        : parsed && typeof parsed === 'object' && parsed.v === RECORD_VERSION
          ? undefined
          : 'not a record of this version';
      if (why === undefined) records.push(parsed);
    } catch {
      why = 'not JSON (torn or hand-edited)';
    }
    if (why !== undefined) {
      skipped++;
      firstSkipped ??= `line ${i + 1}: ${why}`;
    }
  }
  return firstSkipped ? { records, skipped, firstSkipped } : { records, skipped };
}
