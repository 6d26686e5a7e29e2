import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The repository root: where node_modules (with nx and this plugin) lives. */
export const repoRoot = join(__dirname, '..', '..', '..', '..');
export const exampleRoot = join(repoRoot, 'examples', 'mixed-workspace');
const nxBin = join(repoRoot, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, colours stripped. */
  output: string;
}

/**
 * A throw-away Nx workspace outside the repository. Its node_modules is a
 * link to the repository's, so `nx` and the built plugin resolve as they
 * would in a user's workspace.
 */
export class TempWorkspace {
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
    symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  }

  /**
   * A copy of the bundled example as git sees it: tracked files and untracked ones that are not
   * ignored. Whatever git ignores (records and reports under .fine-threads/, target/, .nx/, a demo's
   * output) stays behind, so no test reads state it did not make.
   */
  static fromExample(prefix = 'ft-e2e-'): TempWorkspace {
    const root = mkdtempSync(join(tmpdir(), prefix));
    for (const rel of exampleFiles()) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      cpSync(join(exampleRoot, rel), join(root, rel));
    }
    return new TempWorkspace(root);
  }

  /** An empty workspace that registers the plugin, for files written by the test. */
  static empty(prefix = 'ft-ws-'): TempWorkspace {
    const root = mkdtempSync(join(tmpdir(), prefix));
    const ws = new TempWorkspace(root);
    ws.write('nx.json', JSON.stringify({ plugins: ['fine-threads'] }));
    ws.write('package.json', JSON.stringify({ name: 'ws', private: true }));
    ws.write('.gitignore', 'target/\n.nx/\nnode_modules/\n');
    return ws;
  }

  /**
   * A git clone of `source` (its committed files only: no target/, .nx/ or records) at another,
   * deeper absolute path, as a second machine's checkout would be.
   */
  static cloneOf(source: TempWorkspace, prefix = 'ft-clone-'): TempWorkspace {
    const root = join(mkdtempSync(join(tmpdir(), prefix)), 'elsewhere', 'ws');
    mkdirSync(dirname(root), { recursive: true });
    const r = spawnSync('git', ['clone', '-q', source.root, root], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git clone ${source.root} failed: ${r.stderr.trim()}`);
    return new TempWorkspace(root);
  }

  path(rel: string): string {
    return join(this.root, rel);
  }

  write(rel: string, text: string): void {
    mkdirSync(dirname(this.path(rel)), { recursive: true });
    writeFileSync(this.path(rel), text);
  }

  read(rel: string): string {
    return readFileSync(this.path(rel), 'utf8');
  }

  /** A crate with one library file; `extra` is appended to its Cargo.toml. */
  crate(dir: string, name: string, lib: string, extra = ''): void {
    this.write(`${dir}/Cargo.toml`, `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n${extra}`);
    this.write(`${dir}/src/lib.rs`, lib);
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      NX_SKIP_NX_CACHE: undefined,
      FORCE_COLOR: '0',
      CI: 'true',
      ...extra,
    };
  }

  /** Runs nx to completion. */
  nx(args: string[], env: NodeJS.ProcessEnv = {}): RunResult {
    const r = spawnSync(process.execPath, [nxBin, ...args], {
      cwd: this.root,
      env: this.env(env),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 10 * 60 * 1000,
    });
    const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
    return {
      code: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      output: strip(`${r.stdout}\n${r.stderr}`),
    };
  }

  /** Starts nx in the background (for signal tests). */
  spawnNx(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    return spawn(process.execPath, [nxBin, ...args], { cwd: this.root, env: this.env(env), stdio: 'pipe' });
  }

  dispose(): void {
    // Retries: a run's jobserver holder may still be removing its fifo, a killed run's orphans writing.
    rmSync(this.root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    // A clone's root lies two levels below its temp dir.
    if (this.root.endsWith(join('elsewhere', 'ws'))) rmSync(dirname(dirname(this.root)), { recursive: true, force: true });
  }
}

/** Every live process whose command line or working directory is inside `dir`. */
export function processesUnder(dir: string): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue; // zombies have already exited
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // process gone or not ours
      }
      if (cmd.includes(dir) || cwd.startsWith(dir)) out.push({ pid: Number(entry), cmd });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** The parent of a process, from /proc. */
export function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/**
 * The example's files by git's own ignore rules (tracked, plus untracked but not ignored), relative
 * to the example. Outside a git checkout (an unpacked tarball) it has no ignore rules to go by, so it
 * fails rather than copy build output and records into every test.
 */
export function exampleFiles(): string[] {
  const r = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '.'], {
    cwd: exampleRoot,
    encoding: 'utf8',
  });
  if (r.error || r.status !== 0) {
    throw new Error(`git ls-files failed in ${exampleRoot}: the e2e tests copy the example by git's ignore rules (${r.error?.message ?? r.stderr.trim()})`);
  }
  // A tracked file deleted in the work tree is still listed; copy what exists.
  return r.stdout.split('\0').filter((f) => f.length > 0 && existsSync(join(exampleRoot, f)));
}

/**
 * A plain copy of the bundled example (its files by git's ignore rules, as fromExample takes them),
 * without the node_modules link a TempWorkspace makes: for running npm itself in it.
 */
export function copyOfExample(prefix = 'ft-copy-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const rel of exampleFiles()) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    cpSync(join(exampleRoot, rel), join(root, rel));
  }
  return root;
}
