import { spawnSync } from 'node:child_process';
import { TempWorkspace } from '../packages/fine-threads/src/testing/temp-workspace';

// Real `nx release version` with the plugin's version actions, in a git repository made here:
// three crates, b depends on a (path + version), c on nothing. No registry is asked.
let ws: TempWorkspace;

function git(args: string[]): string {
  const r = spawnSync('git', args, { cwd: ws.root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function cargo(args: string[]) {
  return spawnSync('cargo', args, { cwd: ws.root, encoding: 'utf8', env: { ...process.env, CARGO_NET_OFFLINE: 'true' } });
}

beforeAll(() => {
  ws = TempWorkspace.empty('ft-release-');
  ws.write(
    'nx.json',
    JSON.stringify({
      plugins: ['fine-threads'],
      release: {
        projects: ['a', 'b', 'c'],
        version: { git: { commit: false, tag: false, stageChanges: false }, versionActions: 'fine-threads/release/version-actions', currentVersionResolver: 'disk' },
      },
    }),
  );
  ws.write('Cargo.toml', '# the workspace\n[workspace]\nresolver = "2"\nmembers = ["crates/a", "crates/b", "crates/c"]\n');
  ws.crate('crates/a', 'a', 'pub fn a() -> u32 {\n    1\n}\n');
  ws.crate('crates/b', 'b', 'pub fn b() -> u32 {\n    a::a() + 1\n}\n', '\n[dependencies]\na = { path = "../a", version = "0.1.0" } # keep this comment\n');
  ws.crate('crates/c', 'c', 'pub fn c() -> u32 {\n    3\n}\n');
  const lock = cargo(['generate-lockfile', '--offline']);
  if (lock.status !== 0) throw new Error(lock.stderr);
  git(['init', '-q']);
  git(['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '-A']);
  git(['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'initial']);
}, 120_000);
afterAll(() => ws?.dispose());

describe('nx release version with fine-threads version actions', () => {
  it('--dry-run prints the plan and writes nothing', () => {
    const r = ws.nx(['release', 'version', '0.2.0', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/New version 0\.2\.0 written to manifest: crates\/a\/Cargo\.toml/);
    expect(r.output).toMatch(/Requirement on a set to "0\.2\.0" in crates\/b\/Cargo\.toml/);
    expect(r.output).toMatch(/would refresh Cargo\.lock/);
    expect(git(['status', '--porcelain'])).toBe('');
  }, 300_000);

  it('bumps every crate, b\'s requirement on a and Cargo.lock; cargo check still passes', () => {
    const r = ws.nx(['release', 'version', '0.2.0']);
    expect(r.code).toBe(0);
    for (const c of ['a', 'b', 'c']) expect(ws.read(`crates/${c}/Cargo.toml`)).toMatch(/^version = "0\.2\.0"$/m);
    expect(ws.read('crates/b/Cargo.toml')).toContain('a = { path = "../a", version = "0.2.0" } # keep this comment\n');
    expect(ws.read('Cargo.toml')).toContain('# the workspace\n');
    const lock = ws.read('Cargo.lock');
    for (const c of ['a', 'b', 'c']) expect(lock).toContain(`name = "${c}"\nversion = "0.2.0"`);
    expect(git(['status', '--porcelain']).split('\n').filter(Boolean).sort()).toEqual([
      ' M Cargo.lock',
      ' M crates/a/Cargo.toml',
      ' M crates/b/Cargo.toml',
      ' M crates/c/Cargo.toml',
    ]);
    const check = cargo(['check', '--offline', '--locked']);
    expect(check.stderr).not.toMatch(/^error/m);
    expect(check.status).toBe(0);
  }, 300_000);

  it('nx release publish --dry-run runs cargo publish --dry-run per crate, and says in one line that crates.io is out of reach', () => {
    const r = ws.nx(['release', 'publish', '--dry-run']);
    expect(r.output).toMatch(/> cargo publish -p a --manifest-path crates\/a\/Cargo\.toml --dry-run/);
    expect(r.output).toMatch(/^fine-threads: cargo publish could not reach crates\.io \(.+\): cargo publish --dry-run needs the registry index to verify the crate\.$/m);
    expect(r.output).not.toMatch(/Caused by/);
    expect(r.code).not.toBe(0);
  }, 300_000);
});

// A Cargo workspace below the Nx root whose crates inherit `[workspace.package] version` and
// take their dependency on p from `[workspace.dependencies]`.
describe('nx release version with inherited versions in a nested Cargo workspace', () => {
  let nested: TempWorkspace;
  const sh = (cmd: string, args: string[], cwd: string) => {
    const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  beforeAll(() => {
    nested = TempWorkspace.empty('ft-release-ws-');
    nested.write(
      'nx.json',
      JSON.stringify({
        plugins: ['fine-threads'],
        release: {
          projects: ['p', 'q'],
          version: { git: { commit: false, tag: false, stageChanges: false }, versionActions: 'fine-threads/release/version-actions', currentVersionResolver: 'disk' },
        },
      }),
    );
    nested.write('rust/Cargo.toml', '[workspace]\nmembers = ["p", "q"]\nresolver = "2"\n\n[workspace.package]\nversion = "1.0.0" # all of us\n\n[workspace.dependencies]\np = { path = "p", version = "1.0.0" }\n');
    nested.write('rust/p/Cargo.toml', '[package]\nname = "p"\nversion.workspace = true\nedition = "2021"\n');
    nested.write('rust/p/src/lib.rs', 'pub fn p() {}\n');
    nested.write('rust/q/Cargo.toml', '[package]\nname = "q"\nversion.workspace = true\nedition = "2021"\n\n[dependencies]\np.workspace = true\n');
    nested.write('rust/q/src/lib.rs', 'pub fn q() {\n    p::p()\n}\n');
    sh('cargo', ['generate-lockfile', '--offline'], nested.path('rust'));
    sh('git', ['init', '-q'], nested.root);
    sh('git', ['add', '-A'], nested.root);
    sh('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'initial'], nested.root);
  }, 120_000);
  afterAll(() => nested?.dispose());

  it('writes [workspace.package] and [workspace.dependencies] once, refreshes rust/Cargo.lock, and cargo check --locked passes', () => {
    const r = nested.nx(['release', 'version', '1.1.0']);
    expect(r.code).toBe(0);
    expect(nested.read('rust/Cargo.toml')).toBe('[workspace]\nmembers = ["p", "q"]\nresolver = "2"\n\n[workspace.package]\nversion = "1.1.0" # all of us\n\n[workspace.dependencies]\np = { path = "p", version = "1.1.0" }\n');
    expect(nested.read('rust/q/Cargo.toml')).toContain('version.workspace = true\n');
    expect(nested.read('rust/Cargo.lock')).toContain('name = "q"\nversion = "1.1.0"');
    expect(sh('git', ['status', '--porcelain'], nested.root).stdout.split('\n').filter(Boolean).sort()).toEqual([' M rust/Cargo.lock', ' M rust/Cargo.toml']);
    expect(spawnSync('cargo', ['check', '--offline', '--locked', '-q'], { cwd: nested.path('rust'), encoding: 'utf8' }).status).toBe(0);
  }, 300_000);
});
