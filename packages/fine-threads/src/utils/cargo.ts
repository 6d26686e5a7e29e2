import { execa } from 'execa';
import treeKill from 'tree-kill';

/** How long cargo gets to stop after SIGTERM before the whole tree is SIGKILLed. */
const KILL_GRACE_MS = 1000;

export type CargoRunResult = { exitCode: number } | { exitCode: null; error: string };

function killTree(pid: number, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => treeKill(pid, signal, () => resolve()));
}

/**
 * Runs cargo with the task's terminal: output streams live, and colours stay
 * on when Nx's own output is coloured. A SIGINT or SIGTERM to this process
 * ends cargo and every rustc below it.
 */
export async function runCargo(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CargoRunResult> {
  const colour =
    process.env.CARGO_TERM_COLOR ??
    (process.stdout.isTTY || (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') ? 'always' : undefined);
  const child = execa('cargo', argv, {
    cwd,
    stdio: 'inherit',
    reject: false,
    env: { ...env, ...(colour ? { CARGO_TERM_COLOR: colour } : {}) },
  });

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
    return { exitCode: result.exitCode ?? 1 };
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}
