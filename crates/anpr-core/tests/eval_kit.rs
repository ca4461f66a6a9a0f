//! The demo evaluation kit on disk: a video of at least 250 vehicles that opens and seeks,
//! day and night, a read log with every kind of imperfection a real one has, and the same
//! files for the same seed.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anpr_core::demo::{EvalKitOptions, write_eval_kit};
use anpr_core::video::Video;
use chrono::{DateTime, Utc};

fn anchor() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T00:00:00Z").unwrap().to_utc()
}

fn rows(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut csv = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_string).collect();
    let rows =
        csv.records().map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect()).collect();
    (header, rows)
}

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn normal(vrm: &str) -> String {
    vrm.replace(' ', "").to_uppercase()
}

#[test]
fn the_kit_has_250_vehicles_by_day_and_night_and_every_imperfection() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo-eval");
    let started = Instant::now();
    let mut last = None;
    let summary = write_eval_kit(&out, &EvalKitOptions::new(1, anchor()), &mut |p| last = Some(p)).unwrap();
    eprintln!(
        "kit: {} frames in {:.1} s, video {} bytes; {summary:?}",
        summary.frames,
        started.elapsed().as_secs_f64(),
        summary.video_bytes
    );
    assert_eq!(last.map(|p| (p.done, p.total)), Some((summary.frames, summary.frames)));

    // Truth: evaluation.md's columns, vehicles in order of passing on the video's clock.
    let (header, truth) = rows(&out.join("truth.csv"));
    assert_eq!(header, ["vehicle", "time", "lane", "vrm", "visible", "condition"]);
    assert!(truth.len() >= 250 && truth.len() == summary.vehicles);
    let visible: Vec<&BTreeMap<String, String>> = truth.iter().filter(|v| v["visible"] == "true").collect();
    assert!(visible.len() >= 250, "{} visible", visible.len());
    assert_eq!(visible.len(), summary.visible);
    let hidden: Vec<_> = truth.iter().filter(|v| v["visible"] == "false").collect();
    assert!(hidden.len() >= 2 && hidden.iter().all(|v| v["vrm"].is_empty()));
    for (i, vehicle) in truth.iter().enumerate() {
        assert_eq!(vehicle["vehicle"], (i + 1).to_string());
        assert_eq!(vehicle["lane"], "1");
        if i > 0 {
            assert!(time(&vehicle["time"]) > time(&truth[i - 1]["time"]));
        }
    }
    let conditions: Vec<&str> = truth.iter().map(|v| v["condition"].as_str()).collect();
    let first_night = conditions.iter().position(|c| *c == "night").unwrap();
    assert!(first_night > 100 && conditions[first_night..].iter().all(|c| *c == "night"));
    assert!(conditions[..first_night].iter().all(|c| *c == "day"));
    assert_eq!((summary.day, summary.night), (first_night, truth.len() - first_night));

    // The read log: bundle-format.md's columns, one camera, clock ahead of the video's.
    let (header, reads) = rows(&out.join("reads.csv"));
    assert_eq!(header, anpr_core::import::rows::READ_COLUMNS);
    assert_eq!(reads.len(), summary.reads);
    assert!(reads.iter().all(|r| r["camera_id"] == summary.camera_id && r["lane"] == "1"));
    assert!(summary.camera_id.starts_with("DEMO-"));
    let offset = chrono::TimeDelta::milliseconds((summary.camera_clock_offset_s * 1000.0).round() as i64);
    assert!((2.0..=5.0).contains(&summary.camera_clock_offset_s));
    let on_video_clock = |r: &BTreeMap<String, String>| time(&r["read_time"]) - offset;
    let near = |r: &BTreeMap<String, String>, seconds: f64| -> Vec<&BTreeMap<String, String>> {
        let t = on_video_clock(r);
        truth.iter().filter(|v| (time(&v["time"]) - t).abs().as_seconds_f64() <= seconds).collect()
    };
    let (mut correct, mut misread, mut not_read, mut stray, mut duplicate) = (0, 0, 0, 0, 0);
    let mut matched: BTreeMap<String, usize> = BTreeMap::new();
    for read in &reads {
        // Jitter is at most 0.25 s; a duplicate comes up to 1.2 s after the first read.
        let candidates = near(read, 1.5);
        let vrm = normal(&read["vrm"]);
        if near(read, 2.5).is_empty() {
            stray += 1;
        } else if vrm.is_empty() {
            not_read += 1;
        } else if let Some(v) = candidates.iter().find(|v| normal(&v["vrm"]) == vrm) {
            let seen = matched.entry(v["vehicle"].clone()).or_default();
            *seen += 1;
            if *seen == 1 { correct += 1 } else { duplicate += 1 }
        } else {
            let v = candidates.iter().find(|v| {
                let truth = normal(&v["vrm"]);
                truth.len() == vrm.len() && truth.chars().zip(vrm.chars()).filter(|(a, b)| a != b).count() == 1
            });
            let Some(v) = v else { panic!("read {read:?} matches no vehicle near it") };
            let seen = matched.entry(v["vehicle"].clone()).or_default();
            *seen += 1;
            if *seen == 1 { misread += 1 } else { duplicate += 1 }
        }
    }
    let missed = visible
        .iter()
        .filter(|v| reads.iter().all(|r| (on_video_clock(r) - time(&v["time"])).abs().as_seconds_f64() > 0.5))
        .count();
    eprintln!(
        "correct {correct} misread {misread} not-read {not_read} duplicate {duplicate} stray {stray} missed {missed}"
    );
    assert!(misread >= 1 && not_read >= 1 && duplicate >= 1 && stray >= 1 && missed >= 1);
    assert_eq!((misread, duplicate, stray), (summary.misread, summary.duplicates, summary.stray));
    // Without the offset the reads fall seconds after the vehicles.
    let late = reads.iter().filter(|r| time(&r["read_time"]) > time(&truth[0]["time"])).count();
    assert_eq!(late, reads.len());

    // The video: the right size and clock, and the frame at a truth time shows that vehicle
    // on the read line (a bright plate there by day, a darker scene at night).
    let mut video = Video::open(&out.join("video.mp4")).unwrap();
    assert_eq!((video.width(), video.height(), video.frame_count()), (640, 360, summary.frames));
    assert_eq!(video.frame_rate(), 10.0);
    assert_eq!(video.clock_start(), Some(summary.clock_start));
    let brightness = |image: &image::RgbImage, rows: std::ops::Range<u32>| {
        let mut sum = 0u64;
        for y in rows.clone() {
            for x in 0..image.width() {
                sum += image.get_pixel(x, y).0.iter().map(|&c| u64::from(c)).sum::<u64>();
            }
        }
        sum / (u64::from(image.width()) * u64::from(rows.end - rows.start) * 3)
    };
    let started = Instant::now();
    let picks = [0, 57, 3, first_night + 2, truth.len() - 1];
    for &i in &picks {
        let vehicle = &truth[i];
        let at = (time(&vehicle["time"]) - summary.clock_start).to_std().unwrap();
        let n = video.frame_at(at + Duration::from_millis(1));
        assert_eq!(video.frame_time(n), Some(at), "vehicle {} is on a frame boundary", vehicle["vehicle"]);
        let frame = video.frame(n).unwrap();
        let plate_white = (215..250)
            .flat_map(|y| (0..640).map(move |x| (x, y)))
            .filter(|&(x, y)| frame.get_pixel(x, y).0.iter().all(|&c| c > 200))
            .count();
        if vehicle["visible"] == "true" && vehicle["condition"] == "day" {
            assert!(plate_white > 400, "vehicle {}: {plate_white} white pixels at the read line", vehicle["vehicle"]);
        }
        if vehicle["condition"] == "night" {
            assert!(brightness(&frame, 20..360) < 40, "night frame {n} is too bright");
        } else {
            assert!(brightness(&frame, 20..360) > 70, "day frame {n} is too dark");
        }
    }
    eprintln!("{} seeks: {:.1} ms each", picks.len(), started.elapsed().as_secs_f64() * 1000.0 / picks.len() as f64);
}

#[test]
fn the_same_seed_makes_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let make = |name: &str, seed: u64| {
        let out = dir.path().join(name);
        let opts = EvalKitOptions { seed, vehicles: 12, anchor: anchor() };
        let summary = write_eval_kit(&out, &opts, &mut |_| {}).unwrap();
        // Even a small kit has one of each imperfection.
        let kinds = [summary.missed, summary.misread, summary.not_read, summary.duplicates, summary.stray];
        assert!(kinds.iter().all(|&k| k >= 1), "{summary:?}");
        ["video.mp4", "reads.csv", "truth.csv"].map(|f| std::fs::read(out.join(f)).unwrap())
    };
    let (a, b, c) = (make("a", 5), make("b", 5), make("c", 6));
    assert_eq!(a, b);
    assert_ne!(a[2], c[2]);
    // The folder must be new or empty, as for the demo bundle.
    let opts = EvalKitOptions { seed: 5, vehicles: 12, anchor: anchor() };
    assert!(write_eval_kit(&dir.path().join("a"), &opts, &mut |_| {}).is_err());
}
