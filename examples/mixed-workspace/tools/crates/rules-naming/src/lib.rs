//! `rules-naming`: naming checks for the example's second Cargo workspace.
//! Independent of `rules-style`, so cargo compiles the two side by side.

/// Defines one rule per name: a function that scores how far a word is from the rule.
macro_rules! rules {
    ($($name:ident => $suffix:literal),* $(,)?) => {
        $(
            /// Scores `word` against the rule (0 = follows it).
            pub fn $name(word: &str) -> usize {
                let lower = word.chars().filter(|c| c.is_lowercase()).count();
                let tail = if word.ends_with($suffix) { 0 } else { 1 };
                word.split('_')
                    .map(|part| part.len())
                    .filter(|len| *len > 12)
                    .count()
                    + tail
                    + (word.len() - lower).min(3)
            }
        )*
        /// Every rule's score for `word`.
        pub fn all(word: &str) -> Vec<usize> {
            vec![$($name(word)),*]
        }
    };
}

rules! {
    ends_in_s => "s", ends_in_er => "er", ends_in_ing => "ing", ends_in_ed => "ed",
    ends_in_ly => "ly", ends_in_or => "or", ends_in_al => "al", ends_in_ty => "ty",
}

#[cfg(test)]
mod tests {
    #[test]
    fn scores_every_rule() {
        assert_eq!(super::all("rules").len(), 8);
        assert_eq!(super::ends_in_s("rules"), 0);
    }
}
