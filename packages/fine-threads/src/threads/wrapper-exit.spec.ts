/**
 * How the wrapper ends a threaded compile, against a fake rustc (no cargo): which failures it
 * retries without threads, which it passes on, and that a signal stays a signal.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const wrapper = join(__dirname, '..', '..', 'bin', 'fine-threads-rustc');
const NOTICE = '{"$message_type":"artifact","artifact":"/t/libbeta.rmeta","emit":"metadata"}';

let dir: string;
let fake: string;
let log: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ft-wrapper-exit-'));
  fake = join(dir, 'rustc');
  log = join(dir, 'calls');
  // FAKE picks what the threaded call (one with -Zthreads=N or --jobs-frontend=N, N > 1) does;
  // any other call succeeds and sends the metadata notice, as rustc does (ice-at-one: a call
  // with an explicit 1 crashes). The log has, per call, the threads arguments, each matched as
  // a whole argument, and ` boot` when RUSTC_BOOTSTRAP is set.
  writeFileSync(
    fake,
    [
      '#!/bin/sh',
      'z=; for a do case $a in -Zthreads=* | --jobs-frontend=* | -Zunstable-options) z="$z${z:+ }$a" ;; esac; done',
      `echo "\${z:-no}\${RUSTC_BOOTSTRAP:+ boot}" >> '${log}'`,
      'ice() { echo "thread \'rustc\' panicked at compiler/x.rs:1:1:" >&2; echo "error: the compiler unexpectedly panicked. This is a bug" >&2; exit 101; }',
      'case $FAKE/$z in ice-at-one/*=1) ice ;; esac',
      'case $z in "" | *=1) ;; *)',
      '  case $FAKE in',
      '    plain101) echo "error: could not write output: disk full" >&2; exit 101 ;;',
      '    ice) ice ;;',
      // Text that quotes the notice (a panic message, say) but is no notice, then an ICE.
      `    ice-quoting) echo 'thread rustc panicked at: unexpected {"emit":"metadata"}' >&2; echo "error: the compiler unexpectedly panicked. This is a bug" >&2; exit 101 ;;`,
      '    term) kill -TERM $$ ;;',
      '  esac ;;',
      'esac',
      `echo '${NOTICE}' >&2`,
      'exit 0',
      '',
    ].join('\n'),
  );
  chmodSync(fake, 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(mode: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const events = join(dir, 'events');
  const tmp = join(dir, 'tmp');
  rmSync(tmp, { recursive: true, force: true });
  require('node:fs').mkdirSync(tmp);
  const r = spawnSync(wrapper, [fake, '--crate-name', 'beta', '--edition=2021', 'src/lib.rs'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, TMPDIR: tmp, FAKE: mode, FINE_THREADS_TABLE: 'beta=2', FINE_THREADS_FLAG: '-Zthreads=', FINE_THREADS_EVENTS: events, ...extraEnv },
  });
  return {
    status: r.status,
    signal: r.signal,
    stderr: r.stderr,
    calls: readFileSync(log, 'utf8').split('\n').filter(Boolean),
    events: existsSync(events) ? readFileSync(events, 'utf8') : '',
    leftInTmp: readdirSync(tmp),
  };
}

describe('the wrapper ending a threaded compile', () => {
  it('retries an internal compiler error (exit 101 with the ICE banner) without threads, once', () => {
    const r = run('ice');
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['-Zthreads=2', 'no']);
    expect(r.events).toBe('ice-fallback beta 2 101\n');
    expect(r.stderr.split('\n').filter((l) => l === NOTICE)).toHaveLength(1);
    expect(r.leftInTmp).toEqual([]);
  });

  it('passes on an exit 101 that is not an ICE, without a retry', () => {
    const r = run('plain101');
    expect(r.status).toBe(101);
    expect(r.calls).toEqual(['-Zthreads=2']);
    expect(r.events).toBe('');
    expect(r.stderr).toContain('disk full');
    expect(r.stderr).not.toContain('compiling it again');
    expect(r.leftInTmp).toEqual([]);
  });

  it('takes only rustc\'s JSON artifact line as the metadata notice, not other text quoting it', () => {
    const r = run('ice-quoting');
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['-Zthreads=2', 'no']);
    // The failed run sent no notice, so the rerun's must reach cargo.
    expect(r.stderr.split('\n').filter((l) => l === NOTICE)).toHaveLength(1);
  });

  it('dies by the signal that killed rustc, so cargo reports a signal, and leaves no temp files', () => {
    const r = run('term');
    expect(r.signal).toBe('SIGTERM');
    expect(r.status).toBeNull();
    expect(r.calls).toEqual(['-Zthreads=2']);
    expect(r.leftInTmp).toEqual([]);
  });
});

describe('what a threaded compile starts beside rustc', () => {
  // mktemp, mkfifo, tee and rm on PATH log their calls, then do their work.
  function spied(extraEnv: NodeJS.ProcessEnv) {
    const bin = join(dir, 'spybin');
    require('node:fs').mkdirSync(bin, { recursive: true });
    for (const tool of ['mktemp', 'mkfifo', 'tee', 'rm']) {
      const real = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      writeFileSync(join(bin, tool), `#!/bin/sh\necho ${tool} >> '${join(dir, 'spawned')}'\nexec '${real}' "$@"\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    rmSync(join(dir, 'spawned'), { force: true });
    const r = run('ok', { PATH: `${bin}:${process.env.PATH}`, ...extraEnv });
    const spawned = existsSync(join(dir, 'spawned')) ? readFileSync(join(dir, 'spawned'), 'utf8').split('\n').filter(Boolean) : [];
    return { ...r, spawned };
  }

  it('is mkfifo and tee, with its files beside the events file (in the task\'s own directory), TMPDIR untouched', () => {
    const r = spied({});
    expect(r.status).toBe(0);
    expect(r.spawned.sort()).toEqual(['mkfifo', 'tee']);
    expect(r.leftInTmp).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.startsWith('rustc-')).sort()).toEqual([expect.stringMatching(/^rustc-\d+$/), expect.stringMatching(/^rustc-\d+\.fifo$/)]);
  });

  it('without an events file, a private mktemp -d of its own, removed at the end', () => {
    const r = spied({ FINE_THREADS_EVENTS: '' });
    expect(r.status).toBe(0);
    expect(r.spawned.sort()).toEqual(['mkfifo', 'mktemp', 'rm', 'tee']);
    expect(r.leftInTmp).toEqual([]);
  });
});

describe('the flag forms and an explicit 1', () => {
  const JOBS = { FINE_THREADS_FLAG: '-Zunstable-options --jobs-frontend=' };

  it('passes a form of several arguments as separate arguments, N on the last', () => {
    const r = run('ok', JOBS);
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['-Zunstable-options --jobs-frontend=2']);
  });

  it('passes them behind an inner wrapper too (the shim role), which never sees them', () => {
    const inner = join(dir, 'inner');
    writeFileSync(inner, `#!/bin/sh\necho "$*" >> '${join(dir, 'inner.log')}'\nexec "$@"\n`);
    chmodSync(inner, 0o755);
    for (const [table, env, calls] of [
      ['beta=2', {}, ['-Zunstable-options --jobs-frontend=2']],
      ['beta=1', { FINE_THREADS_DEFAULT: '2' }, ['-Zunstable-options --jobs-frontend=1']],
    ] as const) {
      writeFileSync(log, '');
      writeFileSync(join(dir, 'inner.log'), '');
      const r = run('ok', { ...JOBS, ...env, FINE_THREADS_TABLE: table, FINE_THREADS_INNER_WRAPPER: inner });
      expect(r.status).toBe(0);
      expect(r.calls).toEqual(calls);
      const innerCalls = readFileSync(join(dir, 'inner.log'), 'utf8').split('\n').filter(Boolean);
      expect(innerCalls).toHaveLength(1);
      expect(innerCalls[0]).toContain('--crate-name beta');
      expect(innerCalls[0]).not.toMatch(/jobs-frontend|unstable-options/);
    }
  });

  it('gives them RUSTC_BOOTSTRAP where the toolchain needs it, and retries an ICE with none of them', () => {
    const r = run('ice', { ...JOBS, FINE_THREADS_BOOTSTRAP: '1' });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['-Zunstable-options --jobs-frontend=2 boot', 'no']);
  });

  it('passes an entry of 1 through untouched while the toolchain default is 1 thread', () => {
    for (const env of [{ FINE_THREADS_TABLE: 'beta=1' }, { FINE_THREADS_TABLE: 'beta=1', FINE_THREADS_DEFAULT: '1' }]) {
      writeFileSync(log, '');
      const r = run('ok', env);
      expect(r.status).toBe(0);
      expect(r.calls).toEqual(['no']);
    }
  });

  it('gives an entry of 1 an explicit 1 (and RUSTC_BOOTSTRAP) when the toolchain default is more', () => {
    const r = run('ok', { ...JOBS, FINE_THREADS_TABLE: 'beta=1', FINE_THREADS_DEFAULT: '2', FINE_THREADS_BOOTSTRAP: '1' });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['-Zunstable-options --jobs-frontend=1 boot']);
    expect(r.leftInTmp).toEqual([]);
  });

  it('reruns an ICE with an explicit 1 when the toolchain default is more, once', () => {
    const r = run('ice', { FINE_THREADS_DEFAULT: '2', FINE_THREADS_BOOTSTRAP: '1' });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['-Zthreads=2 boot', '-Zthreads=1 boot']);
    expect(r.events).toBe('ice-fallback beta 2 101\n');
    expect(r.stderr.split('\n').filter((l) => l === NOTICE)).toHaveLength(1);
  });

  it('does not retry a crash at an explicit 1: it is passed on', () => {
    const r = run('ice-at-one', { FINE_THREADS_TABLE: 'beta=1', FINE_THREADS_DEFAULT: '2' });
    expect(r.status).toBe(101);
    expect(r.calls).toEqual(['-Zthreads=1']);
    expect(r.events).toBe('');
  });
});
