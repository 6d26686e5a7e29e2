/* Generated from schema.json by tools/generate-schemas.mjs: do not edit. */

/**
 * Runs `cargo publish -p <crate>`; the `nx-release-publish` target of every crate, run by `nx release publish`.
 */
export interface PublishExecutorSchema {
  /**
   * Package and verify the crate, upload nothing (`--dry-run`). `nx release --dry-run` sets it.
   */
  dryRun?: boolean;
  /**
   * Publish with uncommitted changes in the crate (`--allow-dirty`).
   */
  allowDirty?: boolean;
  /**
   * Registry to publish to (`--registry`), as named in cargo's config; crates.io when absent.
   */
  registry?: string;
  /**
   * Do not build the packaged crate before uploading (`--no-verify`).
   */
  noVerify?: boolean;
  /**
   * rustup toolchain to use, e.g. `nightly` (runs `cargo +nightly`).
   */
  toolchain?: string;
  /**
   * Extra arguments for cargo publish.
   */
  args?: string[];
  /**
   * Set by `nx release --first-release`; cargo needs nothing different.
   */
  firstRelease?: boolean;
  /**
   * Set by `nx release`; not used.
   */
  nxReleaseVersionData?: {};
}
