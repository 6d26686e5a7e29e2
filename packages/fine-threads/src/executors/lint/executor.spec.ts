import { useTinyCrateWorkspace } from '../../testing/tiny-crate';

// Runs the built executor through real nx and cargo.
const workspace = useTinyCrateWorkspace();

describe('lint executor', () => {
  it('runs clippy, which reports the warning without failing', () => {
    const r = workspace().nx(['lint', 'tiny', '--skip-nx-cache']);
    expect(r.code).toBe(0);
    expect(r.output).toContain('> cargo clippy -p tiny');
    expect(r.output).toContain('needless_return');
  });

  it('fails on the warning when clippyArgs deny warnings', () => {
    const r = workspace().nx(['lint', 'tiny', '--clippyArgs=-Dwarnings', '--skip-nx-cache']);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('> cargo clippy -p tiny --manifest-path Cargo.toml -- -Dwarnings');
    expect(r.output).toMatch(/error\s*: unneeded `return` statement/);
  });
});
