/* Generated from schema.json by tools/generate-schemas.mjs: do not edit. */

/**
 * Runs `cargo check -p <crate>`.
 */
export interface CheckExecutorSchema {
  /**
   * Build with the release profile (`--release`).
   */
  release?: boolean;
  /**
   * Build with the named Cargo profile (`--profile`).
   */
  profile?: string;
  /**
   * Features to activate (`--features`): a list, or one string separated by commas or spaces.
   */
  features?: string | string[];
  /**
   * Activate all features (`--all-features`).
   */
  allFeatures?: boolean;
  /**
   * Do not activate the default feature (`--no-default-features`).
   */
  noDefaultFeatures?: boolean;
  /**
   * Build for the target triple (`--target`).
   */
  target?: string;
  /**
   * Directory for all generated artifacts (`--target-dir`), relative to the Cargo workspace.
   */
  targetDir?: string;
  /**
   * rustup toolchain to use, e.g. `nightly` (runs `cargo +nightly`).
   */
  toolchain?: string;
  /**
   * Extra arguments for cargo, before `--`.
   */
  args?: string[];
  /**
   * rustc front-end threads for this crate in this run (0 = all cores), overriding the project's `metadata.frontendThreads`. Values above this machine's cores are clamped.
   */
  frontendThreads?: number;
  /**
   * Record this build's timings (cargo --timings) in .fine-threads/records.jsonl, for the tuner.
   */
  record?: boolean;
}
