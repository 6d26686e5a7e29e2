import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { joinJobserver, WAIT_NOTE_ENV, waitNote } from './client';
import { countTokens, createPool, formatJobserverEnv, JOBSERVER_ENV, tryAcquireToken, type Pool } from './pool';

// A real fifo pool whose one token another task holds: the waiting task says so once, after the
// threshold, and takes the token when it comes back.
let dir: string;
let pool: Pool;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ft-client-'));
  pool = createPool(dir, 'run-1-1', 1);
});
afterEach(() => {
  pool.close();
  rmSync(dir, { recursive: true, force: true });
  jest.restoreAllMocks();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('says in one line, once, that it waits for a token, and goes on when one is back', async () => {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const other = tryAcquireToken(pool.path);
  expect(other).toBeDefined();
  const env = { [JOBSERVER_ENV]: formatJobserverEnv(pool), [WAIT_NOTE_ENV]: '0.2' };
  let joined = false;
  const joining = joinJobserver({ root: dir }, env).then((j) => ((joined = true), j));
  await sleep(600);
  expect(joined).toBe(false);
  expect(warn.mock.calls).toEqual([[waitNote(pool.path, 1, 0.2)]]);
  expect(warn.mock.calls[0][0]).toMatch(/^fine-threads: waited 0\.2 s for a jobserver token: all 1 tokens of \S+ are out with other tasks of this run\. If none .* stop this nx run/);
  other?.release();
  const j = await joining;
  expect(j.fds).toHaveLength(2);
  expect(countTokens(pool.path, 5)).toBe(0);
  j.release();
  expect(countTokens(pool.path, 5)).toBe(1);
  expect(warn).toHaveBeenCalledTimes(1);
});

it('says nothing when a token is free at once', async () => {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const j = await joinJobserver({ root: dir }, { [JOBSERVER_ENV]: formatJobserverEnv(pool), [WAIT_NOTE_ENV]: '0.1' });
  await sleep(300);
  j.release();
  expect(warn).not.toHaveBeenCalled();
});
