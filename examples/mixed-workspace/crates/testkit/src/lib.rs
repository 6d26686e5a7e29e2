//! `testkit`: small helpers for tests.
//!
//! It is only a *dev-dependency* (of `heavy`), so it shows up in test builds
//! but not in the normal build graph.

/// A deterministic xorshift pseudo-random generator for test inputs.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Creates a generator; a zero seed is replaced by a fixed constant.
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x2545_F491_4F6C_DD1D
        } else {
            seed
        })
    }

    /// Returns the next pseudo-random value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Returns `len` values below `bound`.
    pub fn vec(&mut self, len: usize, bound: u64) -> Vec<u64> {
        (0..len).map(|_| self.next_u64() % bound.max(1)).collect()
    }
}

/// Asserts that `f` returns the same value twice for the same input.
pub fn assert_deterministic<T, R>(input: T, f: impl Fn(T) -> R)
where
    T: Clone,
    R: PartialEq + std::fmt::Debug,
{
    let a = f(input.clone());
    let b = f(input);
    assert_eq!(a, b, "function is not deterministic");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_reproducible() {
        let a = Rng::new(42).vec(8, 100);
        let b = Rng::new(42).vec(8, 100);
        assert_eq!(a, b);
        assert!(a.iter().all(|&x| x < 100));
        assert_deterministic(5u64, |x| x * 2);
    }
}
