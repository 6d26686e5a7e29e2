export interface Summary {
  n: number;
  min: number;
  median: number;
  max: number;
  seconds: number[];
}
export declare function median(xs: readonly number[]): number;
export declare function summarize(seconds: readonly number[]): Summary;
export declare function spread(summary: Summary): number | undefined;
export declare function ratios(medians: Record<string, number>): Record<string, number>;
