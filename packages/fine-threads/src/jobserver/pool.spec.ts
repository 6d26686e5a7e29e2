import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMakePipe, holdsPipe } from './make-pipe';
import {
  acquireToken,
  countTokens,
  createPool,
  ownerOfPoolFile,
  poolFileName,
  removeStalePools,
  tryAcquireToken,
  type Pool,
  type Token,
} from './pool';

// The pool with real fifos: its count, that it never grows past J, that nothing is lost, and
// the clean-up of fifos whose run died.
let dir: string;
let pool: Pool | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ft-pool-'));
});
afterEach(() => {
  pool?.close();
  pool = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the pool', () => {
  it('holds J tokens, and counting them leaves J', () => {
    pool = createPool(dir, poolFileName('run', process.pid), 4);
    for (let i = 0; i < 5; i++) expect(countTokens(pool.path, 10)).toBe(4);
  });

  it('a token taken is out until given back; a second release gives back nothing more', async () => {
    pool = createPool(dir, 'run-1-1', 2);
    const a = await acquireToken(pool.path);
    const b = tryAcquireToken(pool.path);
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(countTokens(pool.path, 10)).toBe(0);
    expect(tryAcquireToken(pool.path)).toBeUndefined();
    a?.release();
    a?.release();
    expect(countTokens(pool.path, 10)).toBe(1);
    b?.release();
    b?.release();
    expect(countTokens(pool.path, 10)).toBe(2);
  });

  it('twenty clients competing for J=3 never hold more than 3, and all 3 are back at the end', async () => {
    pool = createPool(dir, 'run-1-2', 3);
    const path = pool.path;
    let held = 0;
    let most = 0;
    const client = async (i: number) => {
      const t = (await acquireToken(path)) as Token;
      held++;
      most = Math.max(most, held);
      await sleep(5 + (i % 4) * 3);
      held--;
      t.release();
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => client(i)));
    expect(most).toBe(3);
    expect(countTokens(path, 10)).toBe(3);
  });

  it('a waiting client gets the token the moment one is given back', async () => {
    pool = createPool(dir, 'run-1-3', 1);
    const first = (await acquireToken(pool.path)) as Token;
    let got = false;
    const waiting = acquireToken(pool.path).then((t) => {
      got = true;
      return t;
    });
    await sleep(50);
    expect(got).toBe(false);
    first.release();
    (await waiting)?.release();
    expect(got).toBe(true);
    expect(countTokens(pool.path, 10)).toBe(1);
  });

  it('a client that dies holding a token loses it for that pool only; a new pool has its full J', async () => {
    pool = createPool(dir, 'run-1-4', 2);
    // A real process takes a token (one byte) and exits without giving it back.
    const r = spawnSync('sh', ['-c', `dd bs=1 count=1 <> "${pool.path}" > /dev/null 2>&1`]);
    expect(r.status).toBe(0);
    expect(countTokens(pool.path, 10)).toBe(1);
    pool.close();
    pool = createPool(dir, 'run-1-5', 2);
    expect(countTokens(pool.path, 10)).toBe(2);
  });

  it('once closed, the fifo is gone and clients run uncapped rather than hang', async () => {
    pool = createPool(dir, 'run-1-6', 1);
    const path = pool.path;
    pool.close();
    expect(existsSync(path)).toBe(false);
    expect(await acquireToken(path)).toBeUndefined();
    expect(tryAcquireToken(path)).toBeUndefined();
  });
});

describe('stale fifos', () => {
  function deadPid(): number {
    const r = spawnSync('sh', ['-c', 'echo $$']);
    return Number(r.stdout.toString().trim());
  }

  it('names carry the owner', () => {
    expect(ownerOfPoolFile(poolFileName('run', 1234, 99))).toBe(1234);
    expect(ownerOfPoolFile('make-77-5.fifo')).toBe(77);
    expect(ownerOfPoolFile('other.fifo')).toBeUndefined();
  });

  it("removes the fifo of a dead owner at once, keeps a live owner's however old, and says whose", () => {
    const dead = deadPid();
    const gone = createPool(dir, poolFileName('run', dead), 2);
    const live = createPool(dir, poolFileName('run', process.pid), 2);
    const old = Date.now() / 1000 - 7 * 3600;
    utimesSync(live.path, old, old);
    const result = removeStalePools(dir, 6 * 3600 * 1000);
    expect(result).toEqual({ removed: 1, owners: [dead] });
    expect(existsSync(gone.path)).toBe(false);
    expect(existsSync(live.path)).toBe(true);
    gone.close();
    live.close();
  });

  it('a fifo without an owner in its name goes only when old', () => {
    const p = createPool(dir, 'legacy.fifo', 1);
    expect(removeStalePools(dir, 6 * 3600 * 1000).removed).toBe(0);
    const old = Date.now() / 1000 - 7 * 3600;
    utimesSync(p.path, old, old);
    expect(removeStalePools(dir, 6 * 3600 * 1000).removed).toBe(1);
    p.close();
  });

  it('ignores files that are not fifos', () => {
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect(removeStalePools(dir, 0).removed).toBe(0);
  });
});

describe("make's pipe", () => {
  it('is found in an ancestor by the fds MAKEFLAGS names, and opening it by path reaches the same pipe', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'ft-mk-'));
    const info = join(fresh, 'info');
    // `+`: make hands the recipe its jobserver fds; the recipe reports its pid and waits.
    writeFileSync(join(fresh, 'Makefile'), `all:\n\t+@echo $$$$ > ${info}; sleep 3\n`);
    const make = spawn('make', ['-j3', '-f', join(fresh, 'Makefile')], { cwd: fresh, stdio: 'ignore' });
    try {
      let recipe = 0;
      for (let i = 0; i < 100 && !recipe; i++) {
        await sleep(30);
        if (existsSync(info)) recipe = Number(readFileSync(info, 'utf8').trim());
      }
      expect(recipe).toBeGreaterThan(0);
      expect(holdsPipe(make.pid as number, 3, 4)).toBe(true);
      // stdin and stdout are not a jobserver.
      expect(holdsPipe(make.pid as number, 0, 1)).toBe(false);
      const path = findMakePipe(3, 4, recipe);
      expect(path).toMatch(/^\/proc\/\d+\/fd\/3$/);
      // make -j3 keeps 2 tokens in its pipe while its one job runs on the implicit one.
      expect(countTokens(path as string, 10)).toBe(2);
      expect(findMakePipe(3, 4, process.pid)).toBeUndefined();
    } finally {
      make.kill();
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
