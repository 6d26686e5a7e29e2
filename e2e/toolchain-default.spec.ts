import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter } from 'node:path';
import { TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';
import { readFlagSpy, writeFlagSpy } from './flag-spy';

// A crate the tuner decided against ({ "check": { "<cores>": 1 } }) on a toolchain whose default
// is more than 1 front-end thread, through real nx, cargo and rustc. Such a toolchain does not
// exist yet (rust-lang/rust#162848 proposes 2 on nightly), so a `rustc` first on PATH plays one
// when FAKE_DEFAULT=2: it runs the real rustc with -Zthreads=2 (and RUSTC_BOOTSTRAP) unless
// given a threads argument, and its `rustc -vV` has one more line, so it is a toolchain of its
// own. It logs, per invocation and before adding anything: crate name, threads arguments,
// RUSTC_BOOTSTRAP. Without FAKE_DEFAULT it is the plain spy of the real toolchain.
let ws: TempWorkspace;
let spyLog: string;

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: `${ws.path('spy')}${delimiter}${process.env.PATH}`, SPY_LOG: spyLog, ...extra };
}

const spyLines = () => readFlagSpy(spyLog);

interface CacheEntry {
  flag: string[] | null;
  defaultThreads: number | null;
}
const toolchainCache = (): CacheEntry[] =>
  Object.values((JSON.parse(ws.read('.nx/workspace-data/fine-threads-toolchains.json')) as { v2: Record<string, CacheEntry> }).v2);

const touchHeavy = (n: number) => ws.write('crates/heavy/src/lib.rs', `${ws.read('crates/heavy/src/lib.rs')}\n// default edit ${n}\n`);

beforeAll(() => {
  ws = TempWorkspace.fromExample('ft-default-');
  spyLog = ws.path('spy.log');
  writeFlagSpy(ws.path('spy'), [
    'if [ "${FAKE_DEFAULT-}" = 2 ]; then',
    '  case " $* " in *" -vV "*) "$real" "$@" && echo "fake: default front-end threads 2"; exit ;; esac',
    '  if [ -z "$flag" ]; then RUSTC_BOOTSTRAP=1 exec "$real" "$@" -Zthreads=2; fi',
    'fi',
  ]);
  // As the tuner writes a crate it decided against, for this machine's core count.
  ws.write('crates/heavy/project.json', JSON.stringify({ metadata: { frontendThreads: { check: { [availableParallelism()]: 1 } } } }));
});
afterAll(() => ws.dispose());

beforeEach(() => rmSync(spyLog, { force: true }));

describe('a crate set to 1', () => {
  it('gets no flag on the real toolchain, whose default is 1 thread (detected)', () => {
    touchHeavy(1);
    const r = ws.nx(['check', 'heavy', '--skip-nx-cache'], env());
    if (r.code !== 0) throw new Error(`nx check failed (${r.code}):\n${r.output}`);
    const lines = spyLines();
    expect(lines.map((l) => l.crate)).toContain('heavy');
    expect(lines.filter((l) => l.flag !== '-' || l.bootstrap !== '-')).toEqual([]);
    expect(toolchainCache()).toEqual([expect.objectContaining({ flag: ['-Zthreads='], defaultThreads: 1 })]);
  });

  it('gets an explicit 1 on a toolchain whose default is 2 (detected); a crate in no table is untouched', () => {
    touchHeavy(2);
    const r = ws.nx(['check', 'heavy', '--skip-nx-cache'], env({ FAKE_DEFAULT: '2' }));
    if (r.code !== 0) throw new Error(`nx check failed (${r.code}):\n${r.output}`);
    const lines = spyLines();
    // The fake's `-vV` differs from the real one, so cargo compiles every crate again.
    expect(lines.map((l) => l.crate).sort()).toEqual(['basis', 'build_script_build', 'codegen', 'heavy', 'util']);
    for (const l of lines) {
      if (l.crate === 'heavy') expect(l).toEqual({ crate: 'heavy', flag: '-Zthreads=1', bootstrap: '1' });
      else expect(l).toEqual({ crate: l.crate, flag: '-', bootstrap: '-' });
    }
    expect(toolchainCache().map((e) => e.defaultThreads).sort()).toEqual([1, 2]);
  });
});
