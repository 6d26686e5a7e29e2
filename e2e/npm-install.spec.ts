import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyOfExample } from '../packages/fine-threads/src/testing/temp-workspace';

// The example's TS package depends on the `app` crate without npm ever
// looking for a package named `app`: npm runs offline, with an empty cache
// and a registry on a closed port, so any fetch fails the install at once.
let root: string;
let cache: string;
beforeAll(() => {
  root = copyOfExample('ft-npm-');
  cache = mkdtempSync(join(tmpdir(), 'ft-npm-cache-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

function npmInstall() {
  const r = spawnSync(
    'npm',
    ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--registry=http://127.0.0.1:9/', `--cache=${cache}`],
    { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, npm_config_userconfig: join(cache, 'npmrc') } },
  );
  return { code: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe('npm install in the example', () => {
  it('contacts no registry for the crate the TS package depends on', () => {
    const r = npmInstall();
    expect(r.output).not.toMatch(/ENOTCACHED|ECONNREFUSED/);
    expect(r.code).toBe(0);
    expect(existsSync(join(root, 'node_modules', 'app'))).toBe(false);
    expect(readFileSync(join(root, 'package-lock.json'), 'utf8')).not.toMatch(/node_modules\/app"/);
  });

  it('would fetch `app` from the registry if the crate were an npm dependency (the old way)', () => {
    const file = join(root, 'packages', 'web', 'package.json');
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...pkg, dependencies: { app: '*' } }, null, 2));
    const r = npmInstall();
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/ENOTCACHED|ECONNREFUSED/);
    expect(r.output).toMatch(/\bapp\b/);
  });
});
