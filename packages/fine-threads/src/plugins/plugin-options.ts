/** Options of the fine-threads entry in `nx.json` `plugins`. */
export interface FineThreadsPluginOptions {
  buildTargetName?: string;
  checkTargetName?: string;
  testTargetName?: string;
  lintTargetName?: string;
  runTargetName?: string;
  fmtTargetName?: string;
  /**
   * Front-end threads for crates that are not Nx projects (e.g. `syn`), by
   * crate name: a count, or a table by core count. Read by the executors.
   */
  frontendThreads?: Record<string, number | Record<string, number>>;
}

export type NormalizedPluginOptions = Required<Omit<FineThreadsPluginOptions, 'frontendThreads'>>;

export function normalizePluginOptions(options: FineThreadsPluginOptions | undefined): NormalizedPluginOptions {
  return {
    buildTargetName: options?.buildTargetName ?? 'build',
    checkTargetName: options?.checkTargetName ?? 'check',
    testTargetName: options?.testTargetName ?? 'test',
    lintTargetName: options?.lintTargetName ?? 'lint',
    runTargetName: options?.runTargetName ?? 'run',
    fmtTargetName: options?.fmtTargetName ?? 'fmt',
  };
}
