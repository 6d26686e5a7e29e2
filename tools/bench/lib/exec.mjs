// Running nx, cargo and the other benches as a user would, timed, with their
// output in a log file (shown when they fail).
import { closeSync, openSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repo } from './workspaces.mjs';

// The plugin's own meter of other work on the machine (/proc/stat less what this process's
// reaped children used), so a run's load is measured as the records measure it. Loaded on first
// use: the plugin is built by run.mjs's setup step, after this module is imported.
let loadMeter;
const startLoadMeter = () => {
  loadMeter ??= createRequire(import.meta.url)(join(repo, 'packages', 'fine-threads', 'dist', 'recording', 'load.js')).startLoadMeter;
  return loadMeter();
};

export const nxBin = join(repo, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

/** Variables that would change what every row builds; the rows set their own. */
const CLEARED = ['RUSTFLAGS', 'CARGO_ENCODED_RUSTFLAGS', 'RUSTC_BOOTSTRAP', 'RUSTC_WRAPPER', 'CARGO_BUILD_RUSTC_WRAPPER', 'CARGO_TARGET_DIR', 'NX_SKIP_NX_CACHE'];

/** Which of those the caller's environment had (they are not passed on). */
export const clearedFromCaller = CLEARED.filter((k) => process.env[k] !== undefined);

export function benchEnv(extra = {}) {
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true', FORCE_COLOR: '0' };
  for (const k of CLEARED) delete env[k];
  return { ...env, ...extra };
}

/**
 * Runs `cmd args` in `cwd`, its output appended to `log` (or returned when
 * `capture`), and returns the wall-clock seconds and the cores other work took
 * meanwhile (`load`: others, steal). Throws with the output's last lines when it fails.
 */
export function timed(cmd, args, { cwd, env = benchEnv(), log, capture = false }) {
  const fd = log && !capture ? openSync(log, 'a') : undefined;
  const meter = startLoadMeter();
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', fd ?? 'pipe', fd ?? 'pipe'],
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const load = meter.stop();
  if (fd !== undefined) closeSync(fd);
  const output = capture ? `${r.stdout ?? ''}${r.stderr ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '') : '';
  if (r.status !== 0) {
    const text = capture ? output : log ? readFileSync(log, 'utf8') : '';
    const tail = text.trim().split('\n').slice(-25).join('\n');
    throw new Error(`\`${[cmd, ...args].join(' ')}\` failed (exit ${r.status ?? r.signal ?? r.error?.message}) in ${cwd}${log ? `; log: ${log}` : ''}\n${tail}`);
  }
  return { seconds, output, load };
}

export function nx(ws, args, opts = {}) {
  return timed(process.execPath, [nxBin, ...args], { cwd: ws.root ?? ws, ...opts });
}
