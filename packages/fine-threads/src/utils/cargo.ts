import { execa } from 'execa';
import treeKill from 'tree-kill';

/** How long cargo gets to stop after SIGTERM before the whole tree is SIGKILLed. */
const KILL_GRACE_MS = 1000;

export type CargoRunResult = { exitCode: number } | { exitCode: null; error: string };

function killTree(pid: number, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => treeKill(pid, signal, () => resolve()));
}

/** cargo's colour setting for this process's output: `always` when Nx's own output is coloured. */
export function cargoColour(): string | undefined {
  return (
    process.env.CARGO_TERM_COLOR ??
    (process.stdout.isTTY || (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') ? 'always' : undefined)
  );
}

/**
 * With `onLine`, cargo's stdout and stderr are read instead of inherited, as
 * ONE stream in the order cargo wrote it (`2>&1` in a shell that then execs
 * cargo, so the pid is still cargo's): a batch needs to know which test
 * binary's output follows which `Running` line.
 */
export interface CargoIo {
  onLine(line: string): void;
}

/**
 * Runs cargo with the task's terminal: output streams live, and colours stay
 * on when Nx's own output is coloured. A SIGINT or SIGTERM to this process
 * ends cargo and every rustc below it.
 */
export async function runCargo(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  io?: CargoIo,
  /** Fds of this process that cargo gets as its fds 3, 4, ...: the jobserver (see jobserver/client.ts). */
  fds: number[] = [],
): Promise<CargoRunResult> {
  const colour = cargoColour();
  const options = { cwd, reject: false, env: { ...env, ...(colour ? { CARGO_TERM_COLOR: colour } : {}) } } as const;
  let notFound = false;
  // execa's types take only fds 3-9 here; Node's spawn takes any open fd.
  const extra = fds as unknown as 3[];
  const child = io
    ? execa('sh', ['-c', 'exec "$0" "$@" 2>&1', 'cargo', ...argv], { ...options, stdio: ['ignore', 'pipe', 'inherit', ...extra], buffer: false })
    : execa('cargo', argv, { ...options, stdio: ['inherit', 'inherit', 'inherit', ...extra] });
  let drained: Promise<void> = Promise.resolve();
  if (io && child.stdout) {
    const stdout = child.stdout;
    drained = new Promise((resolve) => {
      stdout.once('close', () => resolve());
    });
    let rest = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (/exec: cargo: not found/.test(line)) notFound = true;
        else io.onLine(line);
      }
    });
    child.stdout.on('end', () => {
      if (rest) io.onLine(rest);
      rest = '';
    });
  }

  let stopping: Promise<void> | undefined;
  const stop = (signal: NodeJS.Signals) => {
    const pid = child.pid;
    if (stopping || pid === undefined) return;
    stopping = (async () => {
      await killTree(pid, signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
      const hard = setTimeout(() => void killTree(pid, 'SIGKILL'), KILL_GRACE_MS);
      await child.catch(() => undefined);
      clearTimeout(hard);
    })();
  };
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    const result = await child;
    if (stopping) await stopping;
    await drained;
    if (result.failed && result.exitCode === undefined) {
      const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ENOENT') {
        return {
          exitCode: null,
          error: 'cargo was not found on PATH: install Rust with rustup (https://rustup.rs) or add cargo to PATH.',
        };
      }
      if (result.isTerminated) return { exitCode: 128 + (result.signal === 'SIGKILL' ? 9 : 15) };
      return { exitCode: null, error: `cargo could not be started: ${result.shortMessage}` };
    }
    // The shell's own "cargo: not found" when cargo is not on PATH.
    if (io && result.exitCode === 127 && notFound) {
      return {
        exitCode: null,
        error: 'cargo was not found on PATH: install Rust with rustup (https://rustup.rs) or add cargo to PATH.',
      };
    }
    return { exitCode: result.exitCode ?? 1 };
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}
