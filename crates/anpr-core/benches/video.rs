//! Video benchmark (`cargo xtask bench video [--frames N]`, issue 7): a 1080p H.264 MP4 made by
//! the project's own encoder (25 frames a second, a keyframe every 2 s, vehicles crossing a
//! textured road; built once and kept under the target directory), then, each beside a
//! baseline measured in the same run:
//! - seeking to random frames (`Video::frame(n)`), median and p95, against decoding one frame
//!   of a sequential walk;
//! - playing: `Video::frame(n)` for n = 0, 1, 2 ... as the screen does, plain and with each
//!   frame JPEG-encoded as the page receives it, against a plain sequential walk
//!   (`Video::frames`);
//! - pass detection (`propose_passes`) against the luma-only walk it is built on
//!   (`Video::scan_luma`).
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anpr_core::types::{BandShape, LaneBand, PassParams};
use anpr_core::video::{EncodeSettings, H264Writer, SCREEN_JPEG_QUALITY, Video, propose_passes};
use image::{Rgb, RgbImage};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const WIDTH: u32 = 1920;
const HEIGHT: u32 = 1080;
const FPS: u32 = 25;
const KEYFRAME_INTERVAL: u32 = 50;
const SEEKS: usize = 60;
/// The read line the vehicles cross.
const READ_Y: f32 = 760.0;
/// A vehicle enters every this many frames and crosses in ...
const HEADWAY: usize = 30;
/// ... this many pixels a frame.
const SPEED: f32 = 36.0;

fn option(args: &[String], name: &str, default: usize) -> usize {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Where the video is kept between runs: encoding 1080p takes a while.
fn video_path(frames: usize) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    target.join("bench-video").join(format!("road-1080p-{frames}.mp4"))
}

/// A fixed road scene with grain (so the encoder has real texture to code), and vehicles
/// coming down it: each a body, windscreen, lamps and a white plate.
fn scene(frames: usize) -> impl Fn(usize) -> RgbImage {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut background = RgbImage::new(WIDTH, HEIGHT);
    for (x, _, pixel) in background.enumerate_pixels_mut() {
        let road = (480..1440).contains(&x);
        let base: [u8; 3] = if road { [100, 102, 106] } else { [80, 118, 64] };
        let grain: i16 = rng.random_range(-12..=12);
        *pixel = Rgb(base.map(|c| (i16::from(c) + grain).clamp(0, 255) as u8));
    }
    for y in (READ_Y as u32 - 4)..(READ_Y as u32 + 4) {
        for x in 480..1440 {
            background.put_pixel(x, y, Rgb([235, 200, 40]));
        }
    }
    let colours: Vec<[u8; 3]> = (0..frames / HEADWAY + 2).map(|_| [0, 0, 0].map(|_: u8| rng.random())).collect();
    move |f| {
        let mut image = background.clone();
        for (k, colour) in colours.iter().enumerate() {
            // Vehicle k's front reaches the read line on frame k * HEADWAY + 20.
            let front = READ_Y + SPEED * (f as f32 - (k * HEADWAY + 20) as f32);
            let top = front - 420.0;
            let fill = |image: &mut RgbImage, x0: u32, y0: f32, x1: u32, y1: f32, c: [u8; 3]| {
                let (y0, y1) = (y0.max(0.0) as u32, y1.clamp(0.0, HEIGHT as f32) as u32);
                for y in y0..y1 {
                    for x in x0..x1 {
                        image.put_pixel(x, y, Rgb(c));
                    }
                }
            };
            if front <= 0.0 || top >= HEIGHT as f32 {
                continue;
            }
            fill(&mut image, 620, top, 1300, front, *colour);
            fill(&mut image, 680, top + 120.0, 1240, top + 220.0, [40, 50, 60]);
            fill(&mut image, 640, front - 130.0, 760, front - 90.0, [230, 230, 215]);
            fill(&mut image, 1160, front - 130.0, 1280, front - 90.0, [230, 230, 215]);
            fill(&mut image, 860, front - 60.0, 1060, front - 10.0, [245, 245, 245]);
        }
        image
    }
}

fn make_video(frames: usize) -> PathBuf {
    let path = video_path(frames);
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let settings = EncodeSettings {
        width: WIDTH,
        height: HEIGHT,
        fps: FPS,
        keyframe_interval: KEYFRAME_INTERVAL,
        quantiser: (22, 34),
        clock_start: None,
    };
    let started = Instant::now();
    let partial = path.with_extension("partial");
    let mut writer = H264Writer::create(&partial, &settings).unwrap();
    let draw = scene(frames);
    for f in 0..frames {
        writer.push(&draw(f)).unwrap();
    }
    let summary = writer.finish().unwrap();
    std::fs::rename(&partial, &path).unwrap();
    eprintln!(
        "encoded {frames} frames of 1920x1080 in {:.0} s ({} bytes, {} keyframes)",
        started.elapsed().as_secs_f64(),
        summary.bytes,
        summary.keyframes
    );
    path
}

struct Figures {
    median: Duration,
    p95: Duration,
}

fn figures(mut times: Vec<Duration>) -> Figures {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Figures { median: at(0.5), p95: at(0.95) }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let frames = option(&args, "--frames", 600);
    let path = make_video(frames);
    let mut video = Video::open(&path).unwrap();
    let count = video.frame_count();

    // Baseline: every frame once, in order, as RGB.
    let started = Instant::now();
    let walked = video.frames(&mut |_| {}).inspect(|f| assert!(f.is_ok(), "{f:?}")).count();
    let sequential = started.elapsed() / walked as u32;
    // Luma only: what pass detection decodes.
    let started = Instant::now();
    video.scan_luma(&mut |_| {}, &mut |_, _| {}).unwrap();
    let luma = started.elapsed() / count as u32;

    // Random seeks, on a freshly opened video (its cache holds only what these seeks left).
    let mut video = Video::open(&path).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let seeks: Vec<Duration> = (0..SEEKS)
        .map(|_| {
            let n = rng.random_range(0..count);
            let started = Instant::now();
            video.frame(n).unwrap();
            started.elapsed()
        })
        .collect();
    let seek = figures(seeks);

    // Playing from the start, frame by frame as the screen asks for them.
    let mut video = Video::open(&path).unwrap();
    let play = |video: &mut Video, encode: bool| {
        let started = Instant::now();
        let mut bytes = 0;
        for n in 0..count {
            // As the shell serves a frame to the page: decoded, then JPEG at full size.
            if encode {
                bytes += video.frame_jpeg(n, SCREEN_JPEG_QUALITY).unwrap().len();
            } else {
                video.frame(n).unwrap();
            }
        }
        (started.elapsed() / count as u32, bytes / count)
    };
    let (playing, _) = play(&mut video, false);
    let mut video = Video::open(&path).unwrap();
    let (playing_jpeg, jpeg_bytes) = play(&mut video, true);

    let bands =
        [LaneBand { lane: 1, shape: BandShape::Line { from: (500.0, READ_Y), to: (1420.0, READ_Y), thickness: 12.0 } }];
    let started = Instant::now();
    let passes = propose_passes(&mut video, &bands, &PassParams::default(), &mut |_| {}).unwrap();
    let detect = started.elapsed() / count as u32;
    let crossing = (0..).map(|k| k * HEADWAY + 20).take_while(|&f| f < count).count();

    let fps = |d: Duration| 1.0 / d.as_secs_f64();
    println!(
        "video benchmark: {count} frames of {WIDTH}x{HEIGHT} H.264 at {FPS} fps, a keyframe every {KEYFRAME_INTERVAL}; {} cores",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    println!("{:<52} {:>10} {:>10} {:>12}", "case", "ms/frame", "frames/s", "x baseline");
    let row = |name: &str, d: Duration, baseline: Duration| {
        println!("{name:<52} {:>10.2} {:>10.1} {:>12.2}", ms(d), fps(d), ms(d) / ms(baseline));
    };
    row("baseline: sequential decode to RGB (frames)", sequential, sequential);
    row("sequential decode, luma only (scan_luma)", luma, sequential);
    row("playing: frame(n), n = 0, 1, 2 ...", playing, sequential);
    let served = format!("playing, served as the page gets it (JPEG q{SCREEN_JPEG_QUALITY}, {} KB)", jpeg_bytes / 1024);
    row(&served, playing_jpeg, sequential);
    row("pass detection (propose_passes)", detect, luma);
    println!(
        "{:<52} {:>10.1} {:>10} {:>12.1}",
        format!("seek to a random frame, median ({SEEKS} seeks)"),
        ms(seek.median),
        "",
        ms(seek.median) / ms(sequential)
    );
    println!(
        "{:<52} {:>10.1} {:>10} {:>12.1}",
        "seek to a random frame, p95",
        ms(seek.p95),
        "",
        ms(seek.p95) / ms(sequential)
    );
    println!("passes proposed: {} for {crossing} vehicles crossing", passes.len());
}
