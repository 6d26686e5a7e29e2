import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A rustc spy: put its directory first on PATH and every rustc cargo runs logs one line to
 * $SPY_LOG: the crate name, the front-end threads arguments it got (joined by commas, e.g.
 * `-Zunstable-options,--jobs-frontend=2`) and RUSTC_BOOTSTRAP ("-" for none). With $SPY_ICE, a
 * threaded compile fails with an internal compiler error instead. `before` are sh lines run
 * before the real rustc (`$real`, `$flag` set), for a spy that plays another toolchain.
 */
export function writeFlagSpy(dir: string, before: string[] = []): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'rustc');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      'real=$(rustup which rustc)',
      'name=-; flag=; prev=',
      'for a do',
      '  [ "$prev" = --crate-name ] && name=$a',
      '  case $a in -Zthreads=* | --jobs-frontend=* | -Zunstable-options) flag="$flag${flag:+,}$a" ;; esac',
      '  prev=$a',
      'done',
      'echo "$name ${flag:--} ${RUSTC_BOOTSTRAP:--}" >> "$SPY_LOG"',
      'if [ -n "$SPY_ICE" ] && [ -n "$flag" ]; then echo "error: internal compiler error: injected" >&2; exit 101; fi',
      ...before,
      'exec "$real" "$@"',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return dir;
}

export interface FlagSpyLine {
  crate: string;
  flag: string;
  bootstrap: string;
}

/** The compiles the spy saw (not rustc's probes, cargo's `___` file-name probe or the plugin's toolchain probe). */
export function readFlagSpy(log: string): FlagSpyLine[] {
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [crate, flag, bootstrap] = l.split(' ');
      return { crate, flag, bootstrap };
    })
    .filter((l) => !['-', '___', 'fine_threads_probe'].includes(l.crate));
}
