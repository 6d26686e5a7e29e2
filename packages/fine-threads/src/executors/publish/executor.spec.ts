import { useTinyCrateWorkspace } from '../../testing/tiny-crate';
import { publishArgs, unreachableRegistry } from './executor';

describe('publish arguments', () => {
  it('passes dry-run, allow-dirty, no-verify, registry, toolchain and extra args through', () => {
    expect(publishArgs('a', 'crates/a/Cargo.toml', { dryRun: true, allowDirty: true, noVerify: true, registry: 'mine', toolchain: 'nightly', args: ['--locked'] })).toEqual([
      '+nightly', 'publish', '-p', 'a', '--manifest-path', 'crates/a/Cargo.toml', '--dry-run', '--allow-dirty', '--no-verify', '--registry', 'mine', '--locked',
    ]);
    expect(publishArgs('a', 'Cargo.toml', { firstRelease: true, nxReleaseVersionData: {} })).toEqual(['publish', '-p', 'a', '--manifest-path', 'Cargo.toml']);
    expect(() => publishArgs('a', 'Cargo.toml', { toolchain: 'bad name' })).toThrow(/invalid toolchain "bad name"/);
  });

  it('names an unreachable registry in one line, and only then', () => {
    const lines = ['error: download of config.json failed', '', 'Caused by:', '  failed to download from `https://index.crates.io/config.json`', '', 'Caused by:', '  [6] Could not resolve hostname (Could not resolve host: index.crates.io)'];
    const line = unreachableRegistry(lines, undefined, true);
    expect(line).toBe('fine-threads: cargo publish could not reach crates.io ([6] Could not resolve hostname (Could not resolve host: index.crates.io)): cargo publish --dry-run needs the registry index to verify the crate.');
    expect(unreachableRegistry(lines, 'mine', false)).toMatch(/could not reach registry "mine" .*: nothing was published\.$/);
    expect(unreachableRegistry(['error: 2 files in the working directory contain changes that were not yet committed into git:'], undefined, true)).toBeUndefined();
  });
});

// Through real nx and cargo. crates.io is not reachable here, so a dry run ends at the index.
const workspace = useTinyCrateWorkspace();

describe('publish executor (inferred nx-release-publish target)', () => {
  it('runs cargo publish --dry-run and says in one line that the registry is out of reach', () => {
    const r = workspace().nx(['run', 'tiny:nx-release-publish', '--dryRun', '--allowDirty']);
    expect(r.output).toContain('> cargo publish -p tiny --manifest-path Cargo.toml --dry-run --allow-dirty');
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/^fine-threads: cargo publish could not reach crates\.io \(.+\): cargo publish --dry-run needs the registry index to verify the crate\.$/m);
    expect(r.output).not.toMatch(/Caused by/);
  });
});
