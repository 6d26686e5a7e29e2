/* Generated from schema.json by tools/generate-schemas.mjs: do not edit. */

/**
 * Registers fine-threads in nx.json so every crate of a Cargo workspace becomes an Nx project.
 */
export interface InitGeneratorSchema {
  /**
   * When the repository has no Cargo workspace, create a virtual one at the Nx root (Cargo.toml with `[workspace] resolver = "2"` and no members yet) and ignore /target in .gitignore.
   */
  cargoWorkspace?: boolean;
  /**
   * Do not format the files written.
   */
  skipFormat?: boolean;
}
