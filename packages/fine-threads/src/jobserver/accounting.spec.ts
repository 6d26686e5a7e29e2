import { endOfRunNote, maxAvailable, maxInUse, parseTrace, samplesDuring, traceHeader, traceLine } from './accounting';

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
