//! `rules-style`: line-style checks for the example's second Cargo workspace.

/// Problems found in one line of text.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Findings {
    pub too_long: bool,
    pub trailing_space: bool,
    pub tabs: usize,
}

/// Checks one line against a maximum width.
pub fn check(line: &str, width: usize) -> Findings {
    Findings {
        too_long: line.chars().count() > width,
        trailing_space: line.ends_with(' '),
        tabs: line.matches('\t').count(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_trailing_space_and_tabs() {
        let f = super::check("\tx ", 100);
        assert!(f.trailing_space);
        assert_eq!(f.tabs, 1);
        assert!(!f.too_long);
    }
}
