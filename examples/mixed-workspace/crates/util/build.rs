//! Generates `tables.rs` in `OUT_DIR` with the help of the `codegen` crate.

use std::{env, fs, path::PathBuf};

fn main() {
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    let mut src = codegen::lookup_table("SQUARES", 16, |i| i * i);
    src.push_str(&codegen::lookup_table("TRIANGLES", 16, |i| i * (i + 1) / 2));
    fs::write(out_dir.join("tables.rs"), src).expect("write generated tables.rs");
    println!("cargo:rerun-if-changed=build.rs");
}
