/** Options of the fine-threads entry in `nx.json` `plugins`. */
export interface FineThreadsPluginOptions {
  buildTargetName?: string;
  checkTargetName?: string;
  testTargetName?: string;
  lintTargetName?: string;
  runTargetName?: string;
  fmtTargetName?: string;
}

export type NormalizedPluginOptions = Required<FineThreadsPluginOptions>;

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
