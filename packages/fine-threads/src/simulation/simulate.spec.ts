import type { SimConfig, SimGraph, SimUnit, SpeedupCurve } from './model';
import { frontendFactor, priorities, requestedThreads, simulate, SimulationError } from './simulate';

// Every expected time below is worked out by hand in the comment beside it.
const curve: SpeedupCurve = { parallel: 0.5, plateau: 8, overhead: 0.1, source: 'default' };

interface Spec {
  fe?: number;
  be?: number;
  deps?: number[];
  rmeta?: number[];
  kind?: string;
  crate?: string;
  recordedStart?: number;
}

function graph(specs: Record<string, Spec>, startup?: number): SimGraph {
  const units = Object.entries(specs).map(
    ([name, s]): SimUnit => ({
      key: name,
      package: name,
      crate: s.crate ?? name,
      kind: s.kind ?? 'lib',
      frontend: s.fe ?? 0,
      backend: s.be ?? 0,
      deps: s.deps ?? [],
      rmetaDeps: s.rmeta ?? [],
      ...(s.recordedStart !== undefined ? { recordedStart: s.recordedStart } : {}),
    }),
  );
  return startup === undefined ? { units } : { units, startup };
}

function config(tokens: number, cores: number, threads: Record<string, number> = {}): SimConfig {
  return { tokens, cores, threads, curves: {}, defaultCurve: curve };
}

const byKey = (result: ReturnType<typeof simulate>, key: string) => {
  const unit = result.units.find((u) => u.key === key);
  if (!unit) throw new Error(`no ${key}`);
  return unit;
};

describe('requestedThreads', () => {
  it('takes a crate@version entry over the crate, for that version only', () => {
    const cfg = { cores: 4, threads: { clap: 2, 'clap@3.2.23': 4, 'syn@1.0.0': 1 } };
    expect(requestedThreads({ crate: 'clap', kind: 'lib', version: '3.2.23' }, cfg)).toBe(4);
    expect(requestedThreads({ crate: 'clap', kind: 'lib', version: '2.34.0' }, cfg)).toBe(2);
    expect(requestedThreads({ crate: 'clap', kind: 'lib' }, cfg)).toBe(2);
    expect(requestedThreads({ crate: 'syn', kind: 'lib', version: '1.0.0' }, cfg)).toBe(1);
    expect(requestedThreads({ crate: 'clap', kind: 'build-script', version: '3.2.23' }, cfg)).toBe(1);
  });
});

describe('simulate', () => {
  it('a chain runs one unit after the other, whatever the tokens', () => {
    // a 0–2, b 2–4, c 4–5: each waits for the end of the one before.
    const g = graph({ a: { fe: 1, be: 1 }, b: { fe: 2, deps: [0] }, c: { fe: 0.5, be: 0.5, deps: [1] } });
    for (const tokens of [1, 2, 8]) {
      const r = simulate(g, config(tokens, 8));
      expect(r.makespan).toBeCloseTo(5);
      expect([byKey(r, 'b').start, byKey(r, 'c').start]).toEqual([2, 4]);
      expect(byKey(r, 'a').metadata).toBeCloseTo(1);
    }
  });

  it('adds cargo start-up before the first unit', () => {
    const r = simulate(graph({ a: { fe: 1 }, b: { be: 1, deps: [0] } }, 0.5), config(2, 2));
    expect(byKey(r, 'a').start).toBe(0.5);
    expect(r.makespan).toBeCloseTo(2.5);
  });

  it('a fan-in waits for its slowest dependency, and J bounds the units at once', () => {
    // d needs a (3 s), b (2 s), c (1 s); d itself takes 1 s.
    const g = graph({ a: { be: 3 }, b: { be: 2 }, c: { be: 1 }, d: { be: 1, deps: [0, 1, 2] } });
    expect(simulate(g, config(3, 3)).makespan).toBeCloseTo(4); // all at once: 3 + 1
    expect(simulate(g, config(1, 1)).makespan).toBeCloseTo(7); // one at a time: 6 + 1
    // J=2, equal priorities, ties by index: a and b; b ends at 2, c 2–3, a ends at 3, d 3–4.
    const r = simulate(g, config(2, 2));
    expect(r.makespan).toBeCloseTo(4);
    expect(byKey(r, 'c').start).toBeCloseTo(2);
    expect(Math.max(...r.samples.map((s) => s.running))).toBe(2);
  });

  it('breaks ties the way the recorded build did', () => {
    // As above but c then b started first in the record: c 0–1, b 0–2, a 1–4, d 4–5.
    const g = graph({
      a: { be: 3, recordedStart: 2 },
      b: { be: 2, recordedStart: 1 },
      c: { be: 1, recordedStart: 0 },
      d: { be: 1, deps: [0, 1, 2] },
    });
    const r = simulate(g, config(2, 2));
    expect(byKey(r, 'a').start).toBeCloseTo(1);
    expect(r.makespan).toBeCloseTo(5);
  });

  it('pipelining: a dependent on metadata starts when the front-end ends, not the unit', () => {
    // a: front-end 2 s, back-end 3 s. b waits for a's metadata: 2–4; a ends at 5.
    const piped = simulate(graph({ a: { fe: 2, be: 3 }, b: { fe: 1, be: 1, rmeta: [0] } }), config(2, 2));
    expect(byKey(piped, 'b').start).toBeCloseTo(2);
    expect(piped.makespan).toBeCloseTo(5);
    // b waiting for a's end: 5–7.
    const full = simulate(graph({ a: { fe: 2, be: 3 }, b: { fe: 1, be: 1, deps: [0] } }), config(2, 2));
    expect(byKey(full, 'b').start).toBeCloseTo(5);
    expect(full.makespan).toBeCloseTo(7);
    // One token: b is ready at 2 but a holds the only token until 5.
    expect(byKey(simulate(graph({ a: { fe: 2, be: 3 }, b: { fe: 1, be: 1, rmeta: [0] } }), config(1, 2)), 'b').start).toBeCloseTo(5);
  });

  it('a threaded unit pipelines like any other; the first wrapper, which held its notice, on request', () => {
    // a at 2 threads alone: front-end 2 × 0.85 = 1.7, ends 4.7.
    const g = graph({ a: { fe: 2, be: 3 }, b: { fe: 1, be: 1, rmeta: [0] } });
    const direct = simulate(g, config(2, 2, { a: 2 }));
    expect(byKey(direct, 'a').metadata).toBeCloseTo(1.7);
    // b starts at 1.7 and holds the other token: a's back-end is one token anyway.
    expect(byKey(direct, 'b').start).toBeCloseTo(1.7);
    expect(direct.makespan).toBeCloseTo(4.7);
    // A wrapper that held the notice: b waits for a's end.
    const held = simulate(g, { ...config(2, 2, { a: 2 }), pipelining: 'unthreaded' });
    expect(byKey(held, 'b').start).toBeCloseTo(4.7);
  });

  it('token contention: the unit with the most dependents goes first', () => {
    // x (1 s) has a dependent y (3 s); p and q (1 s) have none. J=2: x and p 0–1, then y 1–4 and q 1–2.
    // In index order instead (p, q first) y would end at 5.
    const g = graph({ p: { be: 1 }, q: { be: 1 }, x: { be: 1 }, y: { be: 3, deps: [2] } });
    expect(priorities(g)).toEqual([1, 1, 2, 1]);
    const r = simulate(g, config(2, 2));
    expect(byKey(r, 'x').start).toBe(0);
    expect(byKey(r, 'q').start).toBeCloseTo(1);
    expect(r.makespan).toBeCloseTo(4);
  });

  it('counts transitive dependents, through metadata edges too', () => {
    expect(priorities(graph({ a: {}, b: { rmeta: [0] }, c: { deps: [1] }, d: { deps: [0, 1] } }))).toEqual([4, 3, 1, 1]);
    expect(() => priorities(graph({ a: { deps: [1] }, b: { deps: [0] } }))).toThrow(SimulationError);
  });

  it('a threaded front-end uses free tokens', () => {
    // 2 threads, a free token: factor 0.5 + 0.5/2 + 0.1 = 0.85, so 4 s → 3.4 s.
    const r = simulate(graph({ a: { fe: 4, be: 1 } }), config(2, 2, { a: 2 }));
    expect(byKey(r, 'a').metadata).toBeCloseTo(3.4);
    expect(r.makespan).toBeCloseTo(4.4);
    expect(byKey(r, 'a').threads).toBe(2);
    expect(r.samples[0]).toEqual({ t: 0, running: 1, threads: 2 });
    // 0 = every core: 4 threads, factor 0.5 + 0.125 + 0.1 = 0.725 → 2.9 s.
    expect(byKey(simulate(graph({ a: { fe: 4 } }), config(4, 4, { a: 0 })), 'a').end).toBeCloseTo(2.9);
    // Past the plateau nothing more: plateau 2 at 4 threads is 0.85 again.
    const flat = { ...config(4, 4, { a: 4 }), curves: { a: { ...curve, plateau: 2 } } };
    expect(simulate(graph({ a: { fe: 4 } }), flat).makespan).toBeCloseTo(3.4);
  });

  it('a threaded front-end without a free token pays the overhead, and takes a token when one frees', () => {
    // a asks for 2 threads, b holds the other token until 4: a runs at 1 thread, factor 1.1.
    // By 4 a has done 4/1.1 of its 4 s; the rest, 4 - 4/1.1, goes at 0.85.
    const r = simulate(graph({ a: { fe: 4 }, b: { be: 4 } }), config(2, 2, { a: 2 }));
    expect(byKey(r, 'a').end).toBeCloseTo(4 + (4 - 4 / 1.1) * 0.85);
    expect(r.samples.map((s) => [s.running, s.threads])).toEqual([
      [2, 2],
      [1, 2],
      [0, 0],
    ]);
    // With J=1 it never gets one: 4 × 1.1.
    expect(simulate(graph({ a: { fe: 4 } }), config(1, 1, { a: 2 })).makespan).toBeCloseTo(4.4);
  });

  it('adds a threaded rustc\'s fixed seconds, on one core, before its front-end', () => {
    // fixed 0.2: alone with a token, 0.2 + 4 × 0.85 = 3.6; its dependent on metadata starts then.
    const fixedCurve = { ...config(2, 2, { a: 2 }), defaultCurve: { ...curve, fixed: 0.2 } };
    const r = simulate(graph({ a: { fe: 4, be: 1 }, b: { be: 1, rmeta: [0] } }), fixedCurve);
    expect(byKey(r, 'a').metadata).toBeCloseTo(3.6);
    expect(byKey(r, 'b').start).toBeCloseTo(3.6);
    expect(r.makespan).toBeCloseTo(4.6);
    // On one core the fixed part is one core's worth: 0.2 + 4 × 1.1.
    expect(simulate(graph({ a: { fe: 4 } }), { ...fixedCurve, tokens: 1, cores: 1 }).makespan).toBeCloseTo(4.6);
    // Unthreaded units pay nothing.
    expect(simulate(graph({ a: { fe: 4 } }), { ...fixedCurve, threads: {} }).makespan).toBeCloseTo(4);
  });

  it('slows a threaded rustc\'s back-end by the curve\'s back-end overhead, bins and proc-macros too', () => {
    const slow = { ...config(2, 2, { a: 2, m: 2 }), defaultCurve: { ...curve, fixed: 0.2, backendOverhead: 0.5 } };
    // a: 0.2 + 4 × 0.85 = 3.6 to its metadata, then 2 × 1.5 = 3: ends 6.6.
    expect(byKey(simulate(graph({ a: { fe: 4, be: 2 } }), slow), 'a').end).toBeCloseTo(6.6);
    // m has no recorded front-end (a proc-macro in a build): 0.2 + 2 × 1.5.
    expect(simulate(graph({ m: { be: 2 } }), slow).makespan).toBeCloseTo(3.2);
    // Unthreaded: as recorded.
    expect(simulate(graph({ m: { be: 2 } }), { ...slow, threads: {} }).makespan).toBeCloseTo(2);
  });

  it('cargo takes a freed token before a helper does', () => {
    // a (threads 2, fe 10) starts with b (be 1); c (be 1) waits for b. At 1 c gets b's token, not a's helper.
    const r = simulate(graph({ a: { fe: 10 }, b: { be: 1 }, c: { be: 1, deps: [1] } }), config(2, 2, { a: 2 }));
    expect(byKey(r, 'c').start).toBeCloseTo(1);
    // a: 0–2 at factor 1.1 (2/1.1 done), then the rest at 0.85.
    expect(byKey(r, 'a').end).toBeCloseTo(2 + (10 - 2 / 1.1) * 0.85);
  });

  it('slows every unit down when they want more cores than there are', () => {
    // 4 tokens, 2 cores, four 2 s units: each runs at half speed, all end at 4.
    const r = simulate(graph({ a: { be: 2 }, b: { be: 2 }, c: { be: 2 }, d: { be: 2 } }), config(4, 2));
    expect(r.makespan).toBeCloseTo(4);
    // 2 threads on 1 core: the front-end takes its CPU time, 4 s × (1 + 0.1), not 4 × 0.85.
    expect(simulate(graph({ a: { fe: 4 } }), config(2, 1, { a: 2 })).makespan).toBeCloseTo(4.4);
    // 3 threads on 2 cores: they want 1.1 / (0.5 + 0.5/3 + 0.1) = 1.43 cores, which there are: 3 × 0.7667.
    expect(simulate(graph({ a: { fe: 3 } }), config(3, 2, { a: 3 })).makespan).toBeCloseTo(2.3);
    // With a back-end beside it they want 2.43 cores of 2: both slow by 2/2.43 until b ends.
    const both = simulate(graph({ a: { fe: 3 }, b: { be: 1 } }), config(4, 2, { a: 3 }));
    const want = 1 + 1.1 / (0.5 + 0.5 / 3 + 0.1);
    expect(byKey(both, 'b').end).toBeCloseTo(want / 2);
  });

  it('units with no work finish at once and take no token', () => {
    // f is fresh: b starts as soon as a ends, and f never holds up x.
    const r = simulate(graph({ a: { be: 1 }, f: {}, b: { be: 1, deps: [0, 1] }, x: { be: 2 } }), config(2, 2));
    expect(byKey(r, 'f').end).toBe(0);
    expect(byKey(r, 'b').start).toBeCloseTo(1);
    expect(r.makespan).toBeCloseTo(2);
  });

  it('never threads build scripts, and counts 0 as every core', () => {
    expect(requestedThreads({ crate: 'build_script_build', kind: 'build-script-run' }, { threads: { build_script_build: 4 }, cores: 8 })).toBe(1);
    expect(requestedThreads({ crate: 'x', kind: 'lib' }, { threads: { x: 0 }, cores: 8 })).toBe(8);
    expect(requestedThreads({ crate: 'y', kind: 'lib' }, { threads: { x: 0 }, cores: 8 })).toBe(1);
    expect(frontendFactor(curve, 1, 1)).toBe(1);
  });

  it('rejects bad input with one line', () => {
    expect(() => simulate(graph({ a: { deps: [3] } }), config(2, 2))).toThrow(/dependency index 3/);
    expect(() => simulate(graph({ a: {} }), config(0, 2))).toThrow(/tokens/);
    expect(() => simulate(graph({ a: { be: 1, deps: [1] }, b: { be: 1, deps: [0] } }), config(2, 2))).toThrow(/cycle/);
  });
});
