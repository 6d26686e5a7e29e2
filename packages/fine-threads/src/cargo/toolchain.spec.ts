import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needsBootstrap, probeThreadsSupport, releaseOf, rustcReleaseIn } from './toolchain';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ft-toolchain-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('probeThreadsSupport with the real toolchains', () => {
  it('stable takes -Zthreads= with RUSTC_BOOTSTRAP', async () => {
    const s = await probeThreadsSupport(undefined, dir, join(dir, 'cache.json'));
    expect(s).toEqual({ flag: '-Zthreads=', bootstrap: true, release: expect.stringMatching(/^1\.\d+\.\d+$/) });
  });

  it('nightly takes -Zthreads= as it is', async () => {
    const s = await probeThreadsSupport('nightly', dir, join(dir, 'cache.json'));
    expect(s).toEqual({ flag: '-Zthreads=', bootstrap: false, release: expect.stringMatching(/-nightly$/) });
  });
});

describe('a missing toolchain', () => {
  it('gives the same one line as a missing cargo, from the real PATH lookup', async () => {
    const path = process.env.PATH;
    const rustc = process.env.RUSTC;
    process.env.PATH = dir;
    delete process.env.RUSTC;
    try {
      await expect(probeThreadsSupport(undefined, dir, join(dir, 'cache.json'))).rejects.toThrow(
        'rustc was not found on PATH: install Rust with rustup (https://rustup.rs) or add rustc to PATH.',
      );
      expect(() => rustcReleaseIn(dir)).toThrow('rustc was not found on PATH');
    } finally {
      process.env.PATH = path;
      if (rustc !== undefined) process.env.RUSTC = rustc;
    }
  });
});

describe('probeThreadsSupport decisions', () => {
  const verbose = (release: string) => `rustc ${release}\nbinary: rustc\nrelease: ${release}\n`;

  function fakeRustc(release: string, accepts: string[]) {
    const calls: string[][] = [];
    const run = async (args: string[], env: NodeJS.ProcessEnv) => {
      calls.push(args);
      if (args.includes('-vV')) return { code: 0, stdout: verbose(release) };
      const flag = args.find((a) => a.endsWith('=2')) ?? '';
      const ok = accepts.some((f) => flag.startsWith(f)) && (!needsBootstrap(release) || env.RUSTC_BOOTSTRAP === '1');
      return { code: ok ? 0 : 1, stdout: '' };
    };
    return { run, calls };
  }

  it('prefers --jobs-frontend on a compiler that has it', async () => {
    const { run } = fakeRustc('1.99.0-nightly', ['--jobs-frontend=', '-Zthreads=']);
    expect((await probeThreadsSupport(undefined, dir, join(dir, 'c.json'), run)).flag).toBe('--jobs-frontend=');
  });

  it('says null when the compiler takes neither', async () => {
    const { run } = fakeRustc('1.60.0', []);
    expect(await probeThreadsSupport(undefined, dir, join(dir, 'c.json'), run)).toEqual({
      flag: null,
      bootstrap: true,
      release: '1.60.0',
    });
  });

  it('probes once per toolchain version, then reads its cache', async () => {
    const cache = join(dir, 'c.json');
    const first = fakeRustc('1.95.0', ['-Zthreads=']);
    await probeThreadsSupport(undefined, dir, cache, first.run);
    const second = fakeRustc('1.95.0', ['-Zthreads=']);
    expect((await probeThreadsSupport(undefined, dir, cache, second.run)).flag).toBe('-Zthreads=');
    expect(second.calls).toEqual([['-vV']]);
    const updated = fakeRustc('1.96.0', ['-Zthreads=']);
    await probeThreadsSupport(undefined, dir, cache, updated.run);
    expect(updated.calls.length).toBeGreaterThan(1);
  });

  it('treats a corrupt cache as empty', async () => {
    const cache = join(dir, 'c.json');
    writeFileSync(cache, '{"rustc');
    const { run } = fakeRustc('1.95.0', ['-Zthreads=']);
    expect((await probeThreadsSupport(undefined, dir, cache, run)).flag).toBe('-Zthreads=');
  });
});

describe('releaseOf / needsBootstrap', () => {
  it('reads the release line and tells channels apart', () => {
    expect(releaseOf('rustc 1.97.0-nightly (e50aa6fba 2026-05-19)\nrelease: 1.97.0-nightly\n')).toBe('1.97.0-nightly');
    expect(needsBootstrap('1.95.0')).toBe(true);
    expect(needsBootstrap('1.96.0-beta.3')).toBe(true);
    expect(needsBootstrap('1.97.0-nightly')).toBe(false);
    expect(needsBootstrap('1.97.0-dev')).toBe(false);
  });
});
