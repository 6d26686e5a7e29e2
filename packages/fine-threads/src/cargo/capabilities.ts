import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../system/atomic-write';
import { captureCargo } from './process';

/** What a cargo can do beyond stable cargo's flags. */
export interface CargoCapabilities {
  /** `-Zbuild-analysis` works: its timings can be read from the build's log instead of the HTML report. */
  buildAnalysis: boolean;
}

type Run = (args: string[]) => Promise<{ ok: boolean; stdout: string }>;

function runCargo(cwd: string): Run {
  return async (args) => {
    const r = await captureCargo(args, { cwd });
    return { ok: r.ok, stdout: r.stdout };
  };
}

const memo = new Map<string, CargoCapabilities>();

/**
 * Asks the cargo `cargo [+toolchain]` runs in `cwd` (a rust-toolchain file there applies) what it
 * can do, once per cargo version (`cargo -V`, commit and date included): cached in this process
 * and in `cacheFile`. Never throws: a cargo that cannot be asked can do nothing extra.
 *
 * `-Z help` is no test: stable cargo lists build-analysis there too, then refuses every `-Z`.
 * `cargo -Zbuild-analysis help` fails for an unknown flag and on a channel without `-Z`.
 */
export async function probeCargoCapabilities(
  toolchain: string | undefined,
  cwd: string,
  cacheFile: string | undefined,
  run: Run = runCargo(cwd),
): Promise<CargoCapabilities> {
  const plus = toolchain ? [`+${toolchain}`] : [];
  const none: CargoCapabilities = { buildAnalysis: false };
  const version = await run([...plus, '-V']).catch(() => undefined);
  if (!version?.ok) return none;
  const key = version.stdout.trim();
  const known = memo.get(key) ?? (cacheFile ? readCache(cacheFile)[key] : undefined);
  if (known && typeof known.buildAnalysis === 'boolean') {
    memo.set(key, known);
    return known;
  }
  const probe = await run([...plus, '-Zbuild-analysis', 'help']).catch(() => undefined);
  const found: CargoCapabilities = { buildAnalysis: probe?.ok === true };
  memo.set(key, found);
  if (cacheFile) {
    const cache = readCache(cacheFile);
    cache[key] = found;
    try {
      writeFileAtomic(cacheFile, JSON.stringify(cache));
    } catch {
      // Only a cache: the next process probes again.
    }
  }
  return found;
}

/** For tests: forget what this process learned. */
export function forgetCargoCapabilities(): void {
  memo.clear();
}

function readCache(file: string): Record<string, CargoCapabilities> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}
