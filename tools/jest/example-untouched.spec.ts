// eslint-disable-next-line @typescript-eslint/no-require-imports
const { changes } = require('./example-untouched.cjs') as { changes: (a: Map<string, string>, b: Map<string, string>) => string[] };

describe('examples/ check', () => {
  it('names every added, changed and removed file', () => {
    const before = new Map([['a', '1 1'], ['b', '2 2'], ['c', '3 3']]);
    const after = new Map([['a', '1 1'], ['b', '2 5'], ['d', '4 4']]);
    expect(changes(before, after)).toEqual(['added d', 'changed b', 'removed c']);
    expect(changes(before, new Map(before))).toEqual([]);
  });
});
