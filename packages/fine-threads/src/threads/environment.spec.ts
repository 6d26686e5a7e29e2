import type { ExecutorContext } from '@nx/devkit';
import { resolveThreadTable } from './options';
import { threadSources } from './environment';

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
