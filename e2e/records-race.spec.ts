import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Parallel tasks append to one records file while it is compacted (read, then renamed over).
// Compaction drops the oldest lines of the whole file, so each writer's surviving records must be
// an unbroken run ending at its last one: a hole is an append lost to a rename.
const store = join(__dirname, '../packages/fine-threads/dist/recording/store.js');
const { readRecords } = require(store) as typeof import('../packages/fine-threads/src/recording/store');

const WRITERS = 4;
const EACH = 400;
// Small enough that the file is compacted many times during the run.
const MAX_BYTES = 24 * 1024;

function writer(file: string, id: number): Promise<number | null> {
  const script = `const { appendRecord } = require(${JSON.stringify(store)});
for (let i = 0; i < ${EACH}; i++) appendRecord(${JSON.stringify(file)}, { v: 1, w: ${id}, i, pad: 'x'.repeat(40) }, ${MAX_BYTES});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'inherit' });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

it('parallel appends during compaction lose no record that compaction did not drop', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ft-race-'));
  try {
    const file = join(dir, 'records.jsonl');
    const codes = await Promise.all(Array.from({ length: WRITERS }, (_, id) => writer(file, id)));
    expect(codes).toEqual(Array(WRITERS).fill(0));
    const { records, skipped } = readRecords<{ v: number; w: number; i: number }>(file);
    expect(skipped).toBe(0);
    // The last writer's last record comes after every compaction.
    expect(records[records.length - 1].i).toBe(EACH - 1);
    const holes: string[] = [];
    for (let w = 0; w < WRITERS; w++) {
      const seen = records.filter((r) => r.w === w).map((r) => r.i);
      for (let k = 1; k < seen.length; k++) if (seen[k] !== seen[k - 1] + 1) holes.push(`writer ${w}: ${seen[k - 1]} → ${seen[k]}`);
    }
    expect(holes).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
