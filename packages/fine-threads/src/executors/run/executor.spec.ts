import { useTinyCrateWorkspace } from '../../testing/tiny-crate';

// Runs the built executor through real nx and cargo.
const workspace = useTinyCrateWorkspace();

describe('run executor', () => {
  it('runs the binary with runArgs', () => {
    const r = workspace().nx(['run', 'tiny:run', '--runArgs=a', '--runArgs=b c']);
    expect(r.code).toBe(0);
    expect(r.output).toContain(`> cargo run -p tiny --manifest-path Cargo.toml -- a 'b c'`);
    expect(r.output).toContain('tiny got [a,b c] 42');
  });

  it('fails with cargo when the named binary does not exist', () => {
    const r = workspace().nx(['run', 'tiny:run', '--bin=nope']);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/no bin target named `nope`/);
  });
});
