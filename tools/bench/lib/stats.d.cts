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
export interface Run {
  round: number;
  seconds: number;
}
export interface Paired {
  n: number;
  median: number;
  lo: number;
  hi: number;
  ratios: number[];
}
export declare function bootstrapMedian(xs: readonly number[], options?: { iterations?: number; level?: number; seed?: number }): { lo: number; hi: number };
export declare function paired(a: readonly Run[], b: readonly Run[]): Paired | undefined;
export declare function pairedRatios(runsByRow: Record<string, readonly Run[]>): Record<string, Paired>;
