import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetCargoCapabilities, probeCargoCapabilities } from './capabilities';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ft-caps-'));
  forgetCargoCapabilities();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A cargo that answers -V with `version` and takes -Zbuild-analysis when `has`; it counts its probes. */
function fakeCargo(state: { version: string; has: boolean; probes: number }) {
  return async (args: string[]) => {
    if (args.includes('-V')) return { ok: true, stdout: `${state.version}\n` };
    state.probes++;
    return { ok: state.has && args.includes('-Zbuild-analysis'), stdout: '' };
  };
}

describe('probeCargoCapabilities', () => {
  it('asks a cargo once per version, in this process and through the cache file', async () => {
    const cache = join(dir, 'caps.json');
    const state = { version: 'cargo 1.97.0-nightly (4d1f98451 2026-05-15)', has: true, probes: 0 };
    expect(await probeCargoCapabilities('nightly', dir, cache, fakeCargo(state))).toEqual({ buildAnalysis: true });
    expect(await probeCargoCapabilities('nightly', dir, cache, fakeCargo(state))).toEqual({ buildAnalysis: true });
    expect(state.probes).toBe(1);
    forgetCargoCapabilities();
    expect(await probeCargoCapabilities('nightly', dir, cache, fakeCargo(state))).toEqual({ buildAnalysis: true });
    expect(state.probes).toBe(1);
    expect(Object.keys(JSON.parse(readFileSync(cache, 'utf8')))).toEqual([state.version]);
    // A toolchain update (another version) is asked again.
    state.version = 'cargo 1.98.0-nightly (0000000 2026-06-01)';
    state.has = false;
    expect(await probeCargoCapabilities('nightly', dir, cache, fakeCargo(state))).toEqual({ buildAnalysis: false });
    expect(state.probes).toBe(2);
  });

  it('a cargo that cannot be asked can do nothing extra', async () => {
    const broken = async () => ({ ok: false, stdout: '' });
    expect(await probeCargoCapabilities(undefined, dir, undefined, broken)).toEqual({ buildAnalysis: false });
  });

  const installed = (tc: string) => spawnSync('cargo', [`+${tc}`, '-V'], { encoding: 'utf8' }).status === 0;

  it('real cargo: stable has none (it lists build-analysis under -Z help but refuses -Z), nightly has build-analysis', async () => {
    expect(installed('stable')).toBe(true);
    expect(await probeCargoCapabilities('stable', dir, undefined)).toEqual({ buildAnalysis: false });
    // This machine's nightly (1.97, 2026-05-19) has it; a machine without nightly has nothing to check.
    if (installed('nightly')) expect(await probeCargoCapabilities('nightly', dir, undefined)).toEqual({ buildAnalysis: true });
  });
});
