import { CargoOutput, packageNameOf } from './output';

describe('packageNameOf', () => {
  it('reads every form of package id cargo has used', () => {
    expect(packageNameOf('path+file:///ws/crates/core#basis@0.1.0')).toBe('basis');
    expect(packageNameOf('path+file:///ws/crates/codegen#0.1.0')).toBe('codegen');
    expect(packageNameOf('registry+https://github.com/rust-lang/crates.io-index#serde@1.0.200')).toBe('serde');
    expect(packageNameOf('git+https://github.com/o/tool.git?branch=main#0.3.0')).toBe('tool');
    expect(packageNameOf('serde 1.0.200 (registry+https://github.com/rust-lang/crates.io-index)')).toBe('serde');
  });
});

const msg = (o: object) => JSON.stringify(o);
const diagnostic = (pkg: string, level: string, rendered: string) =>
  msg({ reason: 'compiler-message', package_id: `path+file:///ws/crates/${pkg}#0.1.0`, message: { level, rendered } });

describe('CargoOutput', () => {
  it("gives each package its rendered diagnostics and status lines, and shows cargo's lines, not its JSON", () => {
    const out = new CargoOutput();
    const shown = [
      '    Checking util v0.1.0 (/ws/crates/util)',
      msg({ reason: 'compiler-artifact', package_id: 'path+file:///ws/crates/basis#0.1.0', executable: null }),
      diagnostic('util', 'error', 'error[E0308]: mismatched types\n --> crates/util/src/lib.rs:62:26\n'),
      diagnostic('basis', 'warning', 'warning: unused variable: `x`\n'),
      "warning: `basis` (lib) generated 1 warning",
      'error: could not compile `util` (lib) due to 1 previous error',
      '    Finished `dev` profile [unoptimized + debuginfo] target(s) in 1.00s',
      msg({ reason: 'build-finished', success: false }),
    ].map((l) => out.read(l));
    expect(shown.filter((s) => s !== undefined)).toHaveLength(6);
    expect(shown.some((s) => s?.includes('"reason"'))).toBe(false);
    expect([...out.failed]).toEqual(['util']);
    expect(out.outputOf('util')).toEqual([
      '    Checking util v0.1.0 (/ws/crates/util)',
      'error[E0308]: mismatched types\n --> crates/util/src/lib.rs:62:26',
      'error: could not compile `util` (lib) due to 1 previous error',
    ]);
    expect(out.outputOf('basis')).toEqual(['warning: unused variable: `x`', 'warning: `basis` (lib) generated 1 warning']);
    expect(out.testsRan).toBe(false);
  });

  it('does not count a warning as a failure, even with colours', () => {
    const out = new CargoOutput();
    out.read(diagnostic('basis', 'warning', '\x1b[33mwarning\x1b[0m: x\n'));
    out.read('\x1b[1m\x1b[92m    Checking\x1b[0m basis v0.1.0 (/ws/crates/core)');
    expect(out.failed.size).toBe(0);
    expect(out.outputOf('basis')).toHaveLength(2);
  });

  it("gives each test binary's output to its package and names the packages whose tests failed", () => {
    const out = new CargoOutput(new Map([['rules_naming', 'rules-naming']]));
    const lines = [
      msg({ reason: 'compiler-artifact', package_id: 'path+file:///ws/crates/codegen#0.1.0', executable: '/ws/target/debug/deps/codegen-9848bc7fc19b8c30' }),
      msg({ reason: 'compiler-artifact', package_id: 'path+file:///ws/crates/basis#0.1.0', executable: '/ws/target/debug/deps/it-0011223344556677' }),
      '     Running unittests src/lib.rs (target/debug/deps/codegen-9848bc7fc19b8c30)',
      'test tests::renders_a_const_array ... FAILED',
      'error: test failed, to rerun pass `-p codegen --lib`',
      '     Running tests/it.rs (target/debug/deps/it-0011223344556677)',
      'test it_works ... ok',
      '   Doc-tests rules_naming',
      'test result: ok. 0 passed',
      'error: 1 target failed:',
      '    `-p codegen --lib`',
    ];
    for (const l of lines) out.read(l);
    expect(out.testsRan).toBe(true);
    expect([...out.failed]).toEqual(['codegen']);
    expect(out.outputOf('codegen')).toContain('test tests::renders_a_const_array ... FAILED');
    expect(out.outputOf('basis')).toEqual(['     Running tests/it.rs (target/debug/deps/it-0011223344556677)', 'test it_works ... ok']);
    expect(out.outputOf('rules-naming')).toEqual(['   Doc-tests rules_naming', 'test result: ok. 0 passed']);
  });

  it("blames a build script's package and gives it the script's output", () => {
    const out = new CargoOutput();
    for (const l of ['error: failed to run custom build command for `util v0.1.0 (/ws/crates/util)`', '', 'Caused by:', '  boom']) out.read(l);
    expect([...out.failed]).toEqual(['util']);
    expect(out.outputOf('util')).toContain('  boom');
  });
});
