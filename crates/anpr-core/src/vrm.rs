//! Vehicle registration marks: normalisation for search. The as-read value is always kept
//! beside the normalised one (bundle-format.md).

/// Uppercase with spaces removed; `None` for "not read" (empty or `-`, NASPLE 7.4.2).
pub fn normalise(as_read: &str) -> Option<String> {
    let trimmed = as_read.trim();
    if trimmed.is_empty() || trimmed == "-" {
        return None;
    }
    Some(trimmed.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect())
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn normalises_case_and_spaces() {
        assert_eq!(normalise(" ab12 cde ").as_deref(), Some("AB12CDE"));
    }

    #[test]
    fn empty_and_dash_are_not_read_7_4_2() {
        assert_eq!(normalise(""), None);
        assert_eq!(normalise(" - "), None);
    }
}
