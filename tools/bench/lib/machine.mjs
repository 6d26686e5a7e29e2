// The machine a run was on: cores, CPU, memory, OS, toolchains, load.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { repo } from './workspaces.mjs';

function out(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

export function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
  const osName = existsSync('/etc/os-release') ? /PRETTY_NAME="?([^"\n]*)/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] : undefined;
  return {
    cores: availableParallelism(),
    cpu,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${osName ?? 'Linux'}, kernel ${release()}`,
    node: process.version,
    nx: JSON.parse(readFileSync(join(repo, 'node_modules', 'nx', 'package.json'), 'utf8')).version,
    rustc: out('rustc', ['--version']),
    nightly: out('rustc', ['+nightly', '--version']),
    cargo: out('cargo', ['--version']),
    loadAverage: { start: load() },
  };
}

/** Why the seed's cranelift rows do not run here. */
export function craneliftReason() {
  const sysroot = out('rustc', ['+nightly', '--print', 'sysroot']);
  const found = [];
  const look = (dir, depth) => {
    if (depth > 4 || !existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (/cranelift/i.test(e.name)) found.push(join(dir, e.name));
      else if (e.isDirectory()) look(join(dir, e.name), depth + 1);
    }
  };
  if (sysroot) look(join(sysroot, 'lib'), 0);
  if (!found.length) {
    return `no cranelift backend on this machine: ${sysroot ? "nightly's sysroot has no rustc_codegen_cranelift" : 'no nightly toolchain'} (rustup component rustc-codegen-cranelift-preview; not installable here, no network but npm and Debian)`;
  }
  return `a cranelift backend is present (${found[0]}), but this harness has no cranelift rows yet`;
}
