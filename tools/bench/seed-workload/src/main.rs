//! Uses the `cargo` library just enough that the whole graph is built.
fn main() {
    println!("cargo lib version: {}", cargo::version());
    let _config: Option<cargo::util::Config> = None;
}
