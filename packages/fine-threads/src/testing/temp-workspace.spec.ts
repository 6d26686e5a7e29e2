import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleFiles, exampleRoot, TempWorkspace } from './temp-workspace';

describe('TempWorkspace.fromExample', () => {
  // What the demo leaves in the example: records, a target dir. A copy must not carry them.
  const strays = ['.fine-threads/records.jsonl', 'target/debug/stray', 'crates/heavy/target/x'];
  const made: string[] = [];

  beforeAll(() => {
    for (const rel of strays) {
      const path = join(exampleRoot, rel);
      if (existsSync(path)) continue;
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, 'stray\n');
      made.push(path);
    }
  });
  afterAll(() => {
    for (const path of made) rmSync(path, { force: true });
  });

  it('copies what git tracks and leaves out what it ignores', () => {
    const files = exampleFiles();
    expect(files).toContain('Cargo.toml');
    expect(files).toContain('crates/heavy/src/lib.rs');
    for (const rel of strays) expect(files).not.toContain(rel);

    const ws = TempWorkspace.fromExample();
    try {
      expect(existsSync(ws.path('crates/heavy/src/lib.rs'))).toBe(true);
      expect(existsSync(ws.path('.gitignore'))).toBe(true);
      for (const rel of strays) expect(existsSync(ws.path(rel))).toBe(false);
      expect(existsSync(ws.path('.fine-threads'))).toBe(false);
    } finally {
      ws.dispose();
    }
  });
});
