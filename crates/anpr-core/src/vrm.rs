//! Vehicle registration marks: normalisation for search, and the UK layouts a VRM may fit. The as-read value is always kept
//! beside the normalised one (bundle-format.md).

/// Uppercase with spaces removed; `None` for "not read" (empty or `-`, NASPLE 7.4.2).
pub fn normalise(as_read: &str) -> Option<String> {
    let trimmed = as_read.trim();
    if trimmed.is_empty() || trimmed == "-" {
        return None;
    }
    Some(trimmed.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect())
}

/// What a position of a UK layout holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Letter,
    Digit,
}

impl Kind {
    pub fn of(c: char) -> Option<Kind> {
        if c.is_ascii_uppercase() {
            Some(Kind::Letter)
        } else if c.is_ascii_digit() {
            Some(Kind::Digit)
        } else {
            None
        }
    }
}

/// One concrete UK layout: its family and the kind each position holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub name: &'static str,
    pub kinds: Vec<Kind>,
}

impl Layout {
    pub fn fits(&self, vrm: &str) -> bool {
        vrm.chars().count() == self.kinds.len() && vrm.chars().zip(&self.kinds).all(|(c, k)| Kind::of(c) == Some(*k))
    }
}

/// Every concrete UK layout (docs/vrm-search.md), as runs of letters and digits:
/// current `AB12CDE` (2001 on); prefix `A123BCD` (1983-2001); suffix `ABC123D` (1963-1983);
/// dateless `ABC1234` / `1234ABC` (before 1963, and Northern Ireland's `ABZ1234`).
pub fn uk_layouts() -> &'static [Layout] {
    static LAYOUTS: std::sync::OnceLock<Vec<Layout>> = std::sync::OnceLock::new();
    LAYOUTS.get_or_init(|| {
        use Kind::{Digit as D, Letter as L};
        let run = |kind: Kind, n: usize| std::iter::repeat_n(kind, n);
        let mut all = vec![Layout { name: "current", kinds: vec![L, L, D, D, L, L, L] }];
        for digits in 1..=3 {
            all.push(Layout { name: "prefix", kinds: run(L, 1).chain(run(D, digits)).chain(run(L, 3)).collect() });
        }
        for letters in 1..=3 {
            for digits in 1..=3 {
                let kinds = run(L, letters).chain(run(D, digits)).chain(run(L, 1)).collect();
                all.push(Layout { name: "suffix", kinds });
            }
        }
        for letters in 1..=3 {
            for digits in 1..=4 {
                all.push(Layout { name: "dateless", kinds: run(L, letters).chain(run(D, digits)).collect() });
                all.push(Layout { name: "dateless", kinds: run(D, digits).chain(run(L, letters)).collect() });
            }
        }
        all
    })
}

/// The first UK layout a normalised VRM fits; `None` marks a likely misread (or a foreign or
/// trade plate), which the faces flag.
pub fn uk_layout(vrm: &str) -> Option<&'static Layout> {
    uk_layouts().iter().find(|l| l.fits(vrm))
}

#[cfg(test)]
mod tests {
    use super::{normalise, uk_layout};

    #[test]
    fn normalises_case_and_spaces() {
        assert_eq!(normalise(" ab12 cde ").as_deref(), Some("AB12CDE"));
    }

    #[test]
    fn empty_and_dash_are_not_read_7_4_2() {
        assert_eq!(normalise(""), None);
        assert_eq!(normalise(" - "), None);
    }

    #[test]
    fn uk_layouts_of_every_era_and_misreads_that_fit_none() {
        for (vrm, layout) in [
            ("AB12CDE", "current"),
            ("A123BCD", "prefix"),
            ("A1BCD", "prefix"),
            ("ABC123D", "suffix"),
            ("AB1C", "suffix"),
            ("ABC1234", "dateless"),
            ("ABZ1234", "dateless"),
            ("1234AB", "dateless"),
            ("A1", "dateless"),
        ] {
            assert_eq!(uk_layout(vrm).map(|l| l.name), Some(layout), "{vrm}");
        }
        for misread in ["A812CDE0", "AB12CD", "ABI2CDE", "ABCD", "1234", "ABCD1234", "A1B2", "12345AB", ""] {
            assert_eq!(uk_layout(misread), None, "{misread}");
        }
    }
}
