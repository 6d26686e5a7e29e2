import { parsePackageId } from './package-id';

describe('parsePackageId', () => {
  it('reads the name from the fragment, or from the URL when cargo left it out', () => {
    expect(parsePackageId('path+file:///tmp/ft-ba-ws/a#0.1.0')).toEqual({ name: 'a', version: '0.1.0' });
    expect(parsePackageId('path+file:///tmp/ft-ba-ws/c#c-bin@0.3.0')).toEqual({ name: 'c-bin', version: '0.3.0' });
    expect(parsePackageId('registry+https://github.com/rust-lang/crates.io-index#serde@1.0.228')).toEqual({ name: 'serde', version: '1.0.228' });
    expect(parsePackageId('git+https://github.com/o/tool?branch=main#0.4.0')).toEqual({ name: 'tool', version: '0.4.0' });
    expect(parsePackageId('serde@1.0.228')).toEqual({ name: 'serde', version: '1.0.228' });
  });

  it('reads the old spelling, drops a git URL\'s .git, and knows no version where the id has none', () => {
    expect(parsePackageId('libgit2-sys 0.14.1+1.5.0 (registry+https://github.com/rust-lang/crates.io-index)')).toEqual({ name: 'libgit2-sys', version: '0.14.1+1.5.0' });
    expect(parsePackageId('git+https://github.com/o/tool.git?branch=main#0.3.0')).toEqual({ name: 'tool', version: '0.3.0' });
    expect(parsePackageId('path+file:///ws/x#y')).toEqual({ name: 'y' });
    expect(parsePackageId('nonsense')).toBeUndefined();
  });
});
