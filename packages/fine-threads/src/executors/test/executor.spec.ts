import { useTinyCrateWorkspace } from '../../testing/tiny-crate';

// Runs the built executor through real nx and cargo.
const workspace = useTinyCrateWorkspace();

describe('test executor', () => {
  it("runs the crate's tests", () => {
    const r = workspace().nx(['test', 'tiny', '--skip-nx-cache']);
    expect(r.code).toBe(0);
    expect(r.output).toContain('> cargo test -p tiny');
    expect(r.output).toMatch(/test tests::doubles \.\.\.\s+ok/);
  });

  it('passes testArgs to the test binaries and fails the task when a test fails', () => {
    const r = workspace().nx(['test', 'tiny', '--testArgs=--ignored', '--skip-nx-cache']);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('> cargo test -p tiny --manifest-path Cargo.toml -- --ignored');
    expect(r.output).toContain('the ignored test ran');
  });
});
