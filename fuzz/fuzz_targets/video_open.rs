//! A video file: the bytes written to a file, opened (MP4 demux, H.264 decoder start, first
//! frame), then the next frames decoded.
#![no_main]

use anpr_core::video::Video;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static DIR: LazyLock<tempfile::TempDir> = LazyLock::new(|| tempfile::tempdir().expect("temporary folder"));

fuzz_target!(|data: &[u8]| {
    let path = DIR.path().join("video.mp4");
    std::fs::write(&path, data).expect("write video");
    let Ok(mut video) = Video::open(&path) else { return };
    let _ = (video.frame_rate(), video.duration(), video.clock_start());
    for n in 1..video.frame_count().min(4) {
        if video.frame(n).is_err() {
            break;
        }
    }
    let _ = video.frame_at(std::time::Duration::from_secs(1));
});
