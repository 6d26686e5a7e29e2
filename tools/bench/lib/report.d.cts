import type { Summary } from './stats.cjs';
export interface Target {
  what: string;
  value: string;
  goal: string;
  met: boolean | null;
  note: string;
}
export interface ModeResult {
  rows: Record<string, Summary & { how: string }>;
  ratios: Record<string, number>;
  notRun?: Record<string, string>;
  figure?: FigureCrate[];
}
export interface FigureCrate {
  crate: string;
  kind: string;
  rows: Record<string, { frontend: number; backend: number }>;
}
export interface Unit {
  crate: string;
  kind: string;
  start: number;
  end: number;
  frontend?: number;
  backend?: number;
}
export declare const MODES: string[];
export declare const ROW_ORDER: string[];
export declare const RATIO_KEYS: string[];
export declare function evaluateTargets(results: object): Target[];
export declare function simulatorErrors(json: unknown): { path: string; predicted: number; measured: number; error: number }[];
export declare function figureData(unitsByRow: Record<string, Unit[][]>, opts?: { limit?: number; minChange?: number }): FigureCrate[];
export declare function ratioTable(results: object): string;
export declare function rowsTable(m: ModeResult): string;
export declare function renderMarkdown(results: object): string;
export declare function consoleSummary(results: object): string;
