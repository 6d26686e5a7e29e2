import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { parentOf, processesUnder, TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';

// SIGINT or SIGTERM to a running `nx build` ends cargo and every rustc under it within 2 s.
let ws: TempWorkspace;
beforeAll(() => {
  ws = TempWorkspace.fromExample('ft-cancel-');
});
afterAll(() => ws.dispose());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = probe();
    if (v) return v;
    await sleep(50);
  }
  return undefined;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

// Nx forwards a signal it gets to its task processes; a task process can also
// be signalled on its own (by an agent, a supervisor or a user's kill). Either
// way no compiler may outlive the task (Nx's own tree-kill and the executor's
// handler both see to it). Nx's tree kill signals leaves first, then their
// parents: cargo can die before the task process hears of it, and cargo does
// not stop its rustc on SIGTERM (nor can it on SIGKILL): the executor ends them.
describe.each([
  ['SIGINT', 'nx'],
  ['SIGTERM', 'nx'],
  ['SIGINT', 'task'],
  ['SIGTERM', 'task'],
  ['SIGTERM', 'cargo'],
  ['SIGKILL', 'cargo'],
] as const)('%s to the %s process during a build', (signal, target) => {
  it('leaves no cargo or rustc behind after 2 s', async () => {
    rmSync(ws.path('target'), { recursive: true, force: true });
    const nx = ws.spawnNx(['build', 'app', '--skip-nx-cache']);
    // Wait until rustc is compiling something of the workspace; for cargo's own signal, the
    // slowest crate (an orphaned rustc runs on until it next writes to the dead cargo's pipe).
    // A compile (not cargo's `rustc - --crate-name ___` probe), with its cargo and task process
    // read while it still runs: a small crate's rustc can end between the two reads.
    const crate = target === 'cargo' ? 'heavy' : '(?!___)\\S+';
    const found = await waitFor(() => {
      const rustc = processesUnder(ws.root).find((p) => new RegExp(`\\brustc\\b.*--crate-name ${crate} .*--out-dir`).test(p.cmd));
      if (!rustc) return undefined;
      try {
        const cargo = parentOf(rustc.pid);
        if (!/cargo/.test(readFileSync(`/proc/${cargo}/cmdline`, 'utf8'))) return undefined;
        return { cargo, task: parentOf(cargo) };
      } catch {
        return undefined; // ended meanwhile: look again
      }
    }, 60_000);
    expect(found).toBeDefined();
    const { cargo, task } = found as { cargo: number; task: number };

    const sent = Date.now();
    if (target === 'nx') nx.kill(signal);
    else process.kill(target === 'task' ? task : cargo, signal);
    const left = await waitFor(() => {
      const alive = processesUnder(ws.root).filter((p) => /\b(cargo|rustc)\b/.test(p.cmd) || p.pid === task);
      return alive.length === 0 ? 'clean' : undefined;
    }, 2000);
    const elapsed = Date.now() - sent;
    expect({ left: left ?? processesUnder(ws.root), elapsed }).toEqual({ left: 'clean', elapsed: expect.any(Number) });
    expect(elapsed).toBeLessThanOrEqual(2000);
    expect(await exited(nx)).not.toBe(0);

    // The next run is not blocked by anything the killed one left.
    const again = ws.nx(['check', 'basis', '--skip-nx-cache']);
    expect(again.code).toBe(0);
  }, 180_000);
});
