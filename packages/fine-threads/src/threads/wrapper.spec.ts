/**
 * bin/fine-threads-rustc, the RUSTC_WRAPPER that gives front-end threads to chosen crates,
 * under real cargo and real rustc on a small Cargo workspace made here:
 *   alpha (lib, with a build script) <- beta (lib) <- gamma-app (bin).
 * cargo's RUSTC points at a "spy": a sh script that logs, per invocation, the crate name,
 * any -Zthreads=N and RUSTC_BOOTSTRAP, then execs the real rustc. The spy is named `rustc`
 * because sccache only takes a compiler of that name.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const wrapper = join(__dirname, '..', '..', 'bin', 'fine-threads-rustc');
const TIMEOUT = 120_000;

interface SpyLine {
  /** `--crate-name`, or `<none>` for probes such as `rustc -vV`. */
  name: string;
  /** The `-Zthreads=N` argument, or `no`. */
  threads: string;
  /** RUSTC_BOOTSTRAP in rustc's environment, or `unset`. */
  bootstrap: string;
}

interface BuildResult {
  code: number | null;
  output: string;
  spy: SpyLine[];
}

let base: string;
let ws: string;
let spyLog: string;
let stableSpy: string;
let nightlySpy: string;
let innerWrapper: string;
let innerLog: string;

function write(path: string, text: string, executable = false): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  if (executable) chmodSync(path, 0o755);
}

/** The toolchain's own rustc binary (not rustup's proxy), so the spy runs what cargo would. */
function realRustc(toolchain?: string): string {
  const r = spawnSync('rustup', ['which', 'rustc', ...(toolchain ? ['--toolchain', toolchain] : [])], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  if (toolchain) throw new Error(`rustup which --toolchain ${toolchain} rustc failed: ${r.stderr}`);
  const sh = spawnSync('sh', ['-c', 'command -v rustc'], { encoding: 'utf8' });
  if (sh.status !== 0) throw new Error('rustc is not on PATH');
  return sh.stdout.trim();
}

function makeSpy(dir: string, rustc: string): string {
  const path = join(dir, 'rustc');
  write(
    path,
    [
      '#!/bin/sh',
      'name=; take=; z=no',
      'for a do',
      '  if [ -n "$take" ]; then name=$a; take=; fi',
      '  case $a in --crate-name) take=1 ;; -Zthreads=*) z=$a ;; esac',
      'done',
      `printf '%s %s %s\\n' "\${name:-<none>}" "$z" "\${RUSTC_BOOTSTRAP:-unset}" >> '${spyLog}'`,
      // SPY_ICE: act out an internal compiler error whenever threads are asked for.
      'if [ -n "${SPY_ICE-}" ] && [ "$z" != no ]; then',
      '  echo "error: internal compiler error: injected by the spy" >&2',
      // late: the crash comes after rustc wrote its metadata and told cargo so.
      `  if [ "$SPY_ICE" = late ]; then '${rustc}' "$@"; fi`,
      '  exit 101',
      'fi',
      `exec '${rustc}' "$@"`,
      '',
    ].join('\n'),
    true,
  );
  return path;
}

function makeWorkspace(root: string): void {
  write(join(root, 'Cargo.toml'), '[workspace]\nmembers = ["alpha", "beta", "gamma-app"]\nresolver = "2"\n');
  const pkg = (name: string, deps = '') => `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n${deps}`;
  write(join(root, 'alpha', 'Cargo.toml'), pkg('alpha'));
  // The build script reports the RUSTC_BOOTSTRAP it ran with: it must never get ours.
  write(
    join(root, 'alpha', 'build.rs'),
    [
      'fn main() {',
      '    println!("cargo:rerun-if-changed=build.rs");',
      '    let b = std::env::var("RUSTC_BOOTSTRAP").unwrap_or_else(|_| "unset".into());',
      '    println!("cargo:rustc-env=ALPHA_SAW_BOOTSTRAP={b}");',
      '}',
      '',
    ].join('\n'),
  );
  write(join(root, 'alpha', 'src', 'lib.rs'), 'pub fn saw() -> &\'static str { env!("ALPHA_SAW_BOOTSTRAP") }\n');
  write(join(root, 'beta', 'Cargo.toml'), pkg('beta', '\n[dependencies]\nalpha = { path = "../alpha" }\n\n[features]\nbroken = []\n'));
  write(
    join(root, 'beta', 'src', 'lib.rs'),
    [
      '#[cfg(feature = "broken")]',
      'compile_error!("beta is broken on purpose");',
      '',
      'pub fn message() -> String {',
      '    format!("beta ok, build script saw RUSTC_BOOTSTRAP={}", alpha::saw())',
      '}',
      '',
    ].join('\n'),
  );
  write(join(root, 'gamma-app', 'Cargo.toml'), pkg('gamma-app', '\n[dependencies]\nbeta = { path = "../beta" }\n'));
  write(join(root, 'gamma-app', 'src', 'main.rs'), 'fn main() {\n    println!("{}", beta::message());\n}\n');
}

/** The environment of the test's cargo: nothing inherited that would change the build. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CARGO_TERM_COLOR: 'never', CARGO_TERM_PROGRESS_WHEN: 'never' };
  for (const key of Object.keys(env)) {
    if (
      /^(FINE_THREADS_|CARGO_BUILD_|CARGO_TARGET_|CARGO_PROFILE_|SCCACHE_)/.test(key) ||
      ['RUSTC', 'RUSTC_WRAPPER', 'RUSTC_WORKSPACE_WRAPPER', 'RUSTFLAGS', 'CARGO_ENCODED_RUSTFLAGS', 'RUSTC_BOOTSTRAP', 'CARGO_INCREMENTAL', 'RUSTUP_TOOLCHAIN', 'SPY_ICE'].includes(key)
    ) {
      delete env[key];
    }
  }
  return env;
}

interface BuildOptions {
  target: string;
  /** FINE_THREADS_TABLE; undefined: not set. */
  table?: string;
  /** false: no RUSTC_WRAPPER at all. */
  wrap?: boolean;
  bootstrap?: boolean;
  inner?: string;
  events?: string;
  ice?: boolean | 'late';
  nightly?: boolean;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

function build(o: BuildOptions): BuildResult {
  const env = baseEnv();
  env.RUSTC = o.nightly ? nightlySpy : stableSpy;
  env.CARGO_TARGET_DIR = join(base, 'targets', o.target);
  if (o.wrap !== false) {
    env.RUSTC_WRAPPER = wrapper;
    env.FINE_THREADS_FLAG = '-Zthreads=';
    if (o.table !== undefined) env.FINE_THREADS_TABLE = o.table;
    if (o.bootstrap) env.FINE_THREADS_BOOTSTRAP = '1';
    if (o.inner) env.FINE_THREADS_INNER_WRAPPER = o.inner;
    if (o.events) env.FINE_THREADS_EVENTS = o.events;
  }
  if (o.ice) env.SPY_ICE = o.ice === 'late' ? 'late' : '1';
  Object.assign(env, o.env);
  writeFileSync(spyLog, '');
  const args = [...(o.nightly ? ['+nightly'] : []), 'build', '--offline', '-v', ...(o.args ?? [])];
  const r = spawnSync('cargo', args, { cwd: ws, env, encoding: 'utf8', timeout: TIMEOUT });
  if (r.error) throw r.error;
  const spy = readFileSync(spyLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, threads, bootstrap] = line.split(' ');
      return { name, threads, bootstrap };
    });
  return { code: r.status, output: `${r.stdout}${r.stderr}`, spy };
}

/** rustc invocations that compile something (not cargo's `-vV` and `--crate-name ___` probes). */
const compiles = (spy: SpyLine[]) => spy.filter((l) => l.name !== '<none>' && l.name !== '___');

function expectBuilt(r: BuildResult): void {
  if (r.code !== 0) throw new Error(`cargo failed (${r.code}):\n${r.output}`);
}

/** Every unit Fresh: no rustc compile, no build script run, nothing Dirty. */
function expectAllFresh(r: BuildResult): void {
  expectBuilt(r);
  expect(r.output).not.toMatch(/^\s*(Compiling|Running|Dirty)\b/m);
  expect(r.output.match(/^\s*Fresh /gm)).toHaveLength(3);
  expect(compiles(r.spy)).toEqual([]);
}

function runApp(target: string): string {
  const r = spawnSync(join(base, 'targets', target, 'debug', 'gamma-app'), { encoding: 'utf8' });
  return r.stdout.trim();
}

const sccache = spawnSync('sh', ['-c', 'command -v sccache'], { encoding: 'utf8' }).stdout.trim();

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'ft-wrapper-'));
  ws = join(base, 'ws');
  spyLog = join(base, 'spy.log');
  innerLog = join(base, 'inner.log');
  makeWorkspace(ws);
  stableSpy = makeSpy(join(base, 'spy-stable'), realRustc());
  nightlySpy = makeSpy(join(base, 'spy-nightly'), realRustc('nightly'));
  // An sccache-like inner wrapper: logs its arguments, then runs them.
  innerWrapper = join(base, 'inner-wrapper');
  write(innerWrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${innerLog}'\nexec "$@"\n`, true);
});

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('fine-threads-rustc under real cargo', () => {
  it(
    'adds -Zthreads=2 and RUSTC_BOOTSTRAP=1 to beta\'s rustc only, and the build succeeds',
    () => {
      const events = join(base, 'events-1');
      const r = build({ target: 't1', table: 'beta=2', bootstrap: true, events });
      expectBuilt(r);
      const c = compiles(r.spy);
      expect(c.map((l) => l.name).sort()).toEqual(['alpha', 'beta', 'build_script_build', 'gamma_app']);
      for (const l of r.spy) {
        expect([l.name, l.threads, l.bootstrap]).toEqual(l.name === 'beta' ? ['beta', '-Zthreads=2', '1'] : [l.name, 'no', 'unset']);
      }
      // alpha's build script ran without RUSTC_BOOTSTRAP (it reports what it saw).
      expect(runApp('t1')).toBe('beta ok, build script saw RUSTC_BOOTSTRAP=unset');
      expect(existsSync(events)).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'takes a name@version entry (cargo\'s CARGO_PKG_VERSION) over the name, and ignores another version\'s',
    () => {
      const at = (table: string) => {
        const r = build({ target: `tv-${table.replace(/[^a-z0-9]/g, '')}`, table, bootstrap: true });
        expectBuilt(r);
        return compiles(r.spy)
          .filter((l) => l.name === 'beta' || l.name === 'alpha')
          .map((l) => `${l.name} ${l.threads}`)
          .sort();
      };
      expect(at('beta@0.1.0=2')).toEqual(['alpha no', 'beta -Zthreads=2']);
      expect(at('beta@9.9.9=2')).toEqual(['alpha no', 'beta no']);
      expect(at('beta=2 beta@0.1.0=1 alpha=2 alpha@9.9.9=1')).toEqual(['alpha -Zthreads=2', 'beta no']);
    },
    TIMEOUT,
  );

  it(
    'changing the table, or setting or unsetting RUSTC_WRAPPER, recompiles nothing',
    () => {
      // cargo's fingerprints hold neither RUSTC_WRAPPER nor our variables, and rustc does not
      // record RUSTC_BOOTSTRAP in dep-info. (A changed RUSTC_WRAPPER only makes cargo redo its
      // `rustc -vV` and `--crate-name ___ --print` probes, which compiles nothing.)
      expectBuilt(build({ target: 't2', table: 'beta=2', bootstrap: true }));
      expectAllFresh(build({ target: 't2', table: 'beta=1', bootstrap: true }));
      expectAllFresh(build({ target: 't2' }));
      expectAllFresh(build({ target: 't2', table: 'alpha=2', bootstrap: true }));
      expectAllFresh(build({ target: 't2', wrap: false }));
      expectAllFresh(build({ target: 't2', table: 'beta=4 gamma_app=2', bootstrap: true }));
      // The other way round: built without any wrapper first, then with wrapper and table.
      expectBuilt(build({ target: 't2b', wrap: false }));
      expectAllFresh(build({ target: 't2b', table: 'beta=2', bootstrap: true }));
      // So beta gets its threads only once it is rebuilt for a reason of its own.
      const lib = join(ws, 'beta', 'src', 'lib.rs');
      const text = readFileSync(lib, 'utf8');
      try {
        writeFileSync(lib, `${text}// touched\n`);
        const r = build({ target: 't2b', table: 'beta=2', bootstrap: true });
        expectBuilt(r);
        expect(compiles(r.spy).map((l) => `${l.name} ${l.threads} ${l.bootstrap}`).sort()).toEqual(['beta -Zthreads=2 1', 'gamma_app no unset']);
      } finally {
        writeFileSync(lib, text);
      }
    },
    TIMEOUT,
  );

  it(
    'calls the inner wrapper for every rustc invocation, without the threads flag in its arguments',
    () => {
      writeFileSync(innerLog, '');
      const r = build({ target: 't3', table: 'beta=2', bootstrap: true, inner: innerWrapper });
      expectBuilt(r);
      const inner = readFileSync(innerLog, 'utf8').split('\n').filter(Boolean);
      const innerName = (line: string) => / --crate-name (\S+)/.exec(line)?.[1] ?? '<none>';
      // One inner call per rustc run, for the same crates.
      expect(inner.map(innerName).sort()).toEqual(r.spy.map((l) => l.name).sort());
      expect(inner.filter((line) => line.includes('-Zthreads'))).toEqual([]);
      const betaCalls = inner.filter((line) => innerName(line) === 'beta');
      expect(betaCalls).toHaveLength(1);
      // beta goes through the shim (this script again); every other crate straight to rustc.
      expect(betaCalls[0].split(' ')[0]).not.toBe(stableSpy);
      for (const line of inner.filter((l) => innerName(l) !== 'beta')) expect(line.split(' ')[0]).toBe(stableSpy);
      for (const l of r.spy) {
        expect([l.name, l.threads, l.bootstrap]).toEqual(l.name === 'beta' ? ['beta', '-Zthreads=2', '1'] : [l.name, 'no', 'unset']);
      }
      expect(runApp('t3')).toBe('beta ok, build script saw RUSTC_BOOTSTRAP=unset');
    },
    TIMEOUT,
  );

  (sccache ? it : it.skip)(
    'with real sccache as the inner wrapper: beta is threaded, cached, and a new thread count still hits the cache',
    () => {
      // sccache takes a compiler only if its file is named rustc: the script calls itself
      // through bin/shim/rustc when that link is installed, as it is in this copy.
      const bin = join(base, 'pkg', 'bin');
      mkdirSync(join(bin, 'shim'), { recursive: true });
      cpSync(wrapper, join(bin, 'fine-threads-rustc'));
      chmodSync(join(bin, 'fine-threads-rustc'), 0o755);
      symlinkSync('../fine-threads-rustc', join(bin, 'shim', 'rustc'));
      const env = { SCCACHE_DIR: join(base, 'sccache'), SCCACHE_SERVER_PORT: '4317', SCCACHE_IDLE_TIMEOUT: '0', RUSTC_WRAPPER: join(bin, 'fine-threads-rustc') };
      const sc = (...args: string[]) => spawnSync(sccache, args, { env: { ...baseEnv(), ...env }, encoding: 'utf8' });
      const hits = () => Number(/Cache hits\s+(\d+)/.exec(sc('--show-stats').stdout)?.[1] ?? NaN);
      try {
        sc('--start-server');
        const first = build({ target: 't3s', table: 'beta=2', bootstrap: true, inner: sccache, args: ['--release'], env });
        expectBuilt(first);
        expect(first.spy.filter((l) => l.name === 'beta').map((l) => l.threads)).toContain('-Zthreads=2');
        expect(hits()).toBe(0);
        // Same target dir, emptied: sccache's key has the output paths in it.
        rmSync(join(base, 'targets', 't3s'), { recursive: true, force: true });
        const second = build({ target: 't3s', table: 'beta=4', bootstrap: true, inner: sccache, args: ['--release'], env });
        expectBuilt(second);
        // alpha and beta (libs; sccache does not cache binaries) come from the cache.
        expect(hits()).toBe(2);
        expect(compiles(second.spy).filter((l) => l.name === 'beta').every((l) => l.threads === '-Zthreads=4')).toBe(true);
      } finally {
        sc('--stop-server');
      }
    },
    TIMEOUT,
  );

  it(
    'falls back to an unthreaded compile after an internal compiler error (exit 101), and records it',
    () => {
      const events = join(base, 'events-4');
      const r = build({ target: 't4', table: 'beta=2', bootstrap: true, events, ice: true });
      expectBuilt(r);
      expect(readFileSync(events, 'utf8')).toBe('ice-fallback beta 2 101\n');
      // The crash is shown as it happened (stderr streams), then what was done about it.
      expect(r.output).toMatch(/injected by the spy[\s\S]*rustc crashed compiling beta with 2 front-end threads; compiling it again without them/);
      expect(r.spy.filter((l) => l.name === 'beta').map((l) => `${l.threads} ${l.bootstrap}`)).toEqual(['-Zthreads=2 1', 'no unset']);
      expect(runApp('t4')).toBe('beta ok, build script saw RUSTC_BOOTSTRAP=unset');
      expect(readFileSync(events, 'utf8')).toBe('ice-fallback beta 2 101\n');
    },
    TIMEOUT,
  );

  it(
    'falls back after a crash that came after the metadata notice (the rerun\'s notice is dropped)',
    () => {
      const events = join(base, 'events-4c');
      const r = build({ target: 't4c', table: 'beta=2', bootstrap: true, events, ice: 'late' });
      // cargo 1.95 was seen to take a second notice too (the build passes without the filter);
      // the filter keeps to one notice per unit, as cargo's job queue expects.
      expectBuilt(r);
      expect(r.output).not.toMatch(/panicked|Unit finished/);
      expect(readFileSync(events, 'utf8')).toBe('ice-fallback beta 2 101\n');
      expect(r.spy.filter((l) => l.name === 'beta').map((l) => `${l.threads} ${l.bootstrap}`)).toEqual(['-Zthreads=2 1', 'no unset']);
      expect(runApp('t4c')).toBe('beta ok, build script saw RUSTC_BOOTSTRAP=unset');
    },
    TIMEOUT,
  );

  it(
    'falls back after an internal compiler error behind an inner wrapper too, which is called once',
    () => {
      const events = join(base, 'events-4b');
      writeFileSync(innerLog, '');
      const r = build({ target: 't4b', table: 'beta=2', bootstrap: true, events, ice: true, inner: innerWrapper });
      expectBuilt(r);
      expect(readFileSync(events, 'utf8')).toBe('ice-fallback beta 2 101\n');
      expect(r.spy.filter((l) => l.name === 'beta').map((l) => `${l.threads} ${l.bootstrap}`)).toEqual(['-Zthreads=2 1', 'no unset']);
      expect(readFileSync(innerLog, 'utf8').split('\n').filter((l) => l.includes('--crate-name beta'))).toHaveLength(1);
    },
    TIMEOUT,
  );

  it(
    'lets a real compile error (exit 1) in a threaded crate fail the build, with its message',
    () => {
      const events = join(base, 'events-5');
      const r = build({ target: 't5', table: 'beta=2', bootstrap: true, events, args: ['-p', 'beta', '--features', 'beta/broken'] });
      expect(r.code).not.toBe(0);
      // cargo parsed rustc's JSON diagnostics from the copied stderr and rendered them.
      expect(r.output).toMatch(/^error: beta is broken on purpose$/m);
      expect(r.output).not.toContain('"$message_type"');
      expect(r.output).toContain('could not compile `beta`');
      expect(r.spy.filter((l) => l.name === 'beta').map((l) => l.threads)).toEqual(['-Zthreads=2']);
      expect(existsSync(events)).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'on nightly adds the flag without RUSTC_BOOTSTRAP',
    () => {
      const r = build({ target: 't6', table: 'beta=2', nightly: true });
      expectBuilt(r);
      for (const l of r.spy) {
        expect([l.name, l.threads, l.bootstrap]).toEqual(l.name === 'beta' ? ['beta', '-Zthreads=2', 'unset'] : [l.name, 'no', 'unset']);
      }
      expect(compiles(r.spy).map((l) => l.name)).toContain('beta');
      expect(readFileSync(join(base, 'targets', 't6', '.rustc_info.json'), 'utf8')).toContain('nightly');
    },
    TIMEOUT,
  );
});
