import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLAG_FORMS, needsBootstrap, probeThreadsSupport, releaseOf, rustcReleaseIn } from './toolchain';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ft-toolchain-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('probeThreadsSupport with the real toolchains', () => {
  it('stable takes -Zthreads= with RUSTC_BOOTSTRAP, and runs 1 front-end thread by default', async () => {
    const s = await probeThreadsSupport(undefined, dir, join(dir, 'cache.json'));
    expect(s).toEqual({ flag: ['-Zthreads='], bootstrap: true, release: expect.stringMatching(/^1\.\d+\.\d+$/), defaultThreads: 1 });
  });

  it('nightly takes -Zthreads= as it is, and runs 1 front-end thread by default', async () => {
    const s = await probeThreadsSupport('nightly', dir, join(dir, 'cache.json'));
    expect(s).toEqual({ flag: ['-Zthreads='], bootstrap: false, release: expect.stringMatching(/-nightly$/), defaultThreads: 1 });
  });

  it('sees the 2 threads of a toolchain whose default is 2 (the real rustc behind a fake that adds them)', async () => {
    const real = spawnSync('rustup', ['which', 'rustc'], { encoding: 'utf8' }).stdout.trim();
    const fake = join(dir, 'rustc');
    writeFileSync(fake, defaultTwoRustc(real));
    chmodSync(fake, 0o755);
    const saved = process.env.RUSTC;
    process.env.RUSTC = fake;
    try {
      const s = await probeThreadsSupport(undefined, dir, join(dir, 'cache.json'));
      expect(s).toEqual({ flag: ['-Zthreads='], bootstrap: true, release: expect.stringMatching(/^1\.\d+\.\d+$/), defaultThreads: 2 });
    } finally {
      if (saved === undefined) delete process.env.RUSTC;
      else process.env.RUSTC = saved;
    }
  });
});

/**
 * A toolchain whose default is 2 front-end threads, as nightly's may become: the real rustc,
 * given -Zthreads=2 (with RUSTC_BOOTSTRAP) whenever no threads argument is given. Its `-vV`
 * has one more line, so it is a toolchain of its own for the probe's cache.
 */
function defaultTwoRustc(real: string): string {
  return [
    '#!/bin/sh',
    `case " $* " in *" -vV "*) '${real}' "$@" && echo "fake: default front-end threads 2"; exit ;; esac`,
    'for a do case $a in -Zthreads=* | threads=* | --jobs-frontend*) exec ' + `'${real}'` + ' "$@" ;; esac; done',
    // Not exec: rustc runs below this script, as below a wrapper; the probe finds it there.
    `RUSTC_BOOTSTRAP=1 '${real}' "$@" -Zthreads=2`,
    '',
  ].join('\n');
}

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

  /**
   * A compiler that takes `-Zthreads=N` (when in `accepts`) and `--jobs-frontend=N` (when in
   * `accepts`, and only beside `-Zunstable-options`, as rustc 1.97+ nightlies), -Z flags only
   * with RUSTC_BOOTSTRAP off nightly; it runs 3 + N threads while compiling, N = `defaultThreads`
   * unless a flag says otherwise.
   */
  function fakeRustc(release: string, accepts: string[], defaultThreads = 1) {
    const calls: string[][] = [];
    const counted: string[][] = [];
    const taken = (args: string[], env: NodeJS.ProcessEnv): number | null | undefined => {
      const bootstrapped = !needsBootstrap(release) || env.RUSTC_BOOTSTRAP === '1';
      const z = args.find((a) => a.startsWith('-Zthreads='));
      const jobs = args.find((a) => a.startsWith('--jobs-frontend='));
      if (!z && !jobs) return null;
      if (z) return accepts.includes('-Zthreads=') && bootstrapped ? Number(z.split('=')[1]) : undefined;
      const unstable = args.includes('-Zunstable-options');
      return accepts.includes('--jobs-frontend=') && unstable && bootstrapped ? Number(jobs!.split('=')[1]) : undefined;
    };
    const run = async (args: string[], env: NodeJS.ProcessEnv) => {
      calls.push(args);
      if (args.includes('-vV')) return { code: 0, stdout: verbose(release) };
      return { code: taken(args, env) ? 0 : 1, stdout: '' };
    };
    const count = async (args: string[], env: NodeJS.ProcessEnv) => {
      counted.push(args);
      const n = taken(args, env);
      return n === undefined ? undefined : 3 + (n ?? defaultThreads);
    };
    return { run, count, calls, counted };
  }

  it('tries the new form first, with -Zunstable-options, and takes it on a compiler that has it', async () => {
    const { run, count, calls } = fakeRustc('1.99.0-nightly', ['--jobs-frontend=', '-Zthreads=']);
    expect((await probeThreadsSupport(undefined, dir, join(dir, 'c.json'), run, count)).flag).toEqual(['-Zunstable-options', '--jobs-frontend=']);
    expect(calls[1].slice(0, 2)).toEqual(['-Zunstable-options', '--jobs-frontend=2']);
  });

  it('takes the new form on stable too, with RUSTC_BOOTSTRAP', async () => {
    const { run, count } = fakeRustc('1.99.0', ['--jobs-frontend=']);
    const s = await probeThreadsSupport(undefined, dir, join(dir, 'c.json'), run, count);
    expect(s).toEqual({ flag: FLAG_FORMS[0], bootstrap: true, release: '1.99.0', defaultThreads: 1 });
  });

  it('falls back to -Zthreads= on a compiler without the new form', async () => {
    const { run, count } = fakeRustc('1.97.0-nightly', ['-Zthreads=']);
    expect((await probeThreadsSupport(undefined, dir, join(dir, 'c.json'), run, count)).flag).toEqual(['-Zthreads=']);
  });

  it('says null when the compiler takes neither, and counts no threads', async () => {
    const { run, count, counted } = fakeRustc('1.60.0', []);
    expect(await probeThreadsSupport(undefined, dir, join(dir, 'c.json'), run, count)).toEqual({
      flag: null,
      bootstrap: true,
      release: '1.60.0',
      defaultThreads: null,
    });
    expect(counted).toEqual([]);
  });

  it('finds the default thread count from the threads of compiles with no flag, 1 and 2', async () => {
    for (const d of [1, 2, 4]) {
      const { run, count, counted } = fakeRustc('1.99.0-nightly', ['--jobs-frontend='], d);
      expect((await probeThreadsSupport(undefined, dir, join(dir, `c${d}.json`), run, count)).defaultThreads).toBe(d);
      const two = d === 1 ? [] : [['-Zunstable-options', '--jobs-frontend=2']]; // not needed when none = one
      expect(counted).toEqual([[], ['-Zunstable-options', '--jobs-frontend=1'], ...two]);
    }
  });

  it('leaves the default unknown (null) when the threads cannot be counted', async () => {
    const { run } = fakeRustc('1.95.0', ['-Zthreads=']);
    const s = await probeThreadsSupport(undefined, dir, join(dir, 'c.json'), run, async () => undefined);
    expect(s).toEqual({ flag: ['-Zthreads='], bootstrap: true, release: '1.95.0', defaultThreads: null });
  });

  it('probes once per toolchain version, then reads its cache', async () => {
    const cache = join(dir, 'c.json');
    const first = fakeRustc('1.95.0', ['-Zthreads='], 2);
    await probeThreadsSupport(undefined, dir, cache, first.run, first.count);
    const second = fakeRustc('1.95.0', ['-Zthreads=']);
    expect(await probeThreadsSupport(undefined, dir, cache, second.run, second.count)).toEqual({
      flag: ['-Zthreads='],
      bootstrap: true,
      release: '1.95.0',
      defaultThreads: 2,
    });
    expect(second.calls).toEqual([['-vV']]);
    expect(second.counted).toEqual([]);
    const updated = fakeRustc('1.96.0', ['-Zthreads=']);
    await probeThreadsSupport(undefined, dir, cache, updated.run, updated.count);
    expect(updated.calls.length).toBeGreaterThan(1);
  });

  it("ignores an earlier version's cache entry for the same toolchain, probes again and keeps it", async () => {
    const cache = join(dir, 'c.json');
    // As plugin versions before the default-threads probe wrote it: one flag string, no default.
    const old = { [verbose('1.99.0-nightly')]: { flag: '--jobs-frontend=', bootstrap: false, release: '1.99.0-nightly' } };
    writeFileSync(cache, JSON.stringify(old));
    const { run, count, calls } = fakeRustc('1.99.0-nightly', ['--jobs-frontend='], 2);
    expect(await probeThreadsSupport(undefined, dir, cache, run, count)).toEqual({
      flag: ['-Zunstable-options', '--jobs-frontend='],
      bootstrap: false,
      release: '1.99.0-nightly',
      defaultThreads: 2,
    });
    expect(calls.length).toBeGreaterThan(1);
    const written = JSON.parse(readFileSync(cache, 'utf8'));
    expect(written[verbose('1.99.0-nightly')]).toEqual(old[verbose('1.99.0-nightly')]);
    expect(written.v2[verbose('1.99.0-nightly')].defaultThreads).toBe(2);
  });

  it('treats a corrupt cache, or a corrupt entry, as none', async () => {
    const cache = join(dir, 'c.json');
    writeFileSync(cache, '{"rustc');
    const { run, count } = fakeRustc('1.95.0', ['-Zthreads=']);
    expect((await probeThreadsSupport(undefined, dir, cache, run, count)).flag).toEqual(['-Zthreads=']);
    writeFileSync(cache, JSON.stringify({ v2: { [verbose('1.95.0')]: { flag: '-Zthreads=', bootstrap: true, release: '1.95.0' } } }));
    expect((await probeThreadsSupport(undefined, dir, cache, run, count)).flag).toEqual(['-Zthreads=']);
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
