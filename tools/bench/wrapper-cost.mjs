#!/usr/bin/env node
// Cost of the rustc wrapper (packages/fine-threads/bin/fine-threads-rustc) per invocation.
// cargo runs it once per rustc call, so what counts is the time it adds to each call:
// calls of `wrapper /bin/true <cargo-like argv>` minus calls of `/bin/true <argv>`, both
// from generated sh loops (so Node's spawn cost is out of the measure), per path:
//   pass-through: the crate is not in a 3-entry FINE_THREADS_TABLE (most calls of a build)
//   threaded:     the crate is in the table (adds the flag, copies stderr to a file beside the
//                 task's events file, as under the executor)
// and, as the floor of any sh wrapper, a two-line `#!/bin/sh` + `exec "$@"` script: what is
// above it is the script's own work; the floor itself is one more exec (of /bin/sh).
// The N calls per path are split into rounds of N/rounds; in each round every path runs
// once, in rotating order, and the overhead is taken against that round's direct run;
// the median over rounds is reported (wall clock, and the children's CPU time).
//   node tools/bench/wrapper-cost.mjs [--n 2000] [--rounds 10] [--json out.json]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const wrapper = join(repo, 'packages', 'fine-threads', 'bin', 'fine-threads-rustc');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const n = Number(arg('n', 2000));
const rounds = Number(arg('rounds', 10));
const perRound = Math.max(1, Math.round(n / rounds));
const TARGET_US = 2000;

/** A release-build rustc argv as cargo passes it (40 arguments), crate name first. */
export function cargoLikeArgs(crate = 'somecrate') {
  const deps = '/home/user/project/target/release/deps';
  const externs = ['serde', 'serde_json', 'anyhow', 'thiserror', 'regex', 'once_cell', 'itertools'];
  return [
    '--crate-name', crate,
    '--edition=2021',
    `crates/${crate}/src/lib.rs`,
    '--error-format=json',
    '--json=diagnostic-rendered-ansi,artifacts,future-incompat',
    '--crate-type', 'lib',
    '--emit=dep-info,metadata,link',
    '-C', 'opt-level=3',
    '-C', 'embed-bitcode=no',
    '--check-cfg', 'cfg(docsrs,test)',
    '--check-cfg', 'cfg(feature, values("default", "std"))',
    '--cfg', 'feature="default"',
    '-C', 'metadata=9f1c2d3e4b5a6978',
    '-C', 'extra-filename=-0b2fd00026048494',
    '--out-dir', deps,
    '-L', `dependency=${deps}`,
    ...externs.flatMap((e) => ['--extern', `${e}=${deps}/lib${e}-0123456789abcdef.rmeta`]),
  ];
}

const quote = (s) => `'${s.replaceAll("'", "'\\''")}'`;

/** A sh script that runs `command` N times; /bin/true stands in for rustc. */
function loopScript(dir, name, command) {
  const path = join(dir, `${name}.sh`);
  writeFileSync(
    path,
    // `times` prints the CPU time of the loop's children: less swayed by other load than the clock.
    ['i=0', `while [ "$i" -lt ${perRound} ]; do`, `  ${command.map(quote).join(' ')}`, '  i=$((i + 1))', 'done', 'times', ''].join('\n'),
  );
  return path;
}

/** Wall-clock and children's CPU time (user + sys) of one loop, in µs. */
function timeLoop(script, env) {
  const start = process.hrtime.bigint();
  const out = execFileSync('/bin/sh', [script], { env, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e3;
  // dash: "0m0.001s 0m0.002s\n0m1.234s 0m2.345s" (shell user sys, then children user sys)
  const [user, sys] = out.trim().split('\n').at(-1).split(/\s+/).map((t) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    if (!m) throw new Error(`unexpected \`times\` output: ${out}`);
    return (Number(m[1]) * 60 + Number(m[2])) * 1e6;
  });
  return { wall, cpu: user + sys };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function benchWrapper() {
  const dir = mkdtempSync(join(tmpdir(), 'ft-bench-wrapper-'));
  const argv = cargoLikeArgs('somecrate');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: dir, FINE_THREADS_FLAG: '-Zthreads=', FINE_THREADS_BOOTSTRAP: '1' };
  const minimal = join(dir, 'minimal-wrapper');
  writeFileSync(minimal, '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
  const paths = {
    direct: { script: loopScript(dir, 'direct', ['/bin/true', ...argv]), env },
    minimal: { script: loopScript(dir, 'minimal', [minimal, '/bin/true', ...argv]), env },
    passThrough: {
      script: loopScript(dir, 'pass', [wrapper, '/bin/true', ...argv]),
      env: { ...env, FINE_THREADS_TABLE: 'heavy_core=2 toml_edit=4 syn=3' },
    },
    threaded: {
      script: loopScript(dir, 'threaded', [wrapper, '/bin/true', ...argv]),
      // As the executor runs it: an events file in a private directory, where the threaded
      // path keeps its copy of stderr (wrapper: no mktemp or rm per compile).
      env: { ...env, FINE_THREADS_TABLE: 'heavy_core=2 somecrate=4 syn=3', FINE_THREADS_EVENTS: join(mkdtempSync(join(dir, 'task-')), 'events.log') },
    },
  };
  const keys = Object.keys(paths);
  const cols = [...keys, 'passOverFloor', 'threadedOverFloor'];
  const wall = Object.fromEntries(cols.map((k) => [k, []]));
  const cpu = Object.fromEntries(cols.map((k) => [k, []]));
  try {
    timeLoop(paths.passThrough.script, paths.passThrough.env); // warm-up
    for (let r = 0; r < rounds; r++) {
      const t = {};
      for (let i = 0; i < keys.length; i++) {
        const key = keys[(i + r) % keys.length];
        t[key] = timeLoop(paths[key].script, paths[key].env);
      }
      for (const key of keys) {
        wall[key].push((t[key].wall - (key === 'direct' ? 0 : t.direct.wall)) / perRound);
        cpu[key].push((t[key].cpu - (key === 'direct' ? 0 : t.direct.cpu)) / perRound);
      }
      for (const [col, key] of [['passOverFloor', 'passThrough'], ['threadedOverFloor', 'threaded']]) {
        wall[col].push((t[key].wall - t.minimal.wall) / perRound);
        cpu[col].push((t[key].cpu - t.minimal.cpu) / perRound);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Per call, medians over rounds: direct itself, and each path's excess over direct.
  const summary = (t) => ({
    directMicrosPerCall: median(t.direct),
    minimalWrapperMicros: median(t.minimal),
    passThroughMicros: median(t.passThrough),
    threadedMicros: median(t.threaded),
    passThroughOverFloorMicros: median(t.passOverFloor),
    threadedOverFloorMicros: median(t.threadedOverFloor),
  });
  return { invocations: perRound * rounds, rounds, args: argv.length, targetMicros: TARGET_US, wall: summary(wall), cpu: summary(cpu) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = benchWrapper();
  const us = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(0)} µs`;
  const line = (label, key, over) =>
    `  ${label} ${us(r.wall[key])} per call (CPU ${us(r.cpu[key])}); over the floor ${us(r.wall[over])} (CPU ${us(r.cpu[over])})`;
  console.log(`rustc wrapper cost, ${r.invocations} calls per path in ${r.rounds} interleaved rounds, ${r.args} args, /bin/true as rustc (direct: ${r.wall.directMicrosPerCall.toFixed(0)} µs per call, medians):`);
  console.log(`  floor, \`#!/bin/sh\` + \`exec "$@"\`:             ${us(r.wall.minimalWrapperMicros)} per call (CPU ${us(r.cpu.minimalWrapperMicros)})`);
  console.log(`${line('pass-through (crate not in a 3-entry table):', 'passThroughMicros', 'passThroughOverFloorMicros')}; target ≤ ${r.targetMicros} µs: ${r.wall.passThroughMicros <= r.targetMicros ? 'met' : 'NOT met'}`);
  console.log(line('threaded (crate in the table, stderr held): ', 'threadedMicros', 'threadedOverFloorMicros'));
  const out = arg('json', undefined);
  if (out) writeFileSync(out, `${JSON.stringify(r, null, 2)}\n`);
}
