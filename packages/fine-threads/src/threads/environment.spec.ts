import type { ExecutorContext } from '@nx/devkit';
import { resolveThreadTable } from './options';
import { planThreads, threadSources, WRAPPER_PATH } from './environment';
import { probeThreadsSupport, type ThreadsSupport } from '../cargo/toolchain';

jest.mock('../cargo/toolchain', () => ({ ...jest.requireActual('../cargo/toolchain'), probeThreadsSupport: jest.fn() }));
jest.mock('node:os', () => ({ ...jest.requireActual('node:os'), availableParallelism: () => 2 }));

function context(plugins: unknown[], projects: Record<string, { metadata?: object }>): ExecutorContext {
  return {
    root: '/ws',
    cwd: '/ws',
    isVerbose: false,
    projectName: 'heavy',
    nxJsonConfiguration: { plugins: plugins as never },
    projectsConfigurations: {
      version: 2,
      projects: Object.fromEntries(Object.entries(projects).map(([n, p]) => [n, { root: `crates/${n}`, ...p }])),
    },
    projectGraph: { nodes: {}, dependencies: {} },
  } as ExecutorContext;
}

describe('threadSources', () => {
  const ctx = context(
    ['@nx/js/typescript', { plugin: 'fine-threads', options: { frontendThreads: { 'toml-edit': 2, syn: { '64': 8 } } } }],
    {
      heavy: { metadata: { frontendThreads: 2, cargo: { crateNames: ['heavy'] } } },
      'my-app': { metadata: { frontendThreads: { '2': 2 } } },
      util: { metadata: { cargo: { crateNames: ['util'] } } },
    },
  );

  it('reads nx.json first, then projects, then the command line', () => {
    expect(threadSources(ctx, ['heavy'], 1).map((s) => s.origin)).toEqual([
      'nx.json frontendThreads.toml-edit',
      'nx.json frontendThreads.syn',
      'project heavy',
      'project my-app',
      '--frontendThreads',
    ]);
  });

  it('names crates as rustc does, from project metadata or the project name', () => {
    const table = resolveThreadTable(threadSources(ctx, ['heavy'], undefined), 2);
    expect(Object.fromEntries(table.threads)).toEqual({ toml_edit: 2, heavy: 2, my_app: 2 });
  });

  it('lets the command line turn threads off for the task crate', () => {
    expect(resolveThreadTable(threadSources(ctx, ['heavy'], 1), 2).threads.has('heavy')).toBe(false);
  });

  it('reports an nx.json frontendThreads that is not a map', () => {
    const bad = context([{ plugin: 'fine-threads', options: { frontendThreads: 4 } }], {});
    expect(() => resolveThreadTable(threadSources(bad, ['heavy'], undefined), 2)).toThrow(/^nx.json frontendThreads: /);
  });
});

describe('planThreads and the toolchain default', () => {
  const probe = probeThreadsSupport as jest.MockedFunction<typeof probeThreadsSupport>;
  const support = (defaultThreads: number | null, flag: string[] = ['-Zthreads=']): ThreadsSupport => ({ flag, bootstrap: true, release: '1.99.0', defaultThreads });
  // heavy threaded, util set to 1 (as the tuner writes it), basis in no table.
  const ctx = (heavy: unknown) =>
    context([], {
      heavy: { metadata: { frontendThreads: heavy, cargo: { crateNames: ['heavy'] } } },
      util: { metadata: { frontendThreads: { check: { '2': 1 } }, cargo: { crateNames: ['util'] } } },
      basis: { metadata: { cargo: { crateNames: ['basis'] } } },
    });
  const plan = (heavy: unknown) => planThreads(ctx(heavy), 'check', ['heavy'], undefined, undefined, '/ws', '/tmp/events');
  beforeEach(() => probe.mockReset());

  it('sets no wrapper for crates set to 1 while the default is 1 thread, and asks the toolchain', async () => {
    probe.mockResolvedValue(support(1));
    expect((await plan(1)).env).toEqual({});
    expect(probe).toHaveBeenCalledTimes(1);
  });

  it('takes an unknown default as 1', async () => {
    probe.mockResolvedValue(support(null));
    expect((await plan(1)).env).toEqual({});
  });

  it('gives crates set to 1 an explicit 1 when the default is more, with the wrapper, even with nothing threaded', async () => {
    probe.mockResolvedValue(support(2, ['-Zunstable-options', '--jobs-frontend=']));
    const p = await plan(1);
    expect(p.env).toMatchObject({
      RUSTC_WRAPPER: WRAPPER_PATH,
      FINE_THREADS_TABLE: 'heavy=1 util=1',
      FINE_THREADS_FLAG: '-Zunstable-options --jobs-frontend=',
      FINE_THREADS_DEFAULT: '2',
      FINE_THREADS_BOOTSTRAP: '1',
    });
    expect(p.threads.size).toBe(0); // the record's table: nothing threaded
  });

  it('keeps the table of threaded crates as it was while the default is 1', async () => {
    probe.mockResolvedValue(support(1));
    const p = await plan(2);
    expect(p.env.FINE_THREADS_TABLE).toBe('heavy=2');
    expect(p.env.FINE_THREADS_DEFAULT).toBeUndefined();
    probe.mockResolvedValue(support(2));
    expect((await plan(2)).env.FINE_THREADS_TABLE).toBe('heavy=2 util=1');
  });

  it('does not ask the toolchain when no crate has a count', async () => {
    const none = context([], { basis: { metadata: { cargo: { crateNames: ['basis'] } } } });
    expect((await planThreads(none, 'check', ['basis'], undefined, undefined, '/ws', '/tmp/events')).env).toEqual({});
    expect(probe).not.toHaveBeenCalled();
  });
});
