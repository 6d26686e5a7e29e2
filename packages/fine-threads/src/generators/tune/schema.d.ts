/* Generated from schema.json by tools/generate-schemas.mjs: do not edit. */

/**
 * Chooses per-crate rustc front-end thread counts from recorded builds, with a simulator of the build, and writes them for this machine profile (core count).
 */
export interface TuneGeneratorSchema {
  /**
   * Which recorded builds to tune for: `cargo build` or `cargo check`.
   */
  mode?: 'build' | 'check';
  /**
   * Cargo profile of the recorded builds.
   */
  profile?: string;
  /**
   * Core count of the machine profile to write the table for (default: this machine's). Another count is predicted from this machine's records.
   */
  cores?: number;
  /**
   * Consider again the crates the regression guard set back to 1.
   */
  retry?: boolean;
  /**
   * First build the main recorded project again with its longest front-ends at 2, 4 and 8 threads (as the cores allow), so their speed-up curves are measured, not assumed. `auto`: only when a decision rests on the default curve (the tuner says which), and only those crates. The builds are recorded, even with --dry-run.
   */
  calibrate?: boolean | 'auto';
  /**
   * Where to write the HTML report, relative to the workspace root.
   */
  report?: string;
  /**
   * Do not format the files written.
   */
  skipFormat?: boolean;
}
