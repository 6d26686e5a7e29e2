//! `basis`: the foundation crate of the example workspace.
//!
//! It holds a few small types and traits that every other crate builds on,
//! so it sits at the bottom of the dependency graph.

use std::fmt;

/// Something that can be reduced to a single numeric score.
pub trait Measure {
    /// Returns the score of `self`.
    fn measure(&self) -> u64;
}

/// Something with a human-readable label.
pub trait Named {
    /// Returns the label of `self`.
    fn name(&self) -> String;
}

/// A labelled numeric sample.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sample {
    /// Label of the sample.
    pub label: String,
    /// Value of the sample.
    pub value: u64,
}

impl Sample {
    /// Creates a new sample.
    pub fn new(label: impl Into<String>, value: u64) -> Self {
        Self {
            label: label.into(),
            value,
        }
    }
}

impl Measure for Sample {
    fn measure(&self) -> u64 {
        self.value
    }
}

impl Named for Sample {
    fn name(&self) -> String {
        self.label.clone()
    }
}

impl fmt::Display for Sample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.label, self.value)
    }
}

impl Measure for u64 {
    fn measure(&self) -> u64 {
        *self
    }
}

impl<T: Measure> Measure for Vec<T> {
    fn measure(&self) -> u64 {
        self.iter().fold(0, |acc, x| acc.wrapping_add(x.measure()))
    }
}

impl<T: Measure> Measure for Option<T> {
    fn measure(&self) -> u64 {
        self.as_ref().map_or(0, Measure::measure)
    }
}

impl<A: Measure, B: Measure> Measure for (A, B) {
    fn measure(&self) -> u64 {
        self.0.measure().wrapping_add(self.1.measure())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_measures_its_value() {
        let s = Sample::new("a", 7);
        assert_eq!(s.measure(), 7);
        assert_eq!(s.name(), "a");
        assert_eq!(s.to_string(), "a=7");
    }

    #[test]
    fn containers_sum_their_parts() {
        let v = vec![Some(1u64), None, Some(5)];
        assert_eq!(v.measure(), 6);
        assert_eq!((3u64, vec![4u64]).measure(), 7);
    }
}
