import { brokenManifestIn, cargoMetadataArgs, condenseCargoError } from './metadata';

describe('condenseCargoError', () => {
  it('keeps the TOML error and its location on one line', () => {
    // cargo 1.95's stderr for `version = 0.1.0"`.
    const stderr = [
      'error: invalid float, expected nothing',
      ' --> Cargo.toml:3:14',
      '  |',
      '3 | version = 0.1.0"',
      '  |              ^^^',
    ].join('\n');
    expect(condenseCargoError(stderr)).toBe('invalid float, expected nothing (at Cargo.toml:3:14)');
  });

  it('joins the first message with the innermost cause', () => {
    const stderr = [
      'error: failed to load manifest for workspace member `/ws/x`',
      'referenced by workspace at `/ws/Cargo.toml`',
      '',
      'Caused by:',
      '  failed to load manifest for dependency `foo`',
      '',
      'Caused by:',
      '  No such file or directory (os error 2)',
    ].join('\n');
    const line = condenseCargoError(stderr);
    expect(line).toBe('failed to load manifest for workspace member `/ws/x`: No such file or directory (os error 2)');
    expect(line).not.toContain('\n');
  });

  it('falls back to the first line when there is no "error:" prefix', () => {
    expect(condenseCargoError('something broke\nmore')).toBe('something broke');
  });
});

describe('cargoMetadataArgs', () => {
  it('never resolves dependencies, so it needs no network', () => {
    expect(cargoMetadataArgs('/ws/Cargo.toml')).toEqual(
      expect.arrayContaining(['--no-deps', '--offline', '--manifest-path', '/ws/Cargo.toml']),
    );
  });
});

describe('brokenManifestIn', () => {
  it('takes the file of the TOML location, not the member named first', () => {
    // cargo 1.95: member a has a path dependency on b, whose manifest is broken.
    const stderr = [
      'error: unclosed table, expected `]`',
      ' --> ../../tmp/ws/crates/b/Cargo.toml:1:9',
      '  |',
      'error: failed to load manifest for workspace member `/tmp/ws/crates/a`',
      'Caused by:',
      '  failed to load manifest for dependency `b`',
    ].join('\n');
    expect(brokenManifestIn(stderr, '/work/nx')).toBe('/tmp/ws/crates/b/Cargo.toml');
  });

  it('takes the manifest cargo failed to parse when there is no location', () => {
    const stderr = [
      'error: failed to load manifest for workspace member `/ws/crates/c`',
      'Caused by:',
      '  failed to parse manifest at `/ws/crates/c/Cargo.toml`',
      'Caused by:',
      '  missing field `package.name`',
    ].join('\n');
    expect(brokenManifestIn(stderr, '/elsewhere')).toBe('/ws/crates/c/Cargo.toml');
  });

  it('names nothing for a missing file', () => {
    const stderr = 'error: failed to load manifest for workspace member `/ws/crates/d`\nCaused by:\n  failed to read `/ws/crates/d/Cargo.toml`';
    expect(brokenManifestIn(stderr, '/ws')).toBeUndefined();
  });
});
