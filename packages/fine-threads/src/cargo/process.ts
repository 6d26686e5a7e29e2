import { execFile, spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import treeKill from 'tree-kill';

/** How long cargo gets to stop after SIGTERM before the whole tree is SIGKILLed. */
const KILL_GRACE_MS = 1000;

export type CargoRunResult = { exitCode: number } | { exitCode: null; error: string };

/** The one message for a missing toolchain, whichever of cargo or rustc was looked for. */
export function notFound(tool: 'cargo' | 'rustc'): string {
  return `${tool} was not found on PATH: install Rust with rustup (https://rustup.rs) or add ${tool} to PATH.`;
}
const NOT_FOUND = notFound('cargo');
/** cargo's line for a compiler or build script that a signal (not a crash) ended. */
const STOPPED_BY = /^\s*process didn't exit successfully: .*\(signal: \d+, (SIGTERM|SIGINT|SIGHUP)\b/;

function killTree(pid: number, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => treeKill(pid, signal, () => resolve()));
}

/** Signals cargo's process group; false when no process of it is left. */
function killGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends what is left of cargo's process group: the rustc and build scripts a
 * cargo that was killed outright (Nx signals a task's tree leaves first, then
 * parents, so cargo can die before this process hears of it) leaves orphaned.
 * Orphans leave the process tree but never the group.
 */
async function sweepGroup(pgid: number): Promise<void> {
  if (!killGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + KILL_GRACE_MS;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    if (!killGroup(pgid, 0)) return;
  }
  killGroup(pgid, 'SIGKILL');
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
  // node:child_process, not execa: `require('execa')` costs about 0.1 s in every task process
  // (its ESM graph, through require(esm)), and this needs only spawn, exit code, signal, ENOENT.
  // A read cargo (batch mode, no terminal input) leads its own process group (detached:
  // setsid), so that a stop reaches every process below it even when cargo itself is gone;
  // Ctrl-C still reaches it, through this process. One on the task's terminal stays in the
  // task's group: `cargo run` may start a program that needs the terminal as its own.
  const grouped = io !== undefined;
  const options = { cwd, detached: grouped, env: { ...process.env, ...env, ...(colour ? { CARGO_TERM_COLOR: colour } : {}) } };
  let notFound = false;
  const child = io
    ? spawn('sh', ['-c', 'exec "$0" "$@" 2>&1', 'cargo', ...argv], { ...options, stdio: ['ignore', 'pipe', 'inherit', ...fds] })
    : spawn('cargo', argv, { ...options, stdio: ['inherit', 'inherit', 'inherit', ...fds] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null } | { error: NodeJS.ErrnoException }>((resolve) => {
    child.once('error', (error) => resolve({ error }));
    // 'close': the process has exited and its stdio is drained.
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  let stopping: Promise<void> | undefined;
  let stoppedBy: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    const pid = child.pid;
    if (stopping || pid === undefined) return;
    const soft = signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM';
    stoppedBy = soft;
    stopping = (async () => {
      if (grouped) killGroup(pid, soft);
      // The tree as well: a process below cargo may have left its group.
      await killTree(pid, soft);
      const hard = setTimeout(() => {
        if (grouped) killGroup(pid, 'SIGKILL');
        void killTree(pid, 'SIGKILL');
      }, KILL_GRACE_MS);
      await exited;
      clearTimeout(hard);
      if (grouped) await sweepGroup(pid);
    })();
  };
  if (io && child.stdout) {
    let rest = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (/exec: cargo: not found/.test(line)) notFound = true;
        else io.onLine(line);
        // A rustc stopped by a signal: the run is being stopped, leaves first (Nx's tree kill).
        // With --keep-going cargo would start the next crates; they stop with it instead.
        const stopped = STOPPED_BY.exec(line);
        if (stopped) stop(stopped[1] === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
      }
    });
    child.stdout.on('end', () => {
      if (rest) io.onLine(rest);
      rest = '';
    });
  }

  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    const result = await exited;
    if (stopping) await stopping;
    // Killed from outside (not through this process's handlers): its orphans must not run on.
    else if (grouped && 'signal' in result && result.signal && child.pid !== undefined) await sweepGroup(child.pid);
    if ('error' in result) {
      if (result.error.code === 'ENOENT') return { exitCode: null, error: NOT_FOUND };
      return { exitCode: null, error: `cargo could not be started: ${result.error.message}` };
    }
    // Stopped, whatever cargo's own exit code: a batch must not go on without the crate it lost.
    if (stoppedBy) return { exitCode: 128 + constants.signals[stoppedBy] };
    if (result.signal) return { exitCode: 128 + (constants.signals[result.signal] ?? 15) };
    // The shell's own "cargo: not found" when cargo is not on PATH.
    if (io && result.code === 127 && notFound) return { exitCode: null, error: NOT_FOUND };
    return { exitCode: result.code ?? 1 };
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

/** What a captured cargo or rustc printed; `missing` when the program is not on PATH. */
export type Captured =
  | { ok: true; stdout: string; stderr: string }
  | { ok: false; missing: boolean; code: number | null; stdout: string; stderr: string; message: string };

export interface CaptureOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Text for stdin (closed when absent). */
  stdin?: string;
}

const MAX_BUFFER = 512 * 1024 * 1024;

function captured(tool: 'cargo' | 'rustc', error: (Error & { code?: unknown }) | null, stdout: string, stderr: string): Captured {
  if (!error) return { ok: true, stdout, stderr };
  const missing = error.code === 'ENOENT';
  const code = typeof error.code === 'number' ? error.code : null;
  return { ok: false, missing, code, stdout, stderr, message: missing ? notFound(tool) : error.message };
}

function capture(tool: 'cargo' | 'rustc', program: string, args: readonly string[], options: CaptureOptions): Promise<Captured> {
  return new Promise((resolve) => {
    const child = execFile(
      program,
      args,
      { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: MAX_BUFFER, encoding: 'utf8' },
      (error, stdout, stderr) => resolve(captured(tool, error, stdout, stderr)),
    );
    child.stdin?.end(options.stdin ?? '');
  });
}

/** cargo with its output captured (metadata, unit graphs): nothing reaches the terminal. */
export function captureCargo(args: readonly string[], options: CaptureOptions): Promise<Captured> {
  return capture('cargo', 'cargo', args, options);
}

/** The rustc cargo would run (`$RUSTC`, else rustc on PATH), captured. */
export function captureRustc(args: readonly string[], options: CaptureOptions): Promise<Captured> {
  return capture('rustc', process.env.RUSTC ?? 'rustc', args, options);
}

/** Synchronous forms, for the generators (Nx runs them synchronously up to their callback). */
function captureSync(tool: 'cargo' | 'rustc', program: string, args: readonly string[], options: CaptureOptions & { inherit?: boolean }): Captured {
  const r = spawnSync(program, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    maxBuffer: MAX_BUFFER,
    ...(options.inherit ? { stdio: 'inherit' as const } : { input: options.stdin ?? '' }),
  });
  const failed = r.status === 0 ? null : Object.assign(new Error(`${tool} ${args.join(' ')} exited with ${r.status ?? r.signal}`), { code: r.status });
  return captured(tool, r.error ?? failed, r.stdout ?? '', r.stderr ?? '');
}

export function captureCargoSync(args: readonly string[], options: CaptureOptions & { inherit?: boolean }): Captured {
  return captureSync('cargo', 'cargo', args, options);
}

export function captureRustcSync(args: readonly string[], options: CaptureOptions): Captured {
  return captureSync('rustc', process.env.RUSTC ?? 'rustc', args, options);
}
