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
