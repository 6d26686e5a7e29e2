import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleRoot } from '../testing/temp-workspace';
import { loadUnitGraph, unitGraphArgs, UnitGraphLoadError } from './unit-graph';

describe('unitGraphArgs', () => {
  it('spells mode, packages and profile as cargo takes them', () => {
    expect(unitGraphArgs({ cwd: '.', mode: 'check', packages: ['a', 'b'] })).toEqual(['check', '--unit-graph', '-Z', 'unstable-options', '-p', 'a', '-p', 'b']);
    expect(unitGraphArgs({ cwd: '.', mode: 'build', profile: 'release', toolchain: 'nightly' })).toEqual(['+nightly', 'build', '--unit-graph', '-Z', 'unstable-options', '--release']);
    expect(unitGraphArgs({ cwd: '.', mode: 'build', profile: 'bench-fast', workspace: true })).toContain('bench-fast');
  });
});

// Real cargo (stable: the loader passes RUSTC_BOOTSTRAP=1 for the unstable flag); it compiles nothing.
describe('loadUnitGraph', () => {
  it('reads the example\'s graph from a stable cargo', () => {
    const graph = loadUnitGraph({ cwd: exampleRoot, mode: 'check', packages: ['heavy'] });
    const names = graph.units.map((u) => `${u.target.name} ${u.mode}`).sort();
    expect(names).toEqual(['basis check', 'build-script-build build', 'build-script-build run-custom-build', 'codegen build', 'heavy check', 'util check']);
  });

  it('fails with one line when cargo does', () => {
    let error: unknown;
    try {
      loadUnitGraph({ cwd: exampleRoot, mode: 'check', packages: ['no-such-crate'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnitGraphLoadError);
    expect((error as Error).message).toMatch(/^fine-threads: cargo check --unit-graph .* failed in .*: package ID specification `no-such-crate` did not match any packages/);
    expect((error as Error).message).not.toContain('\n');
    const empty = mkdtempSync(join(tmpdir(), 'ft-ug-'));
    try {
      expect(() => loadUnitGraph({ cwd: empty, mode: 'build' })).toThrow(/could not find `Cargo.toml`/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
