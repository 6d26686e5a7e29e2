import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';

// Each bad input gets one clear line, never a stack trace, and breaks nothing else.
let ws: TempWorkspace;
beforeAll(() => {
  // The example's second Cargo workspace (tools/) must survive a broken first one.
  ws = TempWorkspace.fromExample();
});
afterAll(() => ws.dispose());

const STACK = /^\s+at .+\(.+:\d+:\d+\)$/m;

/** PATH without any directory that holds cargo. */
function pathWithoutCargo(): string {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => {
      try {
        accessSync(join(dir, 'cargo'), constants.X_OK);
        return false;
      } catch {
        return true;
      }
    })
    .join(delimiter);
}

const lines = (output: string, pattern: RegExp) => output.split('\n').filter((l) => pattern.test(l));

describe('bad input', () => {
  it('cargo missing from PATH: the task fails, saying how to install it', () => {
    expect(ws.nx(['show', 'projects']).code).toBe(0); // projects known from the inference cache
    const r = ws.nx(['build', 'heavy', '--skip-nx-cache'], { PATH: pathWithoutCargo() });
    expect(r.code).not.toBe(0);
    expect(lines(r.output, /cargo was not found on PATH/)).toEqual([
      'fine-threads: cargo was not found on PATH: install Rust with rustup (https://rustup.rs) or add cargo to PATH.',
    ]);
    expect(r.output).not.toMatch(STACK);
  });

  it("a malformed member Cargo.toml: one warning naming the file, only that crate dropped", () => {
    const good = ws.read('crates/heavy/Cargo.toml');
    ws.write('crates/heavy/Cargo.toml', good.replace('[package]', '[package\n'));
    try {
      const r = ws.nx(['show', 'projects', '--json']);
      expect(r.code).toBe(0);
      // app depends on heavy by path and is still listed; so are the other Cargo workspace and the TS package.
      expect(JSON.parse(r.stdout).sort()).toEqual(
        ['@mixed/web', 'app', 'basis', 'codegen', 'rulebook', 'rules-naming', 'rules-style', 'testkit', 'util'].sort(),
      );
      const warnings = lines(r.output, /fine-threads:/);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^fine-threads: skipped crates\/heavy\/Cargo\.toml \(its crate only\): .*crates\/heavy\/Cargo\.toml/);
      expect(warnings[0]).toMatch(/TOML|invalid|expected/i);
      expect(r.output).not.toMatch(STACK);
      // The graph still has the dependents' other edges.
      expect(ws.nx(['graph', '--file=tmp/graph.json']).code).toBe(0);
      const deps = JSON.parse(ws.read('tmp/graph.json')).graph.dependencies as Record<string, { target: string }[]>;
      expect(deps.util.map((d) => d.target).sort()).toEqual(['basis', 'codegen']);
    } finally {
      ws.write('crates/heavy/Cargo.toml', good);
    }
    expect(JSON.parse(ws.nx(['show', 'projects', '--json']).stdout)).toContain('heavy');
  });

  it('a malformed workspace root Cargo.toml: its crates are dropped, other Cargo workspaces stay', () => {
    const good = ws.read('Cargo.toml');
    ws.write('Cargo.toml', good.replace('[workspace]', '[workspace\n'));
    try {
      const r = ws.nx(['show', 'projects', '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).sort()).toEqual(['@mixed/web', 'rulebook', 'rules-naming', 'rules-style']);
      // One line for the broken file; the TS package that declares `app` may say, once, that the
      // crate is gone with it (Nx computes graph edges only when it recomputes the graph).
      const warnings = lines(r.output, /fine-threads:/);
      const consequence = 'fine-threads: packages/web/package.json names "app" in fine-threads.crates, but no crate is called so.';
      expect(warnings.filter((w) => w !== consequence)).toHaveLength(1);
      expect(warnings.filter((w) => w === consequence).length).toBeLessThanOrEqual(1);
      expect(warnings[0]).toMatch(/^fine-threads: skipped Cargo\.toml \(the whole Cargo workspace\): .*\(at Cargo\.toml:1:/);
      expect(r.output).not.toMatch(STACK);
    } finally {
      ws.write('Cargo.toml', good);
    }
  });

  it('an unknown executor option fails before cargo starts', () => {
    const r = ws.nx(['check', 'basis', '--jobz=2']);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/jobz/);
    expect(r.output).not.toContain('> cargo');
    expect(r.output).not.toMatch(STACK);
  });

  it('an ill-typed executor option fails before cargo starts', () => {
    const r = ws.nx(['check', 'basis', '--allFeatures=perhaps']);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/allFeatures/);
    expect(r.output).not.toContain('> cargo');
    expect(r.output).not.toMatch(STACK);
  });

  it('a crate that is not in the workspace', () => {
    const r = ws.nx(['build', 'no-such-crate']);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/no-such-crate/);
    expect(r.output).not.toMatch(STACK);
  });
});

// The same in a workspace made here, as a user's might be laid out: the Cargo workspace under
// rust/, beside a TS package, and the broken crate one that another depends on.
describe('a malformed member Cargo.toml in a nested Cargo workspace', () => {
  let own: TempWorkspace;
  beforeAll(() => {
    own = TempWorkspace.empty('ft-bad-member-');
    own.write('package.json', JSON.stringify({ name: 'ws', private: true, workspaces: ['packages/*'] }));
    own.write('rust/Cargo.toml', '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n');
    own.crate('rust/crates/calc', 'calc', 'pub fn one() -> u32 {\n    1\n}\n');
    own.crate('rust/crates/textutil', 'textutil', 'pub fn two() -> u32 {\n    calc::one() + 1\n}\n', '\n[dependencies]\ncalc = { path = "../calc" }\n');
    own.crate('rust/crates/toolbox', 'toolbox', 'pub fn three() -> u32 {\n    3\n}\n');
    own.write('packages/web/package.json', JSON.stringify({ name: '@ws/web', version: '0.0.0', 'fine-threads': { crates: ['textutil'] } }));
  });
  afterAll(() => own.dispose());

  it('drops that crate only, with one warning naming its file; the crate that depends on it stays', () => {
    own.write('rust/crates/calc/Cargo.toml', '[package\nname = "calc"\n');
    const r = own.nx(['show', 'projects', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).sort()).toEqual(['@ws/web', 'textutil', 'toolbox']);
    const warnings = lines(r.output, /fine-threads:/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^fine-threads: skipped rust\/crates\/calc\/Cargo\.toml \(its crate only\): /);
    expect(r.output).not.toMatch(STACK);
  });
});
