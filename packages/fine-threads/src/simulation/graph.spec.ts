import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UnitRecord } from '../recording/record';
import { joinUnitGraph, parsePackageId, UnitGraphError, type UnitGraph } from './graph';
import type { SimGraph, SpeedupCurve } from './model';
import { simulate } from './simulate';

// Real `cargo <mode> --unit-graph -Z unstable-options` output (cargo 1.95) for examples/mixed-workspace
// (paths shortened to /ws), and the seed workload's `cargo check` graph with only the fields read here.
const fixture = (name: string): UnitGraph => JSON.parse(readFileSync(join(__dirname, '__fixtures__', name), 'utf8'));
const curve: SpeedupCurve = { parallel: 0.5, plateau: 8, overhead: 0.1, source: 'default' };

/** A real record of `cargo check -p app` of the example (J=2, 2 cores), as the recorder writes it. */
const checkRecord: UnitRecord[] = [
  { package: 'basis', version: '0.1.0', crate: 'basis', kind: 'lib', start: 0.53, end: 1.34, frontend: 0.72, backend: 0.09, threads: 1, concurrent: 1 },
  { package: 'codegen', version: '0.1.0', crate: 'codegen', kind: 'lib', start: 0.53, end: 1.34, frontend: 0.71, backend: 0.1, threads: 1, concurrent: 1 },
  { package: 'util', version: '0.1.0', crate: 'build_script_build', kind: 'build-script', start: 1.34, end: 2.02, threads: 1, concurrent: 0 },
  { package: 'util', version: '0.1.0', crate: 'build_script_build', kind: 'build-script-run', start: 2.03, end: 2.04, threads: 1, concurrent: 0 },
  { package: 'util', version: '0.1.0', crate: 'util', kind: 'lib', start: 2.05, end: 2.43, frontend: 0.33, backend: 0.05, threads: 1, concurrent: 0 },
  { package: 'heavy', version: '0.1.0', crate: 'heavy', kind: 'lib', start: 2.42, end: 8.88, frontend: 6.4, backend: 0.06, threads: 1, concurrent: 0 },
  { package: 'app', version: '0.1.0', crate: 'app', kind: 'bin', start: 8.88, end: 8.98, frontend: 0.08, backend: 0.02, threads: 1, concurrent: 0 },
];

const unit = (g: SimGraph, key: string) => {
  const i = g.units.findIndex((u) => u.key === key);
  if (i < 0) throw new Error(`no unit ${key} in ${g.units.map((u) => u.key).join(', ')}`);
  return { i, ...g.units[i] };
};
const names = (g: SimGraph, indices: number[]) => indices.map((i) => g.units[i].key).sort();

describe('parsePackageId', () => {
  it('reads every spelling cargo uses', () => {
    expect(parsePackageId('path+file:///ws/crates/app#0.1.0')).toEqual({ name: 'app', version: '0.1.0' });
    expect(parsePackageId('path+file:///ws/crates/core#basis@0.1.0')).toEqual({ name: 'basis', version: '0.1.0' });
    expect(parsePackageId('registry+https://github.com/rust-lang/crates.io-index#serde@1.0.152')).toEqual({ name: 'serde', version: '1.0.152' });
    expect(parsePackageId('libgit2-sys 0.14.1+1.5.0 (registry+https://github.com/rust-lang/crates.io-index)')).toEqual({ name: 'libgit2-sys', version: '0.14.1+1.5.0' });
    expect(parsePackageId('git+https://example.com/x.git?branch=main#y@0.2.0')).toEqual({ name: 'y', version: '0.2.0' });
    expect(() => parsePackageId('nonsense')).toThrow(UnitGraphError);
  });
});

describe('joinUnitGraph', () => {
  it('check: every edge waits for the end (check units give no pipelining), bins wait for everything below', () => {
    const g = joinUnitGraph(fixture('example-check-app.json'), checkRecord, {}, curve);
    expect(g.units).toHaveLength(7);
    const heavy = unit(g, 'heavy 0.1.0 lib heavy');
    expect(names(g, heavy.deps)).toEqual(['basis 0.1.0 lib basis', 'util 0.1.0 lib util']);
    expect(heavy.rmetaDeps).toEqual([]);
    expect(names(g, unit(g, 'util 0.1.0 lib util').deps)).toEqual(['basis 0.1.0 lib basis', 'util 0.1.0 build-script-run build_script_build']);
    // The build script's run needs its compile, and so everything its compile needed.
    expect(names(g, unit(g, 'util 0.1.0 build-script-run build_script_build').deps)).toEqual([
      'codegen 0.1.0 lib codegen',
      'util 0.1.0 build-script build_script_build',
    ]);
    expect(unit(g, 'app 0.1.0 bin app').deps).toHaveLength(6);
    expect(g.units.every((u) => u.rmetaDeps.length === 0)).toBe(true);
    expect(g.leftOut).toBeUndefined();
  });

  it('pairs a crate built for a build script and checked for the lib by mode, not by back-end length', () => {
    // cfg-if in the seed's cargo check: one unit in build mode (for a build script), one in check mode.
    const graph = fixture('seed-check.min.json');
    const cfgIf = (mode: string, start: number, frontend: number, backend: number): UnitRecord => ({
      package: 'cfg-if', version: '1.0.0', crate: 'cfg_if', kind: 'lib', mode, start, end: start + frontend + backend, frontend, backend, threads: 1, concurrent: 0,
    });
    // The check unit's back-end is the longer one here, so pairing by back-end would swap them.
    const g = joinUnitGraph(graph, [cfgIf('build', 0, 0.2, 0.1), cfgIf('check', 1, 0.3, 0.5)], {}, curve);
    const byMode = (mode: string) => g.units[graph.units.findIndex((u) => u.pkg_id.endsWith('#cfg-if@1.0.0') && u.mode === mode)];
    expect(byMode('build')).toMatchObject({ frontend: 0.2, backend: 0.1, version: '1.0.0' });
    expect(byMode('check')).toMatchObject({ frontend: 0.3, backend: 0.5 });
    expect(g.leftOut).toBeUndefined();
  });

  it('build: rlibs wait for their rlib dependencies\' metadata only', () => {
    const g = joinUnitGraph(fixture('example-build-app.json'), [], {}, curve);
    const heavy = unit(g, 'heavy 0.1.0 lib heavy');
    expect(names(g, heavy.rmetaDeps)).toEqual(['basis 0.1.0 lib basis', 'util 0.1.0 lib util']);
    expect(heavy.deps).toEqual([]);
    const util = unit(g, 'util 0.1.0 lib util');
    expect(names(g, util.rmetaDeps)).toEqual(['basis 0.1.0 lib basis']);
    expect(names(g, util.deps)).toEqual(['util 0.1.0 build-script-run build_script_build']);
    // The bin links: the end of every rlib below it, not their metadata.
    const app = unit(g, 'app 0.1.0 bin app');
    expect(app.rmetaDeps).toEqual([]);
    expect(names(g, app.deps)).toContain('basis 0.1.0 lib basis');
    // Nothing recorded: every unit is fresh, and the build takes no time.
    expect(g.units.every((u) => u.frontend === 0 && u.backend === 0)).toBe(true);
    expect(simulate(g, { tokens: 2, cores: 2, threads: {}, curves: {}, defaultCurve: curve }).makespan).toBe(0);
  });

  it('test: leaves doc tests out; a test harness waits for the end of everything below it', () => {
    const g = joinUnitGraph(fixture('example-test-util.json'), [], {}, curve);
    expect(g.units).toHaveLength(6);
    const harnesses = g.units.filter((u) => u.package === 'util' && u.kind === 'lib');
    expect(harnesses.map((u) => u.key).sort()).toEqual(['util 0.1.0 lib util (build)', 'util 0.1.0 lib util (test)']);
    const test = unit(g, 'util 0.1.0 lib util (test)');
    expect(test.rmetaDeps).toEqual([]);
    expect(names(g, test.deps)).toEqual([
      'basis 0.1.0 lib basis',
      'codegen 0.1.0 lib codegen',
      'util 0.1.0 build-script build_script_build',
      'util 0.1.0 build-script-run build_script_build',
    ]);
  });

  it('takes front-ends and back-ends from the record, and replays it', () => {
    const g = joinUnitGraph(fixture('example-check-app.json'), checkRecord, {}, curve, { startup: 0.53, tokens: 2, cores: 2 });
    expect(unit(g, 'heavy 0.1.0 lib heavy')).toMatchObject({ frontend: 6.4, backend: 0.06, recordedStart: 2.42 });
    expect(unit(g, 'util 0.1.0 build-script build_script_build')).toMatchObject({ frontend: 0, backend: 0.68 });
    const r = simulate(g, { tokens: 2, cores: 2, threads: {}, curves: {}, defaultCurve: curve });
    // The chain of the record: 0.53 + 0.81 + 0.68 + 0.01 + 0.38 + 6.46 + 0.10 = 8.97 (measured 8.98).
    expect(r.makespan).toBeCloseTo(8.97, 2);
  });

  it('brings a threaded front-end back to 1 thread by its curve and what the others held', () => {
    const threaded = checkRecord.map((u) => (u.crate === 'heavy' ? { ...u, threads: 2, frontend: 6.4 * 0.85 } : u));
    const g = joinUnitGraph(fixture('example-check-app.json'), threaded, {}, curve, { tokens: 2, cores: 2 });
    expect(unit(g, 'heavy 0.1.0 lib heavy').frontend).toBeCloseTo(6.4); // alone: factor 0.85
    const contended = checkRecord.map((u) => (u.crate === 'heavy' ? { ...u, threads: 2, concurrent: 1, frontend: 6.4 * 1.1 } : u));
    const fitted = { heavy: { ...curve, overhead: 0.2, source: 'fitted' as const } };
    expect(unit(joinUnitGraph(fixture('example-check-app.json'), contended, {}, curve, { tokens: 2 }), 'heavy 0.1.0 lib heavy').frontend).toBeCloseTo(6.4);
    expect(unit(joinUnitGraph(fixture('example-check-app.json'), contended, fitted, curve, { tokens: 2 }), 'heavy 0.1.0 lib heavy').frontend).toBeCloseTo((6.4 * 1.1) / 1.2);
    // Its back-end, by the back-end overhead; a threaded bin's whole span likewise.
    const slowBackEnd = { ...curve, backendOverhead: 0.5 };
    const threadedApp = threaded.map((u) => (u.crate === 'app' ? { ...u, threads: 2, frontend: undefined, backend: undefined } : u));
    const slowGraph = joinUnitGraph(fixture('example-check-app.json'), threadedApp, {}, slowBackEnd, { tokens: 2 });
    expect(unit(slowGraph, 'heavy 0.1.0 lib heavy').backend).toBeCloseTo(0.06 / 1.5);
    expect(unit(slowGraph, 'app 0.1.0 bin app')).toMatchObject({ frontend: 0 });
    expect(unit(slowGraph, 'app 0.1.0 bin app').backend).toBeCloseTo(0.1 / 1.5);
  });

  it('takes units cargo found fresh as 0 s, and leaves out recorded units it does not need', () => {
    const partial = checkRecord.filter((u) => u.crate !== 'basis');
    const other: UnitRecord = { package: 'elsewhere', version: '1.0.0', crate: 'elsewhere', kind: 'lib', start: 0, end: 5, frontend: 4, backend: 1, threads: 1, concurrent: 0 };
    const g = joinUnitGraph(fixture('example-check-app.json'), [...partial, other], {}, curve);
    expect(unit(g, 'basis 0.1.0 lib basis')).toMatchObject({ frontend: 0, backend: 0 });
    expect(unit(g, 'basis 0.1.0 lib basis').recordedStart).toBeUndefined();
    expect(g.leftOut).toEqual(['elsewhere 1.0.0 lib elsewhere']);
    // Records from before versions were recorded still match, by name and kind.
    const unversioned = checkRecord.map(({ version: _v, ...u }) => u);
    expect(unit(joinUnitGraph(fixture('example-check-app.json'), unversioned, {}, curve), 'heavy 0.1.0 lib heavy').frontend).toBe(6.4);
  });

  it('on the seed workload: a crate both built (for build scripts) and checked gets the longer back-end where code is generated', () => {
    const seed = fixture('seed-check.min.json');
    const libc = (backend: number, start: number): UnitRecord => ({ package: 'libc', version: '0.2.139', crate: 'libc', kind: 'lib', start, end: start + 1 + backend, frontend: 1, backend, threads: 1, concurrent: 1 });
    const g = joinUnitGraph(seed, [libc(0.02, 0.5), libc(1.5, 0.6)], {}, curve);
    expect(g.units).toHaveLength(seed.units.length);
    expect(new Set(g.units.map((u) => u.key)).size).toBe(g.units.length);
    expect(unit(g, 'libc 0.2.139 lib libc (build)').backend).toBe(1.5);
    expect(unit(g, 'libc 0.2.139 lib libc (check)').backend).toBe(0.02);
    // One record only: it goes to the unit that generates code; the other is taken as fresh.
    const one = joinUnitGraph(seed, [libc(1.5, 0.6)], {}, curve);
    expect(unit(one, 'libc 0.2.139 lib libc (build)').backend).toBe(1.5);
    expect(unit(one, 'libc 0.2.139 lib libc (check)').backend).toBe(0);
    // In a check, only build-mode rlibs (build-script dependencies) pipeline, and only into build-mode rlibs.
    for (const u of g.units) for (const d of u.rmetaDeps) expect([u.key, g.units[d].key].every((k) => k.includes('(build)') || !k.includes('(check)'))).toBe(true);
    // The whole graph simulates: every unit ends.
    const r = simulate(g, { tokens: 2, cores: 2, threads: {}, curves: {}, defaultCurve: curve });
    expect(r.units.every((u) => Number.isFinite(u.end))).toBe(true);
  });

  it('rejects a graph that is not one, with one line', () => {
    expect(() => joinUnitGraph({} as UnitGraph, [], {}, curve)).toThrow(/no "units" array/);
    const bad = fixture('example-check-app.json');
    bad.units[0].dependencies.push({ index: 99 });
    expect(() => joinUnitGraph(bad, [], {}, curve)).toThrow(/depends on 99/);
  });
});
