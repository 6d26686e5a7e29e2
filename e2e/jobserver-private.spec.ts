import { chmodSync, chownSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';

// The run's jobserver fifo lives in a directory only this user can enter: one found open to
// others is closed, one that another user made is refused in one line, and the build goes on
// without the shared cap rather than with a pool someone else controls.
let ws: TempWorkspace;
const poolDir = () => ws.path('.nx/workspace-data/fine-threads-jobserver');
beforeAll(() => {
  ws = TempWorkspace.fromExample('ft-jobserver-private-');
});
afterAll(() => ws.dispose());
beforeEach(() => rmSync(poolDir(), { recursive: true, force: true }));

describe('the jobserver fifo directory', () => {
  it('is made 0700 by the run, and closed when found open to others', () => {
    const made = ws.nx(['check', 'basis', '--skip-nx-cache']);
    expect(made.code).toBe(0);
    expect(statSync(poolDir()).mode & 0o777).toBe(0o700);
    rmSync(poolDir(), { recursive: true, force: true });
    mkdirSync(poolDir(), { recursive: true });
    chmodSync(poolDir(), 0o777);
    const r = ws.nx(['check', 'basis', '--skip-nx-cache']);
    expect(r.code).toBe(0);
    expect(r.output).not.toMatch(/no shared jobserver/);
    expect(statSync(poolDir()).mode & 0o777).toBe(0o700);
  }, 180_000);

  (process.getuid?.() === 0 ? it : it.skip)("is refused in one line when another user made it, and the build goes on", () => {
    mkdirSync(poolDir(), { recursive: true, mode: 0o700 });
    chownSync(poolDir(), 12345, 12345);
    const r = ws.nx(['check', 'basis', '--skip-nx-cache']);
    expect(r.code).toBe(0);
    const lines = r.output.split('\n').filter((l) => l.includes('no shared jobserver'));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0].trim()).toBe(`fine-threads: no shared jobserver for this task (${poolDir()} belongs to uid 12345, not to this user (uid 0)).`);
    // Untouched: still the other user's.
    expect(statSync(poolDir()).uid).toBe(12345);
  }, 180_000);
});
