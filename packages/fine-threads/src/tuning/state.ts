/**
 * What each tune leaves for the next (the guard's inputs), in
 * `.fine-threads/tune-state.json`, keyed by `<mode>/<profile>/<cores>`: one
 * entry per machine profile. Written whole to a temp file and renamed, so a
 * crash never leaves half a file; an unreadable file counts as empty, with a warning.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORDS_DIR } from '../recording/store';
import { writeFileAtomic } from '../system/atomic-write';
import type { TuneState } from './guard';

export const STATE_FILE = 'tune-state.json';

export type TuneStates = Record<string, TuneState>;

export const stateKey = (s: Pick<TuneState, 'mode' | 'profile' | 'cores'>) => `${s.mode}/${s.profile}/${s.cores}`;

export function statePath(workspaceRoot: string): string {
  return join(workspaceRoot, RECORDS_DIR, STATE_FILE);
}

export function readStates(file: string, warn: (line: string) => void): TuneStates {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as { v?: number; states?: TuneStates };
    if (parsed.v === 1 && parsed.states && typeof parsed.states === 'object') return parsed.states;
  } catch {
    // fall through
  }
  warn(`fine-threads: ${file} is not a tune state this version reads; the regression guard starts afresh.`);
  return {};
}

export function writeStates(file: string, states: TuneStates): void {
  writeFileAtomic(file, `${JSON.stringify({ v: 1, states }, null, 2)}\n`);
}
