import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// The cargo layer is the one place that starts cargo or rustc: a file elsewhere that imports
// node:child_process must be on this list, with what it starts instead.
const SRC = join(__dirname, '..');
const OTHER_PROGRAMS: Record<string, string> = {
  'jobserver/pool.ts': 'mkfifo',
  'jobserver/run.ts': 'mkfifo',
  'jobserver/holder.ts': 'sh, the pool holder',
  'generators/tune/calibrate.ts': 'nx run (whose executor runs cargo through this layer)',
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === '__fixtures__' ? [] : sources(path);
    return /\.ts$/.test(name) && !/\.(spec|d)\.ts$/.test(name) ? [path] : [];
  });
}

describe('the cargo layer', () => {
  const files = sources(SRC).map((f) => ({ file: relative(SRC, f), text: readFileSync(f, 'utf8') }));

  it('is the only code that imports child_process, but for the programs listed here', () => {
    const importers = files
      .filter(({ text }) => /from 'node:child_process'|require\('node:child_process'\)|from 'child_process'/.test(text))
      .map(({ file }) => file)
      .filter((file) => !file.startsWith('cargo/') && !file.startsWith('testing/'));
    expect(importers.sort()).toEqual(Object.keys(OTHER_PROGRAMS).sort());
  });

  it('starts no cargo or rustc outside src/cargo/', () => {
    const starts = files
      .filter(({ file }) => !file.startsWith('cargo/') && !file.startsWith('testing/'))
      .filter(({ text }) => /\b(spawn|spawnSync|execFile|execFileSync|execSync|exec)\(\s*['"`](cargo|rustc)\b/.test(text))
      .map(({ file }) => file);
    expect(starts).toEqual([]);
  });

  it('reads /proc only through system/proc.ts (a path into it may be named elsewhere, not read)', () => {
    const readers = files
      .filter(({ file }) => file !== 'system/proc.ts' && !file.startsWith('testing/'))
      .filter(({ text }) => /(readFileSync|readdirSync|readlinkSync|readFile|readdir|readlink)\(\s*[`'"]\/proc\//.test(text))
      .map(({ file }) => file);
    expect(readers).toEqual([]);
  });

  it('imports no Nx internals (nx/src/...): only public Nx APIs', () => {
    const internal = files.filter(({ text }) => /from 'nx\/src\//.test(text)).map(({ file }) => file);
    expect(internal).toEqual([]);
  });
});
