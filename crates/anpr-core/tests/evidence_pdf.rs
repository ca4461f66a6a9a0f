//! The bundle and schedule PDFs read back with poppler and qpdf (issue 6 items 3 and 4):
//! markings and page numbers on every page, every exhibit with its pictures' captions, the
//! schedule carrying what the bundle must not (camera identities, precise locations),
//! document information and bookmarks, and `qpdf --check` clean. Page images are rendered
//! to `target/pdf-preview/` for looking at.
#![allow(clippy::unwrap_used)]

mod common;

use anpr_core::evidence::document::{Bundle, Exhibit, Picture, Schedule, Scope, SensitiveCamera};
use anpr_core::evidence::pdf::{bundle_pdf, schedule_pdf};
use common::pdf::{check_marked_pages, pages_of, preview, run, text_of};
use image::{ImageFormat, Rgb, RgbImage};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::path::Path;
use std::time::Instant;

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A deterministic picture with some texture (so it is not trivially compressible).
fn image(width: u32, height: u32, seed: u32, format: ImageFormat) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let img = RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state & 0x1f) as u8;
        let band = if (y / 12 + x / 40 + seed).is_multiple_of(5) { 90 } else { 0 };
        Rgb([
            (x * 255 / width) as u8 / 2 + noise + band / 2,
            (y * 255 / height) as u8 / 2 + noise,
            ((seed * 37) % 128) as u8 + noise + band,
        ])
    });
    let mut bytes = Cursor::new(Vec::new());
    img.write_to(&mut bytes, format).expect("encode test image");
    bytes.into_inner()
}

fn picture(file: String, width: u32, height: u32, seed: u32, format: ImageFormat) -> Picture {
    let bytes = image(width, height, seed, format);
    Picture { sha256: sha256(&bytes), bytes, file, width, height }
}

const AREAS: [&str; 4] = ["Kestlebridge", "Marham Vale", "Upper Ostry", "Fenwick Cross"];

fn camera_id(i: usize) -> String {
    format!("NSC-CAM-{:04}", 4100 + i % 7)
}

fn latitude(i: usize) -> f64 {
    54.0 + (i % 7) as f64 * 0.013_579 + 0.000_123
}

fn bundle(exhibits: usize) -> Bundle {
    let exhibits = (1..=exhibits)
        .map(|n| {
            let file = format!("EE_{n}");
            let overview = (n % 4 != 3).then(|| {
                let png = n % 5 == 0;
                let format = if png { ImageFormat::Png } else { ImageFormat::Jpeg };
                let ext = if png { "png" } else { "jpg" };
                picture(format!("{file}-overview.{ext}"), 480, 270, n as u32, format)
            });
            Exhibit {
                reference: format!("EE/{n}"),
                vrm: format!("NK{:02}ABC", n % 100),
                time_uk: format!("24/11/2026 {:02}:{:02}:12 GMT", 6 + n % 12, n % 60),
                time_utc: format!("2026-11-24T{:02}:{:02}:12Z", 6 + n % 12, n % 60),
                location: AREAS[n % AREAS.len()].to_owned(),
                location_level: "general area".to_owned(),
                consent: None,
                direction: (n % 3 != 0)
                    .then(|| if n % 2 == 0 { "northbound".to_owned() } else { "southbound".to_owned() }),
                lane: (n % 6 != 0).then_some((n % 3) as i64 + 1),
                plate: Some(picture(format!("{file}-plate.png"), 260, 56, 1000 + n as u32, ImageFormat::Png)),
                overview,
                continuity: format!(
                    "imported from bundle /srv/anpr/import/northshire-2026-11-24-{n:03}.zip (SHA-256 {}) by Ivy \
                     Importer (account ivy.importer) on 24/11/2026 07:{:02}:00 GMT",
                    sha256(format!("import {n}").as_bytes()),
                    n % 60
                ),
            }
        })
        .collect();
    Bundle {
        investigation: "NS-MAJ-0003 (Major)".into(),
        bundle_number: "NS-MAJ-0003/B1".into(),
        producer: "Evan Evidence (evidence officer, account evan.evidence)".into(),
        producer_authorisation:
            "Authorised by Northshire Police to produce ANPR evidence as an evidence officer (NASPLE 9.4.2)".into(),
        recipient: "CPS Northshire, reviewing lawyer R. Prosecutor".into(),
        reason: "Evidence of the movements of NK12ABC for the prosecution in R v Example".into(),
        generated_uk: "24/11/2026 09:15:00 GMT".into(),
        generated_utc: "2026-11-24T09:15:00Z".into(),
        software: "ANPR Workstation 0.1.0".into(),
        scope: vec![
            Scope {
                pattern: "NK12ABC".into(),
                period: "20/11/2026 00:00:00 GMT to 24/11/2026 00:00:00 GMT".into(),
                cameras: "any".into(),
                purpose: "Trace the suspect vehicle's movements before and after the offence".into(),
                authority: "Inspector A. Authority, authorisation AUTH-0007 (Annex B)".into(),
            },
            Scope {
                pattern: "NK*ABC".into(),
                period: "23/11/2026 18:00:00 GMT to 24/11/2026 06:00:00 GMT".into(),
                cameras: "Kestlebridge, Marham Vale".into(),
                purpose: "Partial-plate search for the second vehicle seen by a witness".into(),
                authority: "Superintendent B. Senior, authorisation AUTH-0008 (Annex C)".into(),
            },
        ],
        exhibits,
    }
}

fn schedule(bundle: &Bundle) -> Schedule {
    let cameras = (0..7)
        .map(|i| SensitiveCamera {
            camera_id: camera_id(i),
            name: format!("A{} {} junction", 600 + i, AREAS[i % AREAS.len()]),
            system_type: if i == 6 { "mobile".into() } else { "fixed".into() },
            latitude: latitude(i),
            longitude: -1.5 - i as f64 * 0.011_111,
            road: format!("A{} Ostry Road", 600 + i),
            postcode: format!("NS{} {}AB", i + 1, i + 2),
            general_area: AREAS[i % AREAS.len()].into(),
            controller: "Northshire Roads (controller)".into(),
            exhibits: bundle
                .exhibits
                .iter()
                .enumerate()
                .filter(|(n, _)| n % 7 == i)
                .map(|(_, e)| e.reference.clone())
                .collect(),
            reason: "Camera identity and precise location are withheld from the bundle (NASPLE 9.4.1, 9.4.3)".into(),
        })
        .collect();
    Schedule {
        investigation: bundle.investigation.clone(),
        bundle_number: bundle.bundle_number.clone(),
        producer: bundle.producer.clone(),
        generated_uk: bundle.generated_uk.clone(),
        software: bundle.software.clone(),
        cameras,
        notes: vec![
            (
                "Locations in the bundle are described at level 1 (general area) of NASPLE 9.4.3.3.".into(),
                "Camera locations are sensitive (NASPLE 9.4.1, 9.4.3); precise locations appear only here.".into(),
            ),
            (
                "Search: pattern NK*ABC, period 23/11/2026 18:00:00 GMT to 24/11/2026 06:00:00 GMT, cameras \
                 Kestlebridge, Marham Vale, purpose partial-plate search, authority AUTH-0008"
                    .into(),
                "ANPR search methodology (NASPLE 9.4.1).".into(),
            ),
        ],
    }
}

fn outline_titles(pdf: &Path) -> Vec<String> {
    let json = run("qpdf", &["--json", "--json-key=outlines", pdf.to_str().unwrap()]);
    let value: serde_json::Value = serde_json::from_str(&json).expect("qpdf json");
    value["outlines"]
        .as_array()
        .expect("outlines")
        .iter()
        .filter_map(|o| o["title"].as_str().map(str::to_owned))
        .collect()
}

/// Markings and numbering on every page; qpdf clean; document information from 2026.
fn check_common(pdf: &Path, text: &str, title: &str) -> usize {
    let pages = check_marked_pages(pdf, text);
    assert!(pages >= 2, "{pages} pages");
    let info = run("pdfinfo", &[pdf.to_str().unwrap()]);
    let field = |name: &str| info.lines().find_map(|l| l.strip_prefix(name)).map(str::trim).unwrap_or("").to_owned();
    assert!(field("Title:").starts_with(title), "{info}");
    assert!(field("Author:").contains("Evan Evidence"), "{info}");
    assert!(field("Subject:").contains("NS-MAJ-0003/B1"), "{info}");
    assert!(field("Creator:").contains("ANPR Workstation 0.1.0"), "{info}");
    let created = field("CreationDate:");
    assert!(created.contains("2026") && !created.contains("1970"), "{info}");
    pages
}

#[test]
fn bundle_and_schedule_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = bundle(20);
    let schedule = schedule(&bundle);
    let bundle_path = dir.path().join("bundle.pdf");
    let schedule_path = dir.path().join("sensitive-schedule.pdf");
    std::fs::write(&bundle_path, bundle_pdf(&bundle).unwrap()).unwrap();
    std::fs::write(&schedule_path, schedule_pdf(&schedule).unwrap()).unwrap();

    let text = text_of(&bundle_path);
    let pages = check_common(&bundle_path, &text, "Evidential bundle: ANPR reads");
    for needle in [
        "Evidential bundle: ANPR reads",
        "NS-MAJ-0003 (Major)",
        "NS-MAJ-0003/B1",
        "Evan Evidence",
        "NASPLE 9.4.2",
        "CPS Northshire",
        "24/11/2026 09:15:00 GMT",
        "2026-11-24T09:15:00Z",
        "ANPR Workstation 0.1.0",
        "Scope statement",
        "NK*ABC",
        "AUTH-0008",
        "Continuity",
    ] {
        assert!(text.contains(needle), "bundle lacks {needle:?}");
    }
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for exhibit in &bundle.exhibits {
        assert!(text.contains(&format!("Exhibit {}", exhibit.reference)), "no section for {}", exhibit.reference);
        assert!(text.contains(&exhibit.vrm));
        assert!(text.contains(&exhibit.time_uk) && text.contains(&exhibit.time_utc));
        assert!(text.contains(&exhibit.location));
        for picture in exhibit.plate.iter().chain(&exhibit.overview) {
            assert!(text.contains(&picture.sha256), "caption hash of {} missing", picture.file);
            let caption = format!(
                "reproduction; original supplied as {}, SHA-256 {}, {}x{}",
                picture.file, picture.sha256, picture.width, picture.height
            );
            assert!(flat.contains(&caption), "caption {caption:?} missing");
        }
        let continuity = exhibit.continuity.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(&continuity), "continuity of {} missing", exhibit.reference);
    }
    let without = bundle.exhibits.iter().filter(|e| e.overview.is_none()).count();
    assert!(without > 0);
    assert_eq!(text.matches("no overview image recorded").count(), without);

    // Level 1: nothing in the bundle identifies or places a camera precisely (9.4.3).
    for camera in &schedule.cameras {
        assert!(!text.contains(&camera.camera_id), "bundle names camera {}", camera.camera_id);
        assert!(!text.contains(&format!("{:.6}", camera.latitude)), "bundle gives a latitude");
        assert!(!text.contains(&format!("{:.4}", camera.latitude)), "bundle gives a latitude");
        assert!(!text.contains(&camera.postcode) && !text.contains(&camera.road));
    }

    let titles = outline_titles(&bundle_path);
    assert_eq!(titles.first().map(String::as_str), Some("Front sheet"), "{titles:?}");
    assert!(titles.iter().any(|t| t == "Scope statement"), "{titles:?}");
    assert!(titles.iter().any(|t| t == "Continuity"), "{titles:?}");
    for exhibit in &bundle.exhibits {
        assert!(titles.iter().any(|t| t.starts_with(&format!("Exhibit {} ", exhibit.reference))), "{titles:?}");
    }
    // DejaVu Sans and Bold, embedded as subsets (`XXXXXX+` names, "emb sub uni" all yes).
    let fonts = run("pdffonts", &[bundle_path.to_str().unwrap()]);
    let faces: Vec<&str> = fonts.lines().filter(|l| l.contains("DejaVuSans")).collect();
    assert_eq!(faces.len(), 2, "{fonts}");
    for face in faces {
        assert!(face.contains("+DejaVuSans") && face.contains("yes yes yes"), "{fonts}");
    }

    let stext = text_of(&schedule_path);
    check_common(&schedule_path, &stext, "Schedule of sensitive material (NASPLE 9.4.1)");
    assert!(stext.contains("Schedule of sensitive material (NASPLE 9.4.1)"));
    let sflat = stext.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(sflat.contains("not to be disclosed") && sflat.contains("never to be merged into the evidential bundle"));
    for camera in &schedule.cameras {
        assert!(stext.contains(&camera.camera_id), "schedule lacks {}", camera.camera_id);
        assert!(
            stext.contains(&format!("{:.6}", camera.latitude)),
            "schedule lacks the latitude of {}",
            camera.camera_id
        );
        assert!(stext.contains(&format!("{:.6}", camera.longitude)));
        assert!(stext.contains(&camera.postcode) && stext.contains(&camera.road));
    }
    assert!(stext.contains("ANPR search methodology"));
    let stitles = outline_titles(&schedule_path);
    assert!(stitles.iter().any(|t| t == "Cameras") && stitles.iter().any(|t| t == "Methodology and tactics"));

    preview(&bundle_path, "bundle");
    preview(&schedule_path, "schedule");
    println!(
        "bundle: {pages} pages, {} bytes; schedule: {} bytes",
        std::fs::metadata(&bundle_path).unwrap().len(),
        std::fs::metadata(&schedule_path).unwrap().len()
    );
}

/// Long unbroken values wrap inside the margins rather than run off the page.
#[test]
fn long_values_wrap_within_the_page() {
    let mut bundle = bundle(1);
    let long = "x".repeat(400);
    bundle.reason = format!("{long} {}", "word ".repeat(200));
    bundle.exhibits[0].continuity = format!("imported from {}", "/very/long/path".repeat(40));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.pdf");
    std::fs::write(&path, bundle_pdf(&bundle).unwrap()).unwrap();
    // -bbox gives every word's box in points: none may cross the 20 mm margins of A4.
    let html = run("pdftotext", &["-bbox", path.to_str().unwrap(), "-"]);
    for line in html.lines().filter(|l| l.contains("<word ")) {
        let attr = |name: &str| -> f64 {
            let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            line[start..].split('"').next().unwrap().parse().unwrap()
        };
        assert!(attr("xMin") >= 56.0 && attr("xMax") <= 595.3 - 56.0, "off the column: {line}");
    }
    let text = text_of(&path).split_whitespace().collect::<String>();
    assert!(text.contains(&long), "the long word is all there");
}

/// Time and size of a 200-exhibit bundle with pictures (printed, not asserted).
#[test]
fn two_hundred_exhibit_bundle_timing() {
    let bundle = bundle(200);
    let started = Instant::now();
    let bytes = bundle_pdf(&bundle).unwrap();
    let elapsed = started.elapsed();
    let schedule_started = Instant::now();
    let schedule = schedule_pdf(&schedule(&bundle)).unwrap();
    let originals: usize =
        bundle.exhibits.iter().flat_map(|e| e.plate.iter().chain(&e.overview)).map(|p| p.bytes.len()).sum();
    println!(
        "200-exhibit bundle: {:.2} s, {} bytes ({:.1} MB; the original images are {:.1} MB); schedule {:.2} s, {} bytes",
        elapsed.as_secs_f64(),
        bytes.len(),
        bytes.len() as f64 / 1e6,
        originals as f64 / 1e6,
        schedule_started.elapsed().as_secs_f64(),
        schedule.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.pdf");
    std::fs::write(&path, &bytes).unwrap();
    assert!(pages_of(&path) > 200);
}
