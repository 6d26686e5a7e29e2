import { existsSync, readdirSync } from 'node:fs';
import { useTinyCrateWorkspace } from '../../testing/tiny-crate';

// Runs the built executor through real nx and cargo.
const workspace = useTinyCrateWorkspace();

describe('check executor', () => {
  it('runs cargo check: metadata only, no library or binary', () => {
    const r = workspace().nx(['check', 'tiny', '--skip-nx-cache']);
    expect(r.code).toBe(0);
    expect(r.output).toContain('> cargo check -p tiny');
    const deps = readdirSync(workspace().path('tiny/target/debug/deps'));
    expect(deps.some((f) => /^libtiny-.*\.rmeta$/.test(f))).toBe(true);
    expect(deps.some((f) => f.endsWith('.rlib'))).toBe(false);
    expect(existsSync(workspace().path('tiny/target/debug/tiny'))).toBe(false);
  });

  it('runs another rustup toolchain with --toolchain', () => {
    const r = workspace().nx(['check', 'tiny', '--toolchain=nightly', '--skip-nx-cache']);
    expect(r.code).toBe(0);
    expect(r.output).toContain('> cargo +nightly check -p tiny');
  });

  it('says in one line when the toolchain name is not one', () => {
    const r = workspace().nx(['check', 'tiny', '--toolchain=nightly;true']);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('fine-threads: invalid toolchain "nightly;true"');
  });
});
