//! Inputs the fuzz targets (fuzz/, docs/fuzzing.md) found to crash, hang or exhaust the
//! parsers of outside data, minimised, each with what it must do instead.
#![allow(clippy::unwrap_used)]

use anpr_core::video::{Video, VideoError};

/// Writes `bytes` as a video file and opens it.
fn open_video(bytes: &[u8]) -> Result<Video, VideoError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("video.mp4");
    std::fs::write(&path, bytes).unwrap();
    Video::open(&path)
}

/// A top-level box whose 64-bit size makes its end wrap past zero: the walk overflowed (a
/// panic in debug builds; in release it wrapped back to the start of the file and looped,
/// growing its box list until memory ran out).
#[test]
fn mp4_box_size_that_wraps_is_refused() {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"\x00\x00\x00\x10ftypisom\x00\x00\x02\x00");
    bytes.extend_from_slice(b"\x00\x00\x00\x01free");
    bytes.extend_from_slice(&(u64::MAX - 15).to_be_bytes());
    match open_video(&bytes) {
        Err(VideoError::NotMp4 { reason }) => assert!(reason.contains("past the end"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

/// The index finds exactly what the matcher matches (docs/vrm-search.md): a read with one
/// extra character that is not a letter or digit (here a NUL) has no key among the searched
/// VRM's, but the matcher matched it.
#[test]
fn fuzzy_indel_matches_only_what_the_index_can_find() {
    use anpr_core::search::fuzzy::{compare, index_keys, skeleton};
    for read in ["5X7\u{0}3GD8", "SX73-GDB", "SX73GDB.", "ÉSX73GDB"] {
        assert!(!index_keys("SX73GDB", true).contains(&skeleton(read)), "{read}");
        assert_eq!(compare("SX73GDB", read, true), None, "{read}");
    }
    // An extra letter or digit still matches, and is found.
    assert!(index_keys("SX73GDB", true).contains(&skeleton("5X7A3GD8")));
    assert!(compare("SX73GDB", "5X7A3GD8", true).is_some());
}
