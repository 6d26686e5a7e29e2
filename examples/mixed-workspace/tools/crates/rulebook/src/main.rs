//! `rulebook`: runs both rule crates over its arguments and prints a summary line.

fn main() {
    let words: Vec<String> = std::env::args().skip(1).collect();
    let naming: usize = words
        .iter()
        .map(|w| rules_naming::all(w).iter().sum::<usize>())
        .sum();
    let style = words
        .iter()
        .filter(|w| rules_style::check(w, 20).too_long)
        .count();
    println!(
        "rulebook: {} word(s), naming score {naming}, {style} too long",
        words.len()
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn rule_crates_link() {
        assert_eq!(
            rules_style::check("ok", 10),
            rules_style::Findings::default()
        );
    }
}
