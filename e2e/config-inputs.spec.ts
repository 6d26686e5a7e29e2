import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';

// Every config file cargo or one of its tools reads is a cache input: editing
// it misses the cache, in a fresh Nx workspace whose Cargo workspaces live in
// rust/ (textutil) and rust/tools/ (toolbox, a workspace of its own).
let ws: TempWorkspace;
const cargoHome = () => ws.path('cargo-home');

beforeAll(() => {
  ws = TempWorkspace.empty('ft-inputs-');
  ws.write('rust/Cargo.toml', '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n');
  // Formatted as rustfmt's defaults want it (spaces, not tabs).
  ws.crate('rust/crates/textutil', 'textutil', 'pub fn shout(s: &str) -> String {\n    let textish = s.to_uppercase();\n    textish + "!"\n}\n');
  ws.write('rust/tools/Cargo.toml', '[package]\nname = "toolbox"\nversion = "0.1.0"\nedition = "2021"\n\n[workspace]\n');
  ws.write('rust/tools/src/lib.rs', 'pub fn tool() {}\n');
  // cargo's fingerprint notices an edited clippy.toml, but not a new one (cargo 1.95), so it exists from the start.
  ws.write('rust/clippy.toml', 'disallowed-names = ["other"]\n');
  mkdirSync(cargoHome());
  // The lock files exist before the first run, so that run's hash is the next one's.
  for (const dir of ['rust', 'rust/tools']) {
    const r = spawnSync('cargo', ['generate-lockfile', '--offline'], { cwd: ws.path(dir), encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  }
});
afterAll(() => ws.dispose());

const HIT = /Cache:\s+1\/1 hit/;
// A failed task prints no cache summary, so a miss is a run without Nx's note that it replayed the cache.
const FROM_CACHE = /Nx read the output from the cache|existing outputs match the cache|\[local cache\]|Cache:\s+1\/1 hit/;

/** Runs a target until it is served from the cache, edits a file, and returns the run after the edit. */
function afterEdit(target: string, project: string, edit: () => void, env: NodeJS.ProcessEnv = {}) {
  ws.nx([target, project], env);
  const warm = ws.nx([target, project], env);
  expect(warm.output).toMatch(HIT);
  edit();
  return ws.nx([target, project], env);
}

describe('cache inputs that follow cargo and its tools', () => {
  it('rustfmt.toml at the Cargo workspace root: fmt misses the cache and fails as cargo fmt --check does', () => {
    try {
      const r = afterEdit('fmt', 'textutil', () => ws.write('rust/rustfmt.toml', 'hard_tabs = true\n'));
      expect(r.output).not.toMatch(FROM_CACHE);
      expect(r.code).not.toBe(0);
      expect(r.output).toMatch(/Diff in .*textutil\/src\/lib\.rs/);
    } finally {
      rmSync(ws.path('rust/rustfmt.toml'));
    }
  });

  it(".rustfmt.toml in the crate's directory: fmt misses the cache", () => {
    try {
      const r = afterEdit('fmt', 'textutil', () => ws.write('rust/crates/textutil/.rustfmt.toml', 'hard_tabs = true\n'));
      expect(r.output).not.toMatch(FROM_CACHE);
      expect(r.code).not.toBe(0);
      expect(r.output).toMatch(/Diff in .*textutil\/src\/lib\.rs/);
    } finally {
      rmSync(ws.path('rust/crates/textutil/.rustfmt.toml'));
    }
  });

  it('clippy.toml at the Cargo workspace root: lint misses the cache and clippy applies it', () => {
    const r = afterEdit('lint', 'textutil', () => ws.write('rust/clippy.toml', 'disallowed-names = ["textish"]\n'));
    expect(r.output).not.toMatch(FROM_CACHE);
    expect(r.code).toBe(0); // a warning, not an error
    expect(r.output).toMatch(/disallowed_names/);
  });

  it('rust-toolchain.toml above the Cargo workspace (rustup looks in the parents): check misses the cache', () => {
    const r = afterEdit('check', 'textutil', () => ws.write('rust-toolchain.toml', '[toolchain]\nchannel = "stable"\n'));
    expect(r.output).not.toMatch(FROM_CACHE);
    expect(r.output).toMatch(/Successfully ran target/);
  });

  it('.cargo/config.toml in a parent of the Cargo workspace: check misses the cache', () => {
    // toolbox's Cargo workspace is rust/tools; cargo running there reads rust/.cargo/config.toml too.
    const r = afterEdit('check', 'toolbox', () => ws.write('rust/.cargo/config.toml', '[env]\nFROM_PARENT = "1"\n'));
    expect(r.output).not.toMatch(FROM_CACHE);
    expect(r.output).toMatch(/Successfully ran target/);
  });

  it('config.toml in $CARGO_HOME, outside the workspace: check misses the cache', () => {
    const env = { CARGO_HOME: cargoHome() };
    const r = afterEdit('check', 'toolbox', () => ws.write('cargo-home/config.toml', '[env]\nFROM_HOME = "1"\n'), env);
    expect(r.output).not.toMatch(FROM_CACHE);
    expect(r.output).toMatch(/Successfully ran target/);
  });

  it('an unrelated file misses nothing', () => {
    const r = afterEdit('check', 'textutil', () => ws.write('rust/notes.txt', 'not read by cargo\n'));
    expect(r.output).toMatch(HIT);
  });
});
