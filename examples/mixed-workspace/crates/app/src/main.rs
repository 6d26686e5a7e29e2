//! `app`: the binary at the top of the example workspace.
//!
//! It depends on `heavy` (and, transitively, everything else) and prints a
//! single line so that `cargo run -p app` has something to show.

fn main() {
    println!("{}", summary_line());
}

/// The line printed by `main`.
fn summary_line() -> String {
    format!(
        "mixed-workspace: heavy checksum {:#018x}",
        heavy::checksum()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_mentions_checksum() {
        assert!(summary_line().starts_with("mixed-workspace: heavy checksum 0x"));
    }
}
