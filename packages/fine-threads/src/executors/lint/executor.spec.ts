import type { TempWorkspace } from '../../testing/temp-workspace';
import { tinyCrateWorkspace } from '../../testing/tiny-crate';

let ws: TempWorkspace;
beforeAll(() => {
  ws = tinyCrateWorkspace();
});
afterAll(() => ws.dispose());

describe('lint executor', () => {
  it('runs clippy, which reports the warning without failing', () => {
    const r = ws.nx(['lint', 'tiny', '--skip-nx-cache']);
    expect(r.code).toBe(0);
    expect(r.output).toContain('> cargo clippy -p tiny');
    expect(r.output).toContain('needless_return');
  });

  it('fails on the warning when clippyArgs deny warnings', () => {
    const r = ws.nx(['lint', 'tiny', '--clippyArgs=-Dwarnings', '--skip-nx-cache']);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('> cargo clippy -p tiny --manifest-path Cargo.toml -- -Dwarnings');
    expect(r.output).toMatch(/error: unneeded `return` statement/);
  });
});
