/* Generated from schema.json by tools/generate-schemas.mjs: do not edit. */

/**
 * Registers fine-threads in nx.json so every crate of a Cargo workspace becomes an Nx project.
 */
export interface InitGeneratorSchema {
  /**
   * Do not format the files written.
   */
  skipFormat?: boolean;
}
