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
  // FAKE picks what the threaded call (one with -Zthreads) does; an unthreaded call succeeds
  // and sends the metadata notice, as rustc does.
  writeFileSync(
    fake,
    [
      '#!/bin/sh',
      'z=no; for a do case $a in -Zthreads=*) z=$a ;; esac; done',
      `echo "$z" >> '${log}'`,
      'if [ "$z" != no ]; then',
      '  case $FAKE in',
      '    plain101) echo "error: could not write output: disk full" >&2; exit 101 ;;',
      '    ice) echo "thread \'rustc\' panicked at compiler/x.rs:1:1:" >&2; echo "error: the compiler unexpectedly panicked. This is a bug" >&2; exit 101 ;;',
      // Text that quotes the notice (a panic message, say) but is no notice, then an ICE.
      `    ice-quoting) echo 'thread rustc panicked at: unexpected {"emit":"metadata"}' >&2; echo "error: the compiler unexpectedly panicked. This is a bug" >&2; exit 101 ;;`,
      '    term) kill -TERM $$ ;;',
      '  esac',
      'fi',
      `echo '${NOTICE}' >&2`,
      'exit 0',
      '',
    ].join('\n'),
  );
  chmodSync(fake, 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(mode: string) {
  const events = join(dir, 'events');
  const tmp = join(dir, 'tmp');
  rmSync(tmp, { recursive: true, force: true });
  require('node:fs').mkdirSync(tmp);
  const r = spawnSync(wrapper, [fake, '--crate-name', 'beta', '--edition=2021', 'src/lib.rs'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, TMPDIR: tmp, FAKE: mode, FINE_THREADS_TABLE: 'beta=2', FINE_THREADS_FLAG: '-Zthreads=', FINE_THREADS_EVENTS: events },
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
