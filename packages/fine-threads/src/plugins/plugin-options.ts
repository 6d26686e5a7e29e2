export const PLUGIN_NAME = 'fine-threads';

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
  /** Jobs for the whole Nx run, shared by every cargo it starts (default: the cores; 0: no shared cap). */
  jobs?: number;
}

export type NormalizedPluginOptions = Required<Omit<FineThreadsPluginOptions, 'frontendThreads' | 'jobs'>>;

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

/** The options of nx.json's first fine-threads entry that has any (a plugin listed by name alone has none). */
export function registeredOptions(plugins: unknown[] | undefined): FineThreadsPluginOptions | undefined {
  for (const entry of plugins ?? []) {
    if (typeof entry === 'object' && entry !== null && (entry as { plugin?: unknown }).plugin === PLUGIN_NAME) {
      const options = (entry as { options?: unknown }).options;
      if (typeof options === 'object' && options !== null) return options as FineThreadsPluginOptions;
    }
  }
  return undefined;
}
