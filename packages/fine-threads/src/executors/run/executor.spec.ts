import type { TempWorkspace } from '../../testing/temp-workspace';
import { tinyCrateWorkspace } from '../../testing/tiny-crate';

let ws: TempWorkspace;
beforeAll(() => {
  ws = tinyCrateWorkspace();
});
afterAll(() => ws.dispose());

describe('run executor', () => {
  it('runs the binary with runArgs', () => {
    const r = ws.nx(['run', 'tiny:run', '--runArgs=a', '--runArgs=b c']);
    expect(r.code).toBe(0);
    expect(r.output).toContain(`> cargo run -p tiny --manifest-path Cargo.toml -- a 'b c'`);
    expect(r.output).toContain('tiny got [a,b c] 42');
  });

  it('fails with cargo when the named binary does not exist', () => {
    const r = ws.nx(['run', 'tiny:run', '--bin=nope']);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/no bin target named `nope`/);
  });
});
