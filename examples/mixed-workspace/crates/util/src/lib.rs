//! `util`: small helpers shared by the example crates.
//!
//! Its build script uses the `codegen` build-dependency to generate lookup
//! tables into `OUT_DIR`; they are `include!`d below.

use basis::{Measure, Sample};

include!(concat!(env!("OUT_DIR"), "/tables.rs"));

/// Returns `n * n` using the generated table when possible.
pub fn square(n: u64) -> u64 {
    SQUARES.get(n as usize).copied().unwrap_or(n * n)
}

/// Returns the `n`-th triangular number using the generated table when possible.
pub fn triangle(n: u64) -> u64 {
    TRIANGLES
        .get(n as usize)
        .copied()
        .unwrap_or(n * (n + 1) / 2)
}

/// Combines two 64-bit values into one (a cheap, non-cryptographic mix).
pub fn mix(a: u64, b: u64) -> u64 {
    (a ^ b.rotate_left(17))
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(29)
}

/// Builds `count` samples named `prefix0`, `prefix1`, ... with squared values.
pub fn samples(prefix: &str, count: u64) -> Vec<Sample> {
    (0..count)
        .map(|i| Sample::new(format!("{prefix}{i}"), square(i)))
        .collect()
}

/// Total (wrapping) score of a slice of measurable items.
pub fn total<T: Measure>(items: &[T]) -> u64 {
    items.iter().fold(0, |acc, x| acc.wrapping_add(x.measure()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tables_are_correct() {
        assert_eq!(square(3), 9);
        assert_eq!(square(100), 10_000);
        assert_eq!(triangle(4), 10);
        assert_eq!(triangle(100), 5050);
    }

    #[test]
    fn samples_and_total() {
        let s = samples("x", 4);
        assert_eq!(s[2].label, "x2");
        assert_eq!(total(&s), 14);
        assert_ne!(mix(1, 2), mix(2, 1));
    }
}
