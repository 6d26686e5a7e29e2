import { parseMakeflags, pipeMakeflags, replaceJobserver } from './makeflags';

describe('parseMakeflags', () => {
  it.each([
    [' -j2 --jobserver-auth=3,4', { auth: { kind: 'fds', read: 3, write: 4 }, jobs: 2 }],
    ['-j --jobserver-fds=6,7 --jobserver-auth=6,7', { auth: { kind: 'fds', read: 6, write: 7 }, jobs: undefined }],
    ['--jobserver-fds=5,6', { auth: { kind: 'fds', read: 5, write: 6 }, jobs: undefined }],
    ['-j8 --jobserver-auth=fifo:/tmp/GMfifo1', { auth: { kind: 'fifo', path: '/tmp/GMfifo1' }, jobs: 8 }],
    // The last --jobserver-auth wins, as in make and the jobserver crate.
    ['--jobserver-auth=3,4 --jobserver-auth=fifo:/x', { auth: { kind: 'fifo', path: '/x' }, jobs: undefined }],
    // Variable assignments after ` -- ` are not options.
    ['k -j2 --jobserver-auth=3,4 -- X=--jobserver-auth=9,9', { auth: { kind: 'fds', read: 3, write: 4 }, jobs: 2 }],
  ])('%j', (flags, expected) => {
    expect(parseMakeflags(flags)).toEqual(expected);
  });

  it.each([undefined, '', ' -j2', 'k', '--jobserver-auth=-1,-1', '--jobserver-auth=fifo:', '--jobserver-auth=3'])(
    'no jobserver in %j',
    (flags) => {
      expect(parseMakeflags(flags)).toBeUndefined();
    },
  );
});

describe('the pipe form for cargo', () => {
  it('names fds 3,4 both ways', () => {
    expect(pipeMakeflags(2)).toBe('-j2 --jobserver-fds=3,4 --jobserver-auth=3,4');
    expect(pipeMakeflags(undefined)).toBe('-j --jobserver-fds=3,4 --jobserver-auth=3,4');
  });

  it("replaces the user's jobserver and -j, keeping other flags and variables", () => {
    const ours = pipeMakeflags(2);
    expect(replaceJobserver(undefined, ours)).toBe(ours);
    expect(replaceJobserver(' -j4 --jobserver-auth=fifo:/x', ours)).toBe(ours);
    expect(replaceJobserver('ks -j4 --jobserver-fds=5,6 --jobserver-auth=5,6 -- CC=gcc', ours)).toBe(`ks ${ours} -- CC=gcc`);
    expect(parseMakeflags(replaceJobserver('k -j9 --jobserver-auth=fifo:/y', ours))).toEqual({
      auth: { kind: 'fds', read: 3, write: 4 },
      jobs: 2,
    });
  });
});
