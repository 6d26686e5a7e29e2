import { cargoMetadataArgs, condenseCargoError } from './cargo-metadata';

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
