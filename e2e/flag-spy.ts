import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A rustc spy: put its directory first on PATH and every rustc cargo runs logs one line to
 * $SPY_LOG: the crate name, the front-end threads flag it got, and RUSTC_BOOTSTRAP ("-" for
 * none). With $SPY_ICE, a threaded compile fails with an internal compiler error instead.
 */
export function writeFlagSpy(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'rustc');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      'name=-; flag=-',
      'prev=',
      'for a do',
      '  [ "$prev" = --crate-name ] && name=$a',
      '  case $a in -Zthreads=*|--jobs-frontend=*) flag=$a ;; esac',
      '  prev=$a',
      'done',
      'echo "$name $flag ${RUSTC_BOOTSTRAP:--}" >> "$SPY_LOG"',
      'if [ -n "$SPY_ICE" ] && [ "$flag" != - ]; then echo "error: internal compiler error: injected" >&2; exit 101; fi',
      'exec "$(rustup which rustc)" "$@"',
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

/** The compiles the spy saw (not rustc's probes, nor cargo's `___` file-name probe). */
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
    .filter((l) => l.crate !== '-' && l.crate !== '___');
}
