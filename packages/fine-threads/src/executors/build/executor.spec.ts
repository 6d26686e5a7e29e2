import { existsSync, readdirSync } from 'node:fs';
import { useTinyCrateWorkspace } from '../../testing/tiny-crate';

// Runs the built executor through real nx and cargo.
const workspace = useTinyCrateWorkspace();

describe('build executor', () => {
  it('runs cargo build for the crate, says what ran, and leaves its artifacts', () => {
    const r = workspace().nx(['build', 'tiny', '--skip-nx-cache']);
    expect(r.code).toBe(0);
    expect(r.output).toContain('> cargo build -p tiny --manifest-path Cargo.toml');
    expect(r.output).toMatch(/Compiling\s+tiny v0\.1\.0/);
    expect(existsSync(workspace().path('tiny/target/debug/libtiny.rlib'))).toBe(true);
    expect(existsSync(workspace().path('tiny/target/debug/tiny'))).toBe(true);
  });

  it('builds the release profile with --release', () => {
    const r = workspace().nx(['build', 'tiny', '--release', '--skip-nx-cache']);
    expect(r.code).toBe(0);
    expect(r.output).toContain('cargo build -p tiny --manifest-path Cargo.toml --release');
    expect(readdirSync(workspace().path('tiny/target/release'))).toContain('libtiny.rlib');
  });

  it("fails the task with cargo's error when the build fails", () => {
    const r = workspace().nx(['build', 'tiny', '--features=broken', '--skip-nx-cache']);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('the broken feature is on');
    expect(r.output).toContain('--features broken');
  });

  it('rejects an unknown option and an ill-typed one before cargo starts', () => {
    const unknown = workspace().nx(['build', 'tiny', '--bogus=1']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.output).toMatch(/bogus/);
    expect(unknown.output).not.toContain('> cargo');
    const illTyped = workspace().nx(['build', 'tiny', '--release=maybe']);
    expect(illTyped.code).not.toBe(0);
    expect(illTyped.output).toMatch(/release/);
    expect(illTyped.output).not.toContain('> cargo');
  });

  it('rejects release with another profile in one line', () => {
    const r = workspace().nx(['build', 'tiny', '--release', '--profile=bench']);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('fine-threads: "release" and "profile: bench" conflict');
    expect(r.output).not.toMatch(/^\s+at /m);
  });
});
