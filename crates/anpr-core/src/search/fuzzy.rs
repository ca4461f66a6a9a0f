//! Misread-tolerant VRM matching (docs/vrm-search.md): the OCR confusion table, the skeleton
//! the index keys VRMs by, and the position-aware comparison that ranks each candidate.
//!
//! A read's VRM matches a searched VRM when, position by position, each character is in the
//! same confusion class (and, if asked, with one character more or fewer). Two VRMs match
//! exactly when their skeletons (each character replaced by its class's first member) are
//! equal, or differ by one deleted symbol: so the index finds every match and nothing else,
//! and [`compare`] only ranks.

use crate::vrm::{Kind, uk_layouts};
use anpr_types::{VrmEdit, VrmMatch};
use std::collections::BTreeSet;

/// The confusion classes of the UK plate font (Charles Wright 2001) as OCR misreads it; the
/// first character of each is its skeleton symbol. Every other character is a class of its
/// own.
pub const CONFUSIONS: &[&str] = &["0ODQ", "1ILT7", "2Z", "4A", "5S", "6G", "8B", "EF", "KX", "HMN", "PR", "UV"];

/// The skeleton symbol of one character.
pub fn symbol(c: char) -> char {
    CONFUSIONS.iter().find(|class| class.contains(c)).and_then(|class| class.chars().next()).unwrap_or(c)
}

/// A normalised VRM with every character replaced by its class's symbol.
pub fn skeleton(vrm: &str) -> String {
    vrm.chars().map(symbol).collect()
}

/// Costs of one difference (docs/vrm-search.md).
const CROSSING: u32 = 1;
const SAME_KIND: u32 = 2;
const INDEL: u32 = 3;

/// The skeletons a match of `query` can have: its own and, with `indel`, those with one symbol
/// deleted or inserted (every symbol at every place). Looked up in the index's skeleton column.
pub fn index_keys(query: &str, indel: bool) -> Vec<String> {
    let base: Vec<char> = skeleton(query).chars().collect();
    let mut keys = BTreeSet::from([base.iter().collect::<String>()]);
    if indel {
        let alphabet: BTreeSet<char> = ('A'..='Z').chain('0'..='9').map(symbol).collect();
        for k in 0..base.len() {
            keys.insert(base[..k].iter().chain(&base[k + 1..]).collect());
        }
        for k in 0..=base.len() {
            for s in &alphabet {
                keys.insert(base[..k].iter().chain(std::iter::once(s)).chain(&base[k..]).collect());
            }
        }
    }
    keys.into_iter().collect()
}

/// One aligned position: the searched character and the read's (either may be missing).
#[derive(Debug, Clone, Copy)]
struct Pair {
    query: Option<char>,
    read: Option<char>,
    /// 1-based position in the read.
    position: u32,
}

/// How `read` differs from `query` (both normalised), or `None` when it is no misread of it.
/// With `indel`, a read with one character more or fewer also matches; of its alignments the
/// cheapest (then the leftmost) counts.
pub fn compare(query: &str, read: &str, indel: bool) -> Option<VrmMatch> {
    let q: Vec<char> = query.chars().collect();
    let r: Vec<char> = read.chars().collect();
    let position = |i: usize| u32::try_from(i + 1).unwrap_or(u32::MAX);
    if q.len() == r.len() {
        let pairs = q.iter().zip(&r).enumerate();
        return score(pairs.map(|(i, (a, b))| Pair { query: Some(*a), read: Some(*b), position: position(i) }));
    }
    if !indel || q.len().abs_diff(r.len()) != 1 {
        return None;
    }
    let alignments = (0..q.len().max(r.len())).filter_map(|k| {
        let pairs: Vec<Pair> = if r.len() > q.len() {
            // The read has an extra character at k: a letter or digit, the only symbols
            // `index_keys` inserts (the index never offers a read with any other).
            Kind::of(r[k])?;
            let query = |i: usize| if i == k { None } else { Some(q[if i < k { i } else { i - 1 }]) };
            (0..r.len()).map(|i| Pair { query: query(i), read: Some(r[i]), position: position(i) }).collect()
        } else {
            // The read lacks the searched character at k.
            let read = |i: usize| if i == k { None } else { Some(r[if i < k { i } else { i - 1 }]) };
            (0..q.len()).map(|i| Pair { query: Some(q[i]), read: read(i), position: position(i) }).collect()
        };
        score(pairs.into_iter())
    });
    // `min_by_key` keeps the first of equals: the leftmost alignment.
    alignments.min_by_key(|m| m.cost)
}

/// Scores one alignment, or `None` when a position pairs characters of different classes.
/// Positions are judged in the searched VRM's frame against each UK layout of its length; the
/// cheapest layout that admits the alignment counts, or none (every substitution at
/// [`SAME_KIND`]) when no layout does.
fn score(pairs: impl Iterator<Item = Pair>) -> Option<VrmMatch> {
    let pairs: Vec<Pair> = pairs.collect();
    let mut edits = Vec::new();
    for p in &pairs {
        match (p.query, p.read) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) if symbol(a) != symbol(b) => return None,
            (query, read) => edits.push(VrmEdit { position: p.position, read, query }),
        }
    }
    let framed: Vec<(char, Option<char>)> = pairs.iter().filter_map(|p| p.query.map(|q| (q, p.read))).collect();
    let indels = edits.iter().filter(|e| e.query.is_none() || e.read.is_none()).count() as u32;
    let substitutions = edits.len() as u32 - indels;
    let unplaced = (None, substitutions * SAME_KIND);
    let (layout, cost) = uk_layouts()
        .iter()
        .filter(|l| l.kinds.len() == framed.len())
        .filter_map(|l| layout_cost(&framed, &l.kinds).map(|cost| (Some(l.name), cost)))
        .min_by_key(|(_, cost)| *cost)
        .unwrap_or(unplaced);
    Some(VrmMatch { cost: cost + indels * INDEL, layout: layout.map(str::to_owned), edits })
}

/// The substitutions' cost under one layout, or `None` if the layout cannot hold the searched
/// VRM: each searched character the read kept (or lacks) must be of its position's kind, and
/// of a substituted pair at least one must be.
fn layout_cost(framed: &[(char, Option<char>)], kinds: &[Kind]) -> Option<u32> {
    let mut cost = 0;
    for (&(query, read), &kind) in framed.iter().zip(kinds) {
        let fits = |c: char| Kind::of(c) == Some(kind);
        match read {
            Some(read) if read != query => match (fits(query), fits(read)) {
                (true, true) => cost += SAME_KIND,
                (false, false) => return None,
                _ => cost += CROSSING,
            },
            _ if !fits(query) => return None,
            _ => {}
        }
    }
    Some(cost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn edits(m: &VrmMatch) -> Vec<String> {
        m.edits.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_confusion_table_is_a_partition_of_letters_and_digits() {
        let listed: String = CONFUSIONS.concat();
        let unique: BTreeSet<char> = listed.chars().collect();
        assert_eq!(unique.len(), listed.len(), "no character in two classes");
        assert!(listed.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
        // The pairs cli.md names are confusions.
        for (a, b) in [('O', '0'), ('I', '1'), ('B', '8'), ('S', '5'), ('Z', '2'), ('D', '0'), ('G', '6'), ('Q', 'O')] {
            assert_eq!(symbol(a), symbol(b), "{a}/{b}");
        }
        for (a, b) in [('C', 'G'), ('3', '8'), ('A', 'B'), ('1', '2')] {
            assert_ne!(symbol(a), symbol(b), "{a}/{b}");
        }
        assert_eq!(skeleton("AB12CDE"), "4812C0E");
    }

    #[test]
    fn substitutions_are_ranked_by_position_kind() {
        // '8' where the current layout needs a letter: a likely misread of 'B'.
        let m = compare("AB12CDE", "A812CDE", false).unwrap();
        assert_eq!((m.cost, m.layout.as_deref(), edits(&m)), (1, Some("current"), vec!["8->B at 2".to_owned()]));
        // A letter for a letter (D read as O) is a confusion too, but the read fits the layout
        // as it is, so it ranks below.
        let m = compare("AB12CDE", "AB12COE", false).unwrap();
        assert_eq!((m.cost, edits(&m)), (2, vec!["O->D at 6".to_owned()]));
        let m = compare("AB12CDE", "A8I2C0E", false).unwrap();
        assert_eq!((m.cost, edits(&m)), (3, vec!["8->B at 2".into(), "I->1 at 3".into(), "0->D at 6".into()]));
        assert_eq!(compare("AB12CDE", "AB12CDE", false).unwrap().cost, 0);
        // The searched VRM may be the misread: it fits no layout, the read does.
        let m = compare("ABI2CDE", "AB12CDE", false).unwrap();
        assert_eq!((m.cost, m.layout.as_deref(), edits(&m)), (1, Some("current"), vec!["1->I at 3".to_owned()]));
        // No UK layout of that length: substitutions cost the same everywhere.
        let m = compare("ABCD12345", "ABCD1234S", false).unwrap();
        assert_eq!((m.cost, m.layout), (2, None));
    }

    #[test]
    fn characters_of_different_classes_never_match() {
        for (q, r) in [("AB12CDE", "AB12CDF0"), ("AB12CDE", "AC12CDE"), ("AB12CDE", "AB13CDE"), ("AB12CDE", "")] {
            assert_eq!(compare(q, r, false), None, "{q} {r}");
        }
    }

    #[test]
    fn one_character_more_or_fewer_only_when_asked() {
        assert_eq!(compare("AB12CDE", "AB12CD", false), None);
        let m = compare("AB12CDE", "AB12CD", true).unwrap();
        assert_eq!((m.cost, edits(&m)), (3, vec!["-E at 7".to_owned()]));
        let m = compare("AB12CDE", "AB112CDE", true).unwrap();
        assert_eq!((m.cost, edits(&m)), (3, vec!["+1 at 3".to_owned()]));
        let m = compare("AB12CDE", "A812C0", true).unwrap();
        assert_eq!((m.cost, edits(&m)), (5, vec!["8->B at 2".into(), "0->D at 6".into(), "-E at 7".into()]));
        assert_eq!(compare("AB12CDE", "AB12C", true), None, "two fewer");
        assert_eq!(compare("AB12CDE", "XAB12CDEX", true), None, "two more");
    }

    /// The index finds exactly the matches: a VRM's skeleton is among the searched VRM's keys
    /// if and only if `compare` matches it.
    #[test]
    fn index_keys_select_exactly_the_matches() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let alphabet: Vec<char> = "AB8O0DQI1LT7Z2S5G6CEX".chars().collect();
        let mut matched = 0;
        for _ in 0..20_000 {
            let mut word = |longest: usize| {
                let n = rng.random_range(1..=longest);
                (0..n).map(|_| alphabet[rng.random_range(0..alphabet.len())]).collect::<String>()
            };
            let (q, r) = (word(4), word(5));
            for indel in [false, true] {
                let keyed = index_keys(&q, indel).contains(&skeleton(&r));
                assert_eq!(keyed, compare(&q, &r, indel).is_some(), "{q} {r} indel {indel}");
                matched += usize::from(keyed);
            }
        }
        assert!(matched > 500, "the sample exercised matches: {matched}");
    }
}
