/* Generated from schema.json by tools/generate-schemas.mjs: do not edit. */

/**
 * Writes the HTML report of the recorded builds and the tuner's view of them, changing no option.
 */
export interface ReportGeneratorSchema {
  /**
   * Which recorded builds to report: `cargo build` or `cargo check`.
   */
  mode?: 'build' | 'check';
  /**
   * Cargo profile of the recorded builds.
   */
  profile?: string;
  /**
   * Core count of the machine profile to report for (default: this machine's).
   */
  cores?: number;
  /**
   * Where to write the HTML report, relative to the workspace root.
   */
  report?: string;
}
