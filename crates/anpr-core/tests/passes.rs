//! Assisted marking on the demo evaluation kit: the passes proposed over the painted read line
//! against the kit's truth.csv, by day and at night; and the detector's rules on their own.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anpr_core::demo::{EvalKitOptions, write_eval_kit};
use anpr_core::types::{BandShape, LaneBand, PassParams, ProposedPass};
use anpr_core::video::{EncodeSettings, H264Writer, Video, VideoError, band_activity, find_passes, propose_passes};
use chrono::{DateTime, Utc};
use image::{Rgb, RgbImage};

fn anchor() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T00:00:00Z").unwrap().to_utc()
}

/// The kit's painted read line (y = 250) across its one lane, inside the edge lines.
fn read_line() -> LaneBand {
    LaneBand { lane: 1, shape: BandShape::Line { from: (140.0, 250.0), to: (500.0, 250.0), thickness: 8.0 } }
}

struct Truth {
    ms: i64,
    night: bool,
}

fn truth(path: &Path, start: DateTime<Utc>) -> Vec<Truth> {
    let mut csv = csv::Reader::from_path(path).unwrap();
    csv.deserialize::<BTreeMap<String, String>>()
        .map(|row| {
            let row = row.unwrap();
            let time = DateTime::parse_from_rfc3339(&row["time"]).unwrap().to_utc();
            Truth { ms: (time - start).num_milliseconds(), night: row["condition"] == "night" }
        })
        .collect()
}

#[derive(Debug, Default)]
struct Score {
    vehicles: [usize; 2],
    found: [usize; 2],
    /// Proposal time minus truth time, summed, per condition (ms).
    offset_ms: [i64; 2],
    false_proposals: Vec<u64>,
}

/// Each true pass (hidden plates included: the engineer marks those too) is found when a
/// proposal in its lane lies within 0.5 s of it; one proposal finds one vehicle, nearest first.
fn score(passes: &[ProposedPass], truth: &[Truth]) -> Score {
    let mut used = vec![false; passes.len()];
    let mut score = Score::default();
    for t in truth {
        let c = usize::from(t.night);
        score.vehicles[c] += 1;
        let nearest = (0..passes.len())
            .filter(|&k| !used[k] && passes[k].lane == 1 && (passes[k].time_ms as i64 - t.ms).abs() <= 500)
            .min_by_key(|&k| (passes[k].time_ms as i64 - t.ms).abs());
        if let Some(k) = nearest {
            used[k] = true;
            score.found[c] += 1;
            score.offset_ms[c] += passes[k].time_ms as i64 - t.ms;
        }
    }
    score.false_proposals = (0..passes.len()).filter(|&k| !used[k]).map(|k| passes[k].time_ms).collect();
    score
}

/// Makes a kit of `vehicles`, proposes passes over its read line, prints the figures and checks
/// recall (>= 95% overall, issue 7's acceptance; >= 90% at night, where the headlight beams of
/// close vehicles run together) and the false proposals (at most `max_false`, a guard a little
/// above what was measured: docs/video.md).
fn measure(vehicles: usize, max_false: usize) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo-eval");
    let summary = write_eval_kit(&out, &EvalKitOptions { seed: 1, vehicles, anchor: anchor() }, &mut |_| {}).unwrap();
    let mut video = Video::open(&out.join("video.mp4")).unwrap();
    let truth = truth(&out.join("truth.csv"), summary.clock_start);
    let mut last = None;
    let started = Instant::now();
    let passes = propose_passes(&mut video, &[read_line()], &PassParams::default(), &mut |p| last = Some(p)).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(last.map(|p| (p.done, p.total)), Some((summary.frames, summary.frames)));
    assert!(passes.windows(2).all(|w| w[0].frame < w[1].frame));
    assert!(passes.iter().all(|p| p.last_frame >= p.frame && p.strength > 0.1 && p.strength <= 1.0));
    let s = score(&passes, &truth);
    let recall = |c: usize| s.found[c] as f64 / s.vehicles[c] as f64;
    let all = (s.found[0] + s.found[1]) as f64 / truth.len() as f64;
    let mean = |c: usize| s.offset_ms[c] as f64 / s.found[c].max(1) as f64;
    eprintln!(
        "passes on a {vehicles}-vehicle kit ({} frames): recall {}/{} = {:.1}% (day {}/{} = {:.1}%, night {}/{} = {:.1}%); \
         mean offset day {:+.0} ms, night {:+.0} ms; {} false proposals at {:?} ms; {:.2} ms a frame ({} proposals)",
        summary.frames,
        s.found[0] + s.found[1],
        truth.len(),
        100.0 * all,
        s.found[0],
        s.vehicles[0],
        100.0 * recall(0),
        s.found[1],
        s.vehicles[1],
        100.0 * recall(1),
        mean(0),
        mean(1),
        s.false_proposals.len(),
        s.false_proposals,
        elapsed.as_secs_f64() * 1000.0 / summary.frames as f64,
        passes.len()
    );
    assert!(all >= 0.95, "recall {all}");
    assert!(recall(1) >= 0.90, "night recall {}", recall(1));
    assert!(s.false_proposals.len() <= max_false, "{} false proposals", s.false_proposals.len());
}

#[test]
fn passes_on_a_short_kit_day_and_night() {
    measure(60, 8);
}

#[test]
fn passes_on_the_full_demo_kit() {
    measure(anpr_core::demo::DEFAULT_EVAL_VEHICLES, 24);
}

#[test]
fn hysteresis_duration_split_and_gap() {
    let params = PassParams::default();
    let at = |passes: &[ProposedPass]| passes.iter().map(|p| (p.frame, p.last_frame)).collect::<Vec<_>>();
    // On at 0.2, held down to 0.08, closed below it; a one-frame blip is too short (0.15 s at
    // 10 frames a second is 2 frames); a pass still open at the end is closed there.
    let covered = [0.0, 0.3, 0.5, 0.1, 0.05, 0.0, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.3];
    let passes = find_passes(2, &covered, &params, 10.0);
    assert_eq!(at(&passes), [(1, 3), (13, 14)]);
    assert_eq!((passes[0].lane, passes[0].strength), (2, 0.5));
    // Below `on` nothing starts, however long.
    assert!(find_passes(1, &[0.19; 30], &params, 10.0).is_empty());
    // A rise of 0.1 in one frame while covered is the next vehicle; a slow rise is not.
    let mut covered = vec![0.0, 0.5, 0.4, 0.35, 0.36, 0.37, 0.38, 0.39, 0.5, 0.45, 0.4, 0.0];
    assert_eq!(at(&find_passes(1, &covered, &params, 10.0)), [(1, 7), (8, 10)]);
    // ... unless it comes within 0.6 s of the last start: then it is the same vehicle.
    covered.drain(5..8);
    assert_eq!(at(&find_passes(1, &covered, &params, 10.0)), [(1, 7)]);
    // Separate passes starting within 0.6 s are merged: at 25 fps that is 15 frames.
    let covered = [0.0, 0.5, 0.5, 0.5, 0.5, 0.0, 0.0, 0.5, 0.5, 0.5, 0.5, 0.0];
    assert_eq!(at(&find_passes(1, &covered, &params, 25.0)), [(1, 10)]);
    assert_eq!(at(&find_passes(1, &covered, &params, 10.0)), [(1, 4), (7, 10)]);
}

#[test]
fn bands_must_lie_inside_the_picture() {
    // A 64x48 video: a bright square crosses a band at rows 20-27 on frames 3-5.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("square.mp4");
    let settings =
        EncodeSettings { width: 64, height: 48, fps: 10, keyframe_interval: 5, quantiser: (16, 30), clock_start: None };
    let mut writer = H264Writer::create(&path, &settings).unwrap();
    for f in 0..10u32 {
        let mut image = RgbImage::from_pixel(64, 48, Rgb([90, 90, 90]));
        if (3..=5).contains(&f) {
            for y in 16..32 {
                for x in 8..40 {
                    image.put_pixel(x, y, Rgb([240, 240, 240]));
                }
            }
        }
        writer.push(&image).unwrap();
    }
    writer.finish().unwrap();
    let mut video = Video::open(&path).unwrap();
    let params = PassParams::default();
    let refused =
        |video: &mut Video, shape| match band_activity(video, &[LaneBand { lane: 3, shape }], &params, &mut |_| {}) {
            Err(e @ VideoError::Band { lane: 3, .. }) => e.to_string(),
            other => panic!("{other:?}"),
        };
    let e = refused(&mut video, BandShape::Rect { x: 40.0, y: 20.0, width: 30.0, height: 8.0 });
    assert_eq!(
        e,
        "lane 3's read line cannot be used: it reaches (70.0, 20.0), outside the 64x48 picture; draw it inside the frame"
    );
    // A line inside but too thick near the edge.
    let e = refused(&mut video, BandShape::Line { from: (4.0, 2.0), to: (60.0, 2.0), thickness: 8.0 });
    assert!(e.contains("outside the 64x48 picture"), "{e}");
    let e = refused(&mut video, BandShape::Rect { x: 4.0, y: 4.0, width: 0.0, height: 8.0 });
    assert!(e.contains("the rectangle is 0 x 8 pixels"), "{e}");
    let e = refused(&mut video, BandShape::Rect { x: 4.0, y: 4.0, width: 3.0, height: 3.0 });
    assert!(e.contains("it covers 9 pixels; draw it at least 16"), "{e}");
    let bad = PassParams { on: 0.1, off: 0.3, ..PassParams::default() };
    let shape = BandShape::Rect { x: 0.0, y: 20.0, width: 64.0, height: 8.0 };
    assert!(matches!(
        band_activity(&mut video, &[LaneBand { lane: 1, shape }], &bad, &mut |_| {}),
        Err(VideoError::PassParams(_))
    ));

    // A rectangle and a slanted line over the square's path: covered exactly while it is there
    // (half the rectangle's width, part of the line).
    let bands = [
        LaneBand { lane: 1, shape },
        LaneBand { lane: 2, shape: BandShape::Line { from: (2.0, 30.0), to: (62.0, 18.0), thickness: 4.0 } },
    ];
    let activity = band_activity(&mut video, &bands, &params, &mut |_| {}).unwrap();
    for covered in &activity {
        assert_eq!(covered.len(), 10);
        for (f, &c) in covered.iter().enumerate() {
            if (3..=5).contains(&f) { assert!(c > 0.3 && c < 0.7, "{f}: {c}") } else { assert!(c < 0.05, "{f}: {c}") }
        }
    }
    assert!((activity[0][4] - 0.5).abs() < 0.05, "{}", activity[0][4]);
    let passes = propose_passes(&mut video, &bands, &params, &mut |_| {}).unwrap();
    let found: Vec<(u32, usize, u64, usize)> =
        passes.iter().map(|p| (p.lane, p.frame, p.time_ms, p.last_frame)).collect();
    assert_eq!(found, [(1, 3, 300, 5), (2, 3, 300, 5)]);
}
