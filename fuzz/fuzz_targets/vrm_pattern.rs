//! A search's VRM as typed (pattern parser) and the misread-tolerant matcher's handling of the
//! query: the input is `query` and a read's VRM, split at the first newline. Beyond not
//! panicking, the index must find exactly what the matcher matches (docs/vrm-search.md).
#![no_main]

use anpr_core::search::fuzzy::{compare, index_keys, skeleton};
use anpr_core::search::pattern::VrmPattern;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (query, read) = text.split_once('\n').unwrap_or((text, ""));
    let Ok(pattern) = VrmPattern::parse(query) else { return };
    let VrmPattern::Exact(query) = pattern else { return };
    // Reads are stored normalised; one that was not read has no VRM and is never compared.
    let Some(read) = anpr_core::vrm::normalise(read) else { return };
    for indel in [false, true] {
        let keys = index_keys(&query, indel);
        let matched = compare(&query, &read, indel);
        assert_eq!(keys.contains(&skeleton(&read)), matched.is_some(), "{query:?} {read:?} indel {indel}");
        if let Some(m) = matched {
            assert!(m.edits.len() <= query.chars().count() + 1);
        }
    }
});
