#!/usr/bin/env node
// The parallel front-end's cost on crates of every size, for the simulator's DEFAULT_CURVES.
// frontend-curve.mjs measures big crates; this one runs rustc itself (`--emit=metadata`, a check)
// on dependency-free crates from Debian's registry, small to large, each alone, interleaved over
// rounds, under a jobserver of our own (a fifo, as make 4.4 makes it):
//   t1     no -Zthreads
//   none   -Zthreads=2, a jobserver with no token: the helper never runs (cargo at J=2 when
//          another unit holds the other token)
//   token  -Zthreads=2, one free token: the helper runs
// and fits, across crates, t(none) = (1 + overhead) t1 + fixed and t(token) = (1 - parallel/2 +
// overhead) t1 + fixed by least squares.
//   node tools/bench/frontend-fixed-cost.mjs [--rounds 3] [--nice -19] [--json out.json]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, closeSync, rmSync, writeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownSessionWithNice } from './interference.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const rounds = Number(arg('rounds', 3));
ownSessionWithNice(arg('nice', undefined), (line) => console.error(line));
const registry = '/usr/share/cargo/registry';
const CRATES = [
  'cfg-if-1.0.0', 'static_assertions-1.1.0', 'fnv-1.0.7', 'lazy_static-1.4.0', 'shell-escape-0.1.4', 'hex-0.4.3',
  'itoa-1.0.1', 'ryu-1.0.2', 'strsim-0.10.0', 'glob-0.3.0', 'either-1.6.1', 'unicode-width-0.1.10', 'unicode-ident-1.0.0',
  'base64-0.13.0', 'bitflags-1.3.2', 'memchr-2.5.0', 'smallvec-1.9.0', 'semver-1.0.14', 'typenum-1.16.0',
  'serde-1.0.152', 'libc-0.2.139', 'regex-syntax-0.6.27',
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** rustc arguments for a crate's library, with its default features (one level). */
function crateArgs(dir) {
  const toml = readFileSync(join(dir, 'Cargo.toml'), 'utf8');
  const edition = /^edition\s*=\s*"(\d+)"/m.exec(toml)?.[1] ?? '2015';
  const name = /^\[package\][^[]*?^name\s*=\s*"([^"]+)"/ms.exec(toml)?.[1] ?? '';
  const libPath = /^\[lib\][^[]*?^path\s*=\s*"([^"]+)"/ms.exec(toml)?.[1] ?? 'src/lib.rs';
  const defaults = /^\[features\][^[]*?^default\s*=\s*\[([^\]]*)\]/ms.exec(toml)?.[1] ?? '';
  const features = ['default', ...[...defaults.matchAll(/"([^"/]+)"/g)].map((m) => m[1])];
  return [
    '--crate-name', name.replace(/-/g, '_'), '--edition', edition, '--crate-type', 'lib', '--emit=metadata',
    '--cap-lints', 'allow', join(dir, libPath), ...features.flatMap((f) => ['--cfg', `feature="${f}"`]),
  ];
}

const tmp = mkdtempSync(join(tmpdir(), 'ft-fixed-'));
/** A jobserver fifo holding `tokens` tokens; rustc finds it in MAKEFLAGS. */
function jobserver(tokens) {
  const path = join(tmp, `jobserver-${tokens}`);
  if (!existsSync(path)) spawnSync('mkfifo', [path]);
  const fd = openSync(path, 'r+');
  if (tokens) writeSync(fd, Buffer.alloc(tokens, '+'));
  return { fd, env: { MAKEFLAGS: `-j --jobserver-auth=fifo:${path}`, CARGO_MAKEFLAGS: `-j --jobserver-auth=fifo:${path}` } };
}

function time(args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('rustc', args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return r.status === 0 ? s : undefined;
}

try {
  const rows = [];
  for (const name of CRATES) {
    const dir = join(registry, name);
    if (!existsSync(dir)) continue;
    const base = [...crateArgs(dir), '-o', join(tmp, 'out.rmeta')];
    if (time(base, {}) === undefined) {
      console.error(`${name}: does not compile alone, skipped`);
      continue;
    }
    const runs = { t1: [], none: [], token: [] };
    for (let round = 0; round < rounds; round++) {
      for (const setting of ['t1', 'none', 'token'].slice(round % 3).concat(['t1', 'none', 'token'].slice(0, round % 3))) {
        // A fresh jobserver each time: rustc must find exactly the tokens we meant.
        const js = jobserver(setting === 'token' ? 1 : 0);
        const args = setting === 't1' ? base : [...base, '-Zthreads=2'];
        const env = setting === 't1' ? js.env : { ...js.env, RUSTC_BOOTSTRAP: '1' };
        runs[setting].push(time(args, env));
        closeSync(js.fd);
        rmSync(join(tmp, `jobserver-${setting === 'token' ? 1 : 0}`), { force: true });
      }
    }
    const row = { crate: name, t1: median(runs.t1), none: median(runs.none), token: median(runs.token), runs };
    rows.push(row);
    console.log(`${name.padEnd(28)} t1 ${row.t1.toFixed(3)} s  2 threads, no token ${row.none.toFixed(3)} s (×${(row.none / row.t1).toFixed(2)})  one token ${row.token.toFixed(3)} s (×${(row.token / row.t1).toFixed(2)})`);
  }
  // Least squares of y = a x + c over the crates.
  const fitLine = (ys) => {
    const xs = rows.map((r) => r.t1);
    const n = xs.length;
    const mx = xs.reduce((s, x) => s + x, 0) / n;
    const my = ys.reduce((s, y) => s + y, 0) / n;
    const a = xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    return { a, c: my - a * mx };
  };
  const none = fitLine(rows.map((r) => r.none));
  const token = fitLine(rows.map((r) => r.token));
  const overhead = none.a - 1;
  const parallel = 2 * (1 + overhead - token.a);
  console.log(
    `fit over ${rows.length} crates: no token ${none.a.toFixed(3)} × t1 + ${(none.c * 1000).toFixed(0)} ms; one token ${token.a.toFixed(3)} × t1 + ${(token.c * 1000).toFixed(0)} ms` +
      ` → overhead ${overhead.toFixed(3)}, parallel ${parallel.toFixed(3)}, fixed ${(((none.c + token.c) / 2) * 1000).toFixed(0)} ms`,
  );
  const out = arg('json', undefined);
  if (out) writeFileSync(out, `${JSON.stringify({ rounds, rows, none, token, overhead, parallel }, null, 2)}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
