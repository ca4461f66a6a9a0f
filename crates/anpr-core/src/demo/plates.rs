//! Registration marks (VRMs) in the real UK layouts, and the OCR confusions that turn a true
//! VRM into what a camera read.
//!
//! Marks are kept in their display form, with the space where the plate has it
//! ("AB12 CDE"); `as_read` gives what a back office reports.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Letters of the current system's memory tag and random letters: I and Q are never issued
/// (too like 1 and 0); Z is only a random letter.
const TAG_FIRST: &[u8] = b"ABCDEFGHKLMNOPRSVWXY";
const TAG_SECOND: &[u8] = b"ABCDEFGHJKLMNOPRSTUVWXY";
const RANDOM_LETTERS: &[u8] = b"ABCDEFGHJKLMNOPRSTUVWXYZ";
/// Prefix and suffix year letters: I, O, Q, U and Z were never used.
const YEAR_LETTERS: &[u8] = b"ABCDEFGHJKLMNPRSTVWXY";

/// Characters an ANPR reader commonly confuses, each with what it may be misread as.
const CONFUSIONS: [(char, char); 14] = [
    ('O', '0'),
    ('0', 'O'),
    ('0', 'D'),
    ('D', '0'),
    ('I', '1'),
    ('1', 'I'),
    ('B', '8'),
    ('8', 'B'),
    ('S', '5'),
    ('5', 'S'),
    ('Z', '2'),
    ('2', 'Z'),
    ('G', '6'),
    ('6', 'G'),
];

/// A random VRM: current layout about 80%, prefix, suffix and dateless the rest.
pub(crate) fn random_vrm(rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..100) {
        0..80 => current(rng),
        80..88 => prefix(rng),
        88..95 => suffix(rng),
        _ => dateless(rng),
    }
}

/// Current layout (2001-): memory tag, age identifier, three random letters ("AB12 CDE").
pub(crate) fn current(rng: &mut ChaCha8Rng) -> String {
    // March marks 02..=25, September marks 51..=75 (2001 to 2025).
    let age = if rng.random_bool(0.5) { rng.random_range(2..=25) } else { rng.random_range(51..=75) };
    format!("{}{}{age:02} {}", pick(rng, TAG_FIRST), pick(rng, TAG_SECOND), letters(rng, RANDOM_LETTERS, 3))
}

/// Prefix layout (1983-2001): year letter, 1-3 digits, three letters ("A123 BCD").
fn prefix(rng: &mut ChaCha8Rng) -> String {
    let number = rng.random_range(1..=999);
    format!("{}{number} {}", pick(rng, YEAR_LETTERS), letters(rng, RANDOM_LETTERS, 3))
}

/// Suffix layout (1963-1983): three letters, 1-3 digits, year letter ("ABC 123D").
fn suffix(rng: &mut ChaCha8Rng) -> String {
    let number = rng.random_range(1..=999);
    format!("{} {number}{}", letters(rng, RANDOM_LETTERS, 3), pick(rng, YEAR_LETTERS))
}

/// Dateless marks, letters first ("ABC 123") or numbers first ("1234 AB").
fn dateless(rng: &mut ChaCha8Rng) -> String {
    if rng.random_bool(0.6) {
        let number = rng.random_range(1..=999);
        format!("{} {number}", letters(rng, RANDOM_LETTERS, 3))
    } else {
        let number = rng.random_range(1..=9999);
        let count = rng.random_range(1..=2);
        format!("{number} {}", letters(rng, RANDOM_LETTERS, count))
    }
}

fn pick(rng: &mut ChaCha8Rng, from: &[u8]) -> char {
    char::from(from[rng.random_range(0..from.len())])
}

fn letters(rng: &mut ChaCha8Rng, from: &[u8], count: usize) -> String {
    (0..count).map(|_| pick(rng, from)).collect()
}

/// The VRM with one character swapped for a look-alike, as a camera might misread it; `None`
/// when the mark has no confusable character.
pub(crate) fn misread(display: &str, rng: &mut ChaCha8Rng) -> Option<String> {
    let chars: Vec<char> = display.chars().collect();
    let options: Vec<(usize, char)> = chars
        .iter()
        .enumerate()
        .flat_map(|(at, &c)| CONFUSIONS.iter().filter(move |(from, _)| *from == c).map(move |&(_, to)| (at, to)))
        .collect();
    if options.is_empty() {
        return None;
    }
    let (at, to) = options[rng.random_range(0..options.len())];
    let mut seen = chars;
    seen[at] = to;
    Some(seen.into_iter().collect())
}

/// What the back office reports: the display form, or without its space.
pub(crate) fn as_read(display: &str, spaced: bool) -> String {
    if spaced { display.to_string() } else { display.replace(' ', "") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn layouts_look_like_uk_marks() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..2000 {
            let vrm = random_vrm(&mut rng);
            let (left, right) = vrm.split_once(' ').unwrap_or(("", ""));
            assert!(!left.is_empty() && !right.is_empty(), "{vrm}");
            assert!(vrm.len() <= 8, "{vrm}");
            assert!(vrm.chars().all(|c| c == ' ' || c.is_ascii_uppercase() || c.is_ascii_digit()), "{vrm}");
        }
    }

    #[test]
    fn a_misread_changes_exactly_one_character_to_a_look_alike() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let seen = misread("BO51 SGZ", &mut rng).unwrap_or_default();
        let changed: Vec<(char, char)> = "BO51 SGZ".chars().zip(seen.chars()).filter(|(a, b)| a != b).collect();
        assert_eq!(changed.len(), 1, "{seen}");
        assert!(CONFUSIONS.contains(&changed[0]));
        assert_eq!(misread("AA47 XXX", &mut rng), None);
    }
}
