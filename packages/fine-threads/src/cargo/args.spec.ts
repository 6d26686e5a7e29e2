import { cargoArgs, CargoOptionError, renderCommand, withBuildAnalysis, type CargoInvocation } from './args';

const base: CargoInvocation = { command: 'build', packageName: 'heavy', manifestPath: 'crates/heavy/Cargo.toml', options: {} };

describe('cargoArgs', () => {
  it('selects the crate by package and manifest', () => {
    expect(cargoArgs(base)).toEqual(['build', '-p', 'heavy', '--manifest-path', 'crates/heavy/Cargo.toml']);
  });

  it('maps every option to the cargo flag a Rust user knows', () => {
    const argv = cargoArgs({
      ...base,
      options: {
        toolchain: 'nightly',
        release: true,
        features: 'a, b',
        noDefaultFeatures: true,
        allFeatures: true,
        target: 'x86_64-unknown-linux-gnu',
        targetDir: 'out',
        args: ['--locked'],
      },
    });
    expect(argv[0]).toBe('+nightly');
    expect(argv.join(' ')).toContain(
      '--release --features a,b --all-features --no-default-features --target x86_64-unknown-linux-gnu --target-dir out --locked',
    );
  });

  it('accepts a toolchain with or without the plus, and features as a list', () => {
    expect(cargoArgs({ ...base, options: { toolchain: '+1.95.0', features: ['x', 'y'] } })).toEqual(
      expect.arrayContaining(['+1.95.0', '--features', 'x,y']),
    );
  });

  it('puts trailing arguments after --', () => {
    const argv = cargoArgs({ ...base, command: 'run', bin: 'app', trailing: ['--flag'] });
    expect(argv.slice(-4)).toEqual(['--bin', 'app', '--', '--flag']);
  });

  it('uses --profile, and rejects release with another profile', () => {
    expect(cargoArgs({ ...base, options: { profile: 'bench' } })).toContain('--profile');
    expect(() => cargoArgs({ ...base, options: { release: true, profile: 'bench' } })).toThrow(CargoOptionError);
  });

  it('selects several packages for one cargo, with its own flags before the user\'s args', () => {
    const argv = cargoArgs({
      ...base,
      command: 'test',
      packageName: ['a', 'b'],
      options: { release: true, args: ['--locked'] },
      flags: ['--no-fail-fast'],
      trailing: ['--nocapture'],
    });
    expect(argv).toEqual(['test', '-p', 'a', '-p', 'b', '--manifest-path', 'crates/heavy/Cargo.toml', '--release', '--no-fail-fast', '--locked', '--', '--nocapture']);
  });

  it('rejects a toolchain name that is not one', () => {
    expect(() => cargoArgs({ ...base, options: { toolchain: 'nightly; rm -rf /' } })).toThrow(/invalid toolchain/);
  });
});

describe('renderCommand', () => {
  it('quotes what a shell would split', () => {
    expect(renderCommand(['test', '--', 'a b', "it's"])).toBe(`cargo test -- 'a b' 'it'\\''s'`);
  });
});

describe('withBuildAnalysis', () => {
  it("adds cargo's build-analysis log before the arguments after `--`", () => {
    const argv = cargoArgs({ ...base, command: 'check', timings: true, trailing: ['--nocapture'] });
    expect(withBuildAnalysis(argv)).toEqual({
      argv: ['check', '-p', 'heavy', '--manifest-path', 'crates/heavy/Cargo.toml', '--timings', '-Zbuild-analysis', '--config', 'build.analysis.enabled=true', '--', '--nocapture'],
      owned: true,
    });
  });

  it("leaves the log the user's own args asked for to them", () => {
    for (const args of [['-Zbuild-analysis'], ['-Z', 'build-analysis']]) {
      const r = withBuildAnalysis(cargoArgs({ ...base, options: { args } }));
      expect(r.owned).toBe(false);
      expect(r.argv.filter((a) => a.includes('build-analysis'))).toHaveLength(1);
      expect(r.argv.slice(-2)).toEqual(['--config', 'build.analysis.enabled=true']);
    }
  });
});
