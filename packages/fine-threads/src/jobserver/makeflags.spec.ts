import { endOfRunNote, maxAvailable, maxInUse, parseTrace, samplesDuring, traceHeader, traceLine } from './accounting';
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

describe('token accounting', () => {
  const trace = parseTrace(
    traceHeader(2) + [{ t: 100n, available: 2 }, { t: 200n, available: 1 }, { t: 300n, available: 0 }, { t: 400n, available: 2 }].map(traceLine).join(''),
  );

  it('reads a trace', () => {
    expect(trace.jobs).toBe(2);
    expect(trace.samples).toHaveLength(4);
    expect(() => parseTrace('100 2\n')).toThrow(/not a fine-threads jobserver trace/);
  });

  it('tokens in use over a window include the sample in effect when it opens', () => {
    expect(samplesDuring(trace, 250n, 350n).map((s) => s.t)).toEqual([200n, 300n]);
    expect(maxInUse(trace, 210n, 290n)).toBe(1);
    expect(maxInUse(trace, 250n, 350n)).toBe(2);
    expect(maxInUse(trace, 410n, 500n)).toBe(0);
    expect(maxInUse(trace)).toBe(2);
    expect(maxAvailable(trace)).toBe(2);
  });

  it('says in one line what the end of a run found', () => {
    expect(endOfRunNote(2, 2)).toBeUndefined();
    expect(endOfRunNote(2, 1)).toBe(
      'fine-threads: 1 of 2 jobserver tokens was not given back by the end of the run (a task was killed while holding it); the next run starts with all 2.',
    );
    expect(endOfRunNote(4, 1)).toMatch(/^fine-threads: 3 of 4 jobserver tokens were not given back/);
    expect(endOfRunNote(2, 3)).toBe(
      'fine-threads: the jobserver held 3 tokens at the end of the run, more than its 2: a client gave back tokens it never took.',
    );
  });
});
