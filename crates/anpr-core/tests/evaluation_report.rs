//! The evaluation report (issue 7 item 7) and its charts, on the demo evaluation kit's real
//! files: the charts' pixels where their data put them, and the PDF read back with poppler and
//! qpdf (figures, verdict, the lists, the marking on every page, the pictures in it). Page
//! images go to `target/pdf-preview/` for looking at.
#![allow(clippy::unwrap_used)]

mod common;

use anpr_core::demo::{EvalKitOptions, EvalKitSummary, write_eval_kit};
use anpr_core::evaluation::charts::{
    self, CAPTURE_COLOUR, CLASS_COLOUR, Chart, OTHER_COLOUR, Outcome, READ_COLOUR, confusions_chart, rates_chart,
    within_class,
};
use anpr_core::evaluation::report::{ReportDetails, interval, percent, report_files, verdict_words};
use anpr_core::evaluation::{EvaluationParams, parse_truth};
use anpr_core::policy::evaluation::Deployment;
use anpr_core::types::{Condition, ConfusionCount, EvaluationReport};
use chrono::DateTime;
use common::pdf::{check_marked_pages, preview, run, text_of};
use image::RgbImage;
use plotters::style::RGBColor;
use std::path::Path;
use std::time::Instant;

fn decode(chart: &Chart) -> RgbImage {
    let image = image::load_from_memory(&chart.png).unwrap().to_rgb8();
    assert_eq!((image.width(), image.height()), (chart.width, chart.height));
    image
}

fn is(image: &RgbImage, x: u32, y: u32, colour: RGBColor) -> bool {
    image.get_pixel(x, y).0 == [colour.0, colour.1, colour.2]
}

fn count_in_row(image: &RgbImage, y: u32, colour: RGBColor) -> usize {
    (0..image.width()).filter(|&x| is(image, x, y, colour)).count()
}

/// `n` visible vehicles, every 40th missed and every 25th misread (of those captured).
fn outcomes(n: u64) -> Vec<(u64, Outcome)> {
    (1..=n)
        .map(|v| {
            let outcome = if v % 40 == 0 {
                Outcome::Missed
            } else if v % 25 == 0 {
                Outcome::Misread
            } else {
                Outcome::Correct
            };
            (v, outcome)
        })
        .collect()
}

#[test]
fn the_rates_chart_draws_the_standards_and_the_rates_where_they_are() {
    let data = outcomes(300);
    let chart = rates_chart(&data, 0.98, 0.95).unwrap();
    let image = decode(&chart);
    let white = image.pixels().filter(|p| p.0 == [255, 255, 255]).count();
    assert!(white < image.pixels().count() * 97 / 100, "the chart is almost blank");

    // The standards' dashed lines: most of the plot's width on their rows, in their colours,
    // 98% above 95%; and not on rows a few pixels away.
    let [capture_row, read_row] = chart.standard_rows[..] else { panic!("{:?}", chart.standard_rows) };
    assert!(capture_row < read_row && read_row < chart.height, "{capture_row} {read_row}");
    let plot_width = chart.width as usize * 3 / 4;
    assert!(count_in_row(&image, capture_row, CAPTURE_COLOUR) > plot_width / 2);
    assert!(count_in_row(&image, read_row, READ_COLOUR) > plot_width / 2);
    assert!(count_in_row(&image, capture_row + 6, CAPTURE_COLOUR) < plot_width / 4);
    assert!(count_in_row(&image, read_row - 6, READ_COLOUR) < plot_width / 4);

    // The rates' final points, on the scale the two standards' rows fix, at the plot's right end.
    let (capture, read) = charts::cumulative(&data);
    let (final_capture, final_read) = (capture.last().unwrap().1, read.last().unwrap().1);
    assert_eq!(final_capture, 293.0 / 300.0);
    assert_eq!(final_read, 282.0 / 293.0);
    let px_per_rate = f64::from(read_row - capture_row) / 0.03;
    let row_of = |rate: f64| (f64::from(capture_row) + (0.98 - rate) * px_per_rate).round() as u32;
    let right = (0..chart.width).rev().find(|&x| is(&image, x, capture_row, CAPTURE_COLOUR)).unwrap();
    for (rate, colour) in [(final_capture, CAPTURE_COLOUR), (final_read, READ_COLOUR)] {
        let row = row_of(rate);
        let near = (row - 3..=row + 3).any(|y| (right - 4..=right).any(|x| is(&image, x, y, colour)));
        assert!(near, "rate {rate} should end near row {row} at column {right}");
    }

    // The same data draws the same bytes.
    assert_eq!(rates_chart(&data, 0.98, 0.95).unwrap(), chart);
}

#[test]
fn the_confusion_chart_draws_one_bar_per_confusion_in_proportion() {
    assert!(within_class("8->B") && within_class("O->0") && within_class("D->Q"));
    assert!(!within_class("A->X") && !within_class("D->") && !within_class("->1"));
    let counts = [("8->B", 6), ("A->X", 3), ("O->0", 2), ("E->", 1)]
        .map(|(c, n)| ConfusionCount { confusion: c.into(), count: n });
    let chart = confusions_chart(&counts).unwrap();
    let image = decode(&chart);
    // Bars, left to right: runs of columns holding a bar colour, with their heights.
    let mut bars: Vec<(RGBColor, u32)> = Vec::new();
    let mut inside = false;
    for x in 0..image.width() {
        let column = |colour| (0..image.height()).filter(|&y| is(&image, x, y, colour)).count() as u32;
        let (class, other) = (column(CLASS_COLOUR), column(OTHER_COLOUR));
        // The legend's swatches are short; bars are taller than 40 px here.
        let bar = if class > 40 { Some((CLASS_COLOUR, class)) } else { (other > 40).then_some((OTHER_COLOUR, other)) };
        match bar {
            Some(b) if !inside => {
                bars.push(b);
                inside = true;
            }
            Some(_) => {}
            None => inside = false,
        }
    }
    let colours: Vec<RGBColor> = bars.iter().map(|b| b.0).collect();
    assert_eq!(colours, [CLASS_COLOUR, OTHER_COLOUR, CLASS_COLOUR, OTHER_COLOUR]);
    let unit = f64::from(bars[0].1) / 6.0;
    for ((_, height), n) in bars.iter().zip([6.0, 3.0, 2.0, 1.0]) {
        assert!((f64::from(*height) - n * unit).abs() <= 2.0, "{bars:?}");
    }
    assert_eq!(confusions_chart(&counts).unwrap(), chart);
    // No misreads: a chart all the same, without bars.
    let empty = decode(&confusions_chart(&[]).unwrap());
    assert_eq!(empty.pixels().filter(|p| p.0 == [CLASS_COLOUR.0, CLASS_COLOUR.1, CLASS_COLOUR.2]).count(), 0);
}

fn kit(dir: &Path) -> EvalKitSummary {
    let anchor = DateTime::parse_from_rfc3339("2026-05-01T00:00:00Z").unwrap().to_utc();
    write_eval_kit(&dir.join("demo-eval"), &EvalKitOptions::new(1, anchor), &mut |_| {}).unwrap()
}

fn details() -> ReportDetails {
    ReportDetails {
        camera_name: Some("Kestlebridge bypass northbound".into()),
        engineer: "Erin Engineer".into(),
        condition: None,
        reason: "installation".into(),
        exemption: None,
        generated: DateTime::parse_from_rfc3339("2026-11-24T15:00:00Z").unwrap().to_utc(),
        software: "ANPR Workstation 0.1.0".into(),
    }
}

fn check_report_text(text: &str, r: &EvaluationReport, summary: &EvalKitSummary) {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Camera evaluation report (NASPLE 8.14)".to_owned(),
        format!("Verdict: {}", verdict_words(r.verdict)),
        format!("{} (Kestlebridge bypass northbound)", summary.camera_id),
        "static: capture standard 98% (NASPLE 8.7.1), read standard 95%".into(),
        "Erin Engineer".into(),
        "installation".into(),
        format!("day ({} vehicles), night ({} vehicles)", summary.day, summary.night),
        format!("{} of {} visible = {}", r.captured, r.visible, percent(r.capture_rate)),
        format!("{} of {} captured = {}", r.correct, r.captured, percent(r.read_rate)),
        interval(r.capture_ci),
        interval(r.read_ci),
        format!("{} visible vehicles (at least 250 needed)", r.visible),
        format!("{} vehicles captured (at least 250 needed)", r.captured),
        "Capture rate (captured / visible so far) and read rate (correct / captured so far)".into(),
    ] {
        assert!(flat.contains(&expected), "{expected:?} is not in the report:\n{text}");
    }
    for vehicle in &r.missed {
        assert!(flat.contains(&format!("Vehicle {vehicle}: ")), "missed vehicle {vehicle}");
    }
    for m in &r.misreads {
        assert!(flat.contains(&format!("{} read as {}", m.truth, m.read)), "misread {m:?}");
    }
}

#[test]
fn the_report_of_the_demo_kit_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let summary = kit(dir.path());
    let folder = dir.path().join("demo-eval");
    let params = EvaluationParams {
        camera_id: summary.camera_id.clone(),
        deployment: Deployment::Static,
        offset_s: summary.camera_clock_offset_s,
        window_s: 2.0,
        evaluated_on: None,
    };
    let (truth, reads, video) = (folder.join("truth.csv"), folder.join("reads.csv"), folder.join("video.mp4"));
    let started = Instant::now();
    let (r, pdf) = report_files(&truth, &reads, Some(&video), &params, &details()).unwrap();
    eprintln!("report: {} bytes in {:.2} s", pdf.len(), started.elapsed().as_secs_f64());

    // The figures the generator intended.
    assert_eq!((r.vehicles as usize, r.visible as usize), (summary.vehicles, summary.visible));
    assert_eq!(
        (r.missed.len(), r.misreads.len(), r.not_read.len()),
        (summary.missed, summary.misread, summary.not_read)
    );
    assert_eq!((r.duplicates as usize, r.unmatched_reads as usize), (summary.duplicates, summary.stray));

    let path = dir.path().join("report.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let text = text_of(&path);
    let pages = check_marked_pages(&path, &text);
    assert!(pages >= 3, "{pages} pages");
    check_report_text(&text, &r, &summary);
    let info = run("pdfinfo", &[path.to_str().unwrap()]);
    assert!(info.contains("Erin Engineer") && info.contains("2026"), "{info}");

    // Pictures: the two charts, then a frame of the video for each missed and misread vehicle.
    let list = run("pdfimages", &["-list", path.to_str().unwrap()]);
    let images: Vec<&str> = list.lines().skip(2).collect();
    let pictured = r.missed.len() + r.misreads.len();
    assert_eq!(images.len(), 2 + pictured, "{list}");
    let sizes: Vec<(u32, u32)> = images
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[3].parse().unwrap(), f[4].parse().unwrap())
        })
        .collect();
    assert_eq!(sizes.iter().filter(|s| **s == (charts::WIDTH, charts::HEIGHT)).count(), 2, "{list}");
    assert_eq!(sizes.iter().filter(|s| **s == (320, 180)).count(), pictured, "{list}");
    preview(&path, "evaluation-report");

    // Without a video the report still lists every vehicle, without pictures.
    let (_, plain) = report_files(&truth, &reads, None, &params, &details()).unwrap();
    let plain_path = dir.path().join("plain.pdf");
    std::fs::write(&plain_path, &plain).unwrap();
    check_report_text(&text_of(&plain_path), &r, &summary);
    let list = run("pdfimages", &["-list", plain_path.to_str().unwrap()]);
    assert_eq!(list.lines().skip(2).count(), 2, "{list}");
}

#[test]
fn a_stated_condition_and_an_exemption_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let truth = dir.path().join("truth.csv");
    let reads = dir.path().join("reads.csv");
    std::fs::write(
        &truth,
        "vehicle,time,lane,vrm,visible\n1,2026-11-20T10:00:00Z,1,AB12CDE,true\n2,2026-11-20T10:00:10Z,2,CD34EFG,true\n",
    )
    .unwrap();
    std::fs::write(&reads, "read_id,vrm,read_time,camera_id,lane\nr1,AB12CDE,2026-11-20T10:00:00Z,COV-1,1\n").unwrap();
    let params = EvaluationParams {
        camera_id: "COV-1".into(),
        deployment: Deployment::Covert,
        offset_s: 0.0,
        window_s: 2.0,
        evaluated_on: Some("2026-11-21".parse().unwrap()),
    };
    let details = ReportDetails {
        condition: Some(Condition::Night),
        exemption: Some("No overview imagery: exempt from the 6-monthly check".into()),
        ..details()
    };
    let (r, pdf) = report_files(&truth, &reads, None, &params, &details).unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let text = text_of(&path);
    check_marked_pages(&path, &text);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(r.lanes.len(), 2);
    for expected in [
        "Verdict: INSUFFICIENT SAMPLE",
        "night",
        "21/11/2026",
        "No overview imagery: exempt from the 6-monthly check",
        "Lane 1",
        "Lane 2",
        "8.14.2, lane 2",
        "Vehicle 2: CD34EFG",
        "No captured vehicle was misread.",
    ] {
        assert!(flat.contains(expected), "{expected:?} is not in the report:\n{text}");
    }
    // The truth parsed here is the truth scored: every vehicle has an outcome.
    let vehicles = parse_truth(&std::fs::read(&truth).unwrap(), "truth.csv").unwrap();
    let outcomes = charts::outcomes(&vehicles, &r);
    assert_eq!(outcomes, [(1, Outcome::Correct), (2, Outcome::Missed)]);
}
