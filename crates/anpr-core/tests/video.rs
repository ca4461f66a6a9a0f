//! Video decoding on real files written by the project's own encoder: each frame shows its own
//! number as a large binary barcode, read back from the decoded pixels, so a seek that lands
//! one frame off is caught.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use anpr_core::video::{EncodeSettings, H264Writer, SUPPORTED, Video, VideoError};
use chrono::{DateTime, Utc};
use image::{Rgb, RgbImage};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const WIDTH: u32 = 320;
const HEIGHT: u32 = 240;
const BITS: u32 = 12;
const FRAMES: usize = 95;
const KEYFRAME_INTERVAL: u32 = 12;

fn clock_start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-14T15:09:26Z").unwrap().to_utc()
}

/// Bit i of the frame number is a 40x60 block: white for 1, black for 0, in two rows of six;
/// a grey square moves across the bottom so consecutive frames differ elsewhere too.
fn barcode_frame(n: usize) -> RgbImage {
    let mut image = RgbImage::from_pixel(WIDTH, HEIGHT, Rgb([90, 110, 140]));
    for bit in 0..BITS {
        let on = (n >> bit) & 1 == 1;
        let (x0, y0) = (20 + (bit % 6) * 48, 20 + (bit / 6) * 80);
        for y in y0..y0 + 60 {
            for x in x0..x0 + 40 {
                image.put_pixel(x, y, if on { Rgb([250, 250, 250]) } else { Rgb([5, 5, 5]) });
            }
        }
    }
    let x0 = (n as u32 * 7) % (WIDTH - 30);
    for y in 190..220 {
        for x in x0..x0 + 30 {
            image.put_pixel(x, y, Rgb([160, 160, 160]));
        }
    }
    image
}

/// Reads the number back: the mean brightness of the middle of each block, thresholded.
fn read_barcode(image: &RgbImage) -> usize {
    (0..BITS).fold(0, |acc, bit| {
        let (x0, y0) = (20 + (bit % 6) * 48, 20 + (bit / 6) * 80);
        let mut sum = 0u32;
        for y in y0 + 15..y0 + 45 {
            for x in x0 + 10..x0 + 30 {
                sum += u32::from(image.get_pixel(x, y).0[1]);
            }
        }
        let on = sum / (30 * 20) > 128;
        acc | (usize::from(on) << bit)
    })
}

fn write_barcode_video(path: &Path) {
    let settings = EncodeSettings {
        width: WIDTH,
        height: HEIGHT,
        fps: 10,
        keyframe_interval: KEYFRAME_INTERVAL,
        quantiser: (20, 32),
        clock_start: Some(clock_start()),
    };
    let mut writer = H264Writer::create(path, &settings).unwrap();
    for n in 0..FRAMES {
        writer.push(&barcode_frame(n)).unwrap();
    }
    let summary = writer.finish().unwrap();
    assert_eq!(summary.frames, FRAMES);
    assert_eq!(summary.keyframes, FRAMES.div_ceil(KEYFRAME_INTERVAL as usize));
}

#[test]
fn frames_are_exact_when_seeking_stepping_and_scanning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("barcode.mp4");
    write_barcode_video(&path);
    let mut video = Video::open(&path).unwrap();
    assert_eq!((video.width(), video.height()), (WIDTH, HEIGHT));
    assert_eq!(video.frame_count(), FRAMES);
    assert_eq!(video.frame_rate(), 10.0);
    assert_eq!(video.duration(), Duration::from_millis(9500));
    assert_eq!(video.clock_start(), Some(clock_start()));
    assert_eq!(video.frame_time(37), Some(Duration::from_millis(3700)));
    assert_eq!(video.frame_time(FRAMES), None);
    assert_eq!(video.frame_at(Duration::from_millis(3749)), 37);
    assert_eq!(video.frame_at(Duration::from_secs(60)), FRAMES - 1);

    // Random seeks, forwards and backwards across groups of pictures.
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for _ in 0..40 {
        let n = rng.random_range(0..FRAMES);
        assert_eq!(read_barcode(&video.frame(n).unwrap()), n, "seek to {n}");
    }
    // Stepping forward through the whole video, then backward.
    let started = Instant::now();
    for n in 0..FRAMES {
        assert_eq!(read_barcode(&video.frame(n).unwrap()), n, "step forward to {n}");
    }
    let forward = started.elapsed();
    for n in (0..FRAMES).rev() {
        assert_eq!(read_barcode(&video.frame(n).unwrap()), n, "step back to {n}");
    }
    eprintln!("stepping forward: {:.1} frames/s", FRAMES as f64 / forward.as_secs_f64());

    // A whole-video scan sees every frame once, in order, and reports progress.
    let mut last = None;
    let mut progress = |p: anpr_core::video::VideoProgress| last = Some(p);
    let numbers: Vec<usize> = video
        .frames(&mut progress)
        .map(|f| f.unwrap())
        .map(|(n, image)| {
            assert_eq!(read_barcode(&image), n);
            n
        })
        .collect();
    assert_eq!(numbers, (0..FRAMES).collect::<Vec<_>>());
    assert_eq!(last.map(|p| (p.done, p.total)), Some((FRAMES, FRAMES)));

    assert!(matches!(video.frame(FRAMES), Err(VideoError::FrameOutOfRange { frame: FRAMES, count: FRAMES })));
}

fn refusal(path: &Path) -> VideoError {
    match Video::open(path) {
        Ok(_) => panic!("{} opened", path.display()),
        Err(e) => e,
    }
}

/// Replaces the first occurrence of `from` after `after` (a box type) in the file.
fn patch(bytes: &mut [u8], after: &[u8], from: &[u8; 4], to: &[u8; 4]) {
    let start = bytes.windows(after.len()).position(|w| w == after).unwrap();
    let at = start + bytes[start..].windows(4).position(|w| w == from).unwrap();
    bytes[at..at + 4].copy_from_slice(to);
}

#[test]
fn files_it_cannot_decode_are_refused_saying_what_is_supported() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.mp4");
    write_barcode_video(&good);
    let bytes = std::fs::read(&good).unwrap();

    // An MP4 whose video is H.265: the real file with its sample entry's 'avc1' fourcc (in the
    // stsd box) patched to 'hvc1'.
    let mut hevc = bytes.clone();
    patch(&mut hevc, b"stsd", b"avc1", b"hvc1");
    let path = dir.path().join("hevc.mp4");
    std::fs::write(&path, &hevc).unwrap();
    let e = refusal(&path);
    assert!(matches!(e, VideoError::UnsupportedCodec { .. }), "{e:?}");
    assert_eq!(e.code(), "video_unsupported");
    assert_eq!(
        e.to_string(),
        "H.265/HEVC (hvc1) video cannot be decoded here; the workstation decodes MP4 files with H.264 (AVC) video"
    );

    // Only an audio-like track: the handler 'vide' patched to 'soun'.
    let mut audio = bytes.clone();
    patch(&mut audio, b"hdlr", b"vide", b"soun");
    let path = dir.path().join("audio.mp4");
    std::fs::write(&path, &audio).unwrap();
    let e = refusal(&path);
    assert!(matches!(e, VideoError::NoVideoTrack { .. }), "{e:?}");
    assert!(e.to_string().contains("no video track (it holds audio (avc1))") && e.to_string().ends_with(SUPPORTED));

    // Not an MP4 at all.
    let path = dir.path().join("picture.mp4");
    barcode_frame(3).save_with_format(&path, image::ImageFormat::Png).unwrap();
    let e = refusal(&path);
    assert_eq!(e.to_string(), format!("this file cannot be opened as a video: it is a PNG image; {SUPPORTED}"));
    let path = dir.path().join("notes.mp4");
    std::fs::write(&path, "vehicle 1 passed at 10:00\n").unwrap();
    let e = refusal(&path);
    assert!(matches!(e, VideoError::NotMp4 { .. }) && e.to_string().ends_with(SUPPORTED), "{e}");

    // A recording cut short: its index is gone.
    let path = dir.path().join("cut.mp4");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let e = refusal(&path);
    assert!(matches!(e, VideoError::NotMp4 { .. }), "{e:?}");

    assert!(matches!(refusal(&dir.path().join("absent.mp4")), VideoError::Io { .. }));
}
