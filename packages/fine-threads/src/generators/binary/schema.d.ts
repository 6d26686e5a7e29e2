/* Generated from schema.json by tools/generate-schemas.mjs: do not edit. */

/**
 * Creates a binary crate as `cargo new` lays it out (Cargo.toml and src/main.rs) and adds it to the enclosing Cargo workspace's members; inference makes it an Nx project.
 */
export interface BinaryGeneratorSchema {
  /**
   * The crate's package name: ASCII letters, digits, `-` and `_`, not starting with a digit, not a Rust keyword or a standard-library crate name.
   */
  name: string;
  /**
   * The crate's directory, relative to the Nx root. Default: beside the members of the Cargo workspace when there is exactly one (e.g. crates/<name>), else <name>.
   */
  directory?: string;
  /**
   * The Rust edition (a number, as the command line gives it: --edition=2024). Default: the Cargo workspace's `[workspace.package] edition` (inherited), else 2021.
   */
  edition?: 2015 | 2018 | 2021 | 2024;
}
