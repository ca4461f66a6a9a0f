//! VRM patterns as users type them (cli.md): a full VRM, or `?` for one character and `*` for
//! any run; spaces and case ignored.

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VrmPattern {
    /// A full VRM, normalised: matched by equality (the VRM index).
    Exact(String),
    /// A SQLite GLOB over normalised VRMs: `?` and `*` mean the same there, and the pattern
    /// holds only `A-Z0-9?*`, so no other GLOB syntax can occur.
    Glob(String),
}

impl VrmPattern {
    pub fn parse(text: &str) -> Result<Self, String> {
        let p: String = text.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
        if p.is_empty() {
            return Err("the VRM pattern is empty".into());
        }
        if let Some(bad) = p.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '?' || *c == '*')) {
            return Err(format!(
                "{bad:?} cannot be in a VRM pattern: use letters, digits, ? (one character) and * (any run)"
            ));
        }
        if p.len() > 20 {
            return Err("a VRM pattern is at most 20 characters".into());
        }
        Ok(if p.contains(['?', '*']) { VrmPattern::Glob(p) } else { VrmPattern::Exact(p) })
    }

    pub fn text(&self) -> &str {
        match self {
            VrmPattern::Exact(p) | VrmPattern::Glob(p) => p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::VrmPattern;

    #[test]
    fn spaces_and_case_are_ignored_and_wildcards_make_a_glob() {
        assert_eq!(VrmPattern::parse(" ab12 cde "), Ok(VrmPattern::Exact("AB12CDE".into())));
        assert_eq!(VrmPattern::parse("AB1? C*"), Ok(VrmPattern::Glob("AB1?C*".into())));
    }

    #[test]
    fn anything_but_letters_digits_and_wildcards_is_refused() {
        for bad in ["", "   ", "AB[1]", "AB-12", "A%B", "AB_1", "ABCDEFGHIJKLMNOPQRSTU"] {
            assert!(VrmPattern::parse(bad).is_err(), "{bad:?}");
        }
    }
}
