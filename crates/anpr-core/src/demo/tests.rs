//! The demo force's promises: determinism, and every pattern the issue asks for is present
//! in the written bundle (read back with the csv crate, as the importer would).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use sha2::{Digest, Sha256};

use super::geography::distance_km;
use super::*;

fn anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 18, 0, 0).unwrap()
}

fn options(seed: u64, reads: usize, images: bool) -> DemoOptions {
    DemoOptions { seed, reads, images, anchor: anchor() }
}

fn write(out: &Path, opts: &DemoOptions) -> DemoSummary {
    write_bundle(out, opts, &mut |_| {}).unwrap()
}

/// A CSV file as rows of column name -> value.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut csv = csv::Reader::from_path(path).unwrap();
    let headers = csv.headers().unwrap().clone();
    csv.records().map(|r| headers.iter().map(String::from).zip(r.unwrap().iter().map(String::from)).collect()).collect()
}

struct Bundle {
    cameras: BTreeMap<String, BTreeMap<String, String>>,
    reads: Vec<BTreeMap<String, String>>,
}

fn read_bundle(out: &Path) -> Bundle {
    let cameras = rows(&out.join("cameras.csv")).into_iter().map(|c| (c["camera_id"].clone(), c)).collect();
    Bundle { cameras, reads: rows(&out.join("reads.csv")) }
}

impl Bundle {
    fn camera_of(&self, read: &BTreeMap<String, String>) -> &BTreeMap<String, String> {
        &self.cameras[&read["camera_id"]]
    }

    fn position(&self, read: &BTreeMap<String, String>) -> (f64, f64) {
        let camera = self.camera_of(read);
        let coordinate = |name: &str| match read[name].as_str() {
            "" => camera[name].parse().unwrap(),
            own => own.parse().unwrap(),
        };
        (coordinate("latitude"), coordinate("longitude"))
    }
}

fn millis(read: &BTreeMap<String, String>) -> i64 {
    DateTime::parse_from_rfc3339(&read["read_time"]).unwrap().timestamp_millis()
}

fn normalised(vrm: &str) -> String {
    vrm.replace(' ', "")
}

#[test]
fn same_seed_gives_identical_files_and_another_seed_does_not() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = write(a.path(), &options(7, 600, true));
    let second = write(b.path(), &options(7, 600, true));
    write(c.path(), &options(8, 600, true));
    assert_eq!(first, second);
    for file in ["cameras.csv", "reads.csv", "manifest.json"] {
        assert_eq!(std::fs::read(a.path().join(file)).unwrap(), std::fs::read(b.path().join(file)).unwrap(), "{file}");
    }
    let bundle = read_bundle(a.path());
    let plate = bundle.reads.iter().map(|r| &r["plate_image"]).find(|p| !p.is_empty()).unwrap();
    let overview = bundle.reads.iter().map(|r| &r["overview_image"]).find(|p| !p.is_empty()).unwrap();
    for image in [plate, overview] {
        assert_eq!(std::fs::read(a.path().join(image)).unwrap(), std::fs::read(b.path().join(image)).unwrap());
    }
    assert_ne!(std::fs::read(a.path().join("reads.csv")).unwrap(), std::fs::read(c.path().join("reads.csv")).unwrap());
}

#[test]
fn the_register_has_every_system_type_across_fictional_towns() {
    let out = tempfile::tempdir().unwrap();
    let summary = write(out.path(), &options(1, 0, false));
    let cameras = rows(&out.path().join("cameras.csv"));
    assert!(cameras.len() >= 40, "{} cameras", cameras.len());
    assert_eq!(summary.cameras, cameras.len());
    let towns: BTreeSet<&str> = cameras.iter().map(|c| c["general_area"].as_str()).collect();
    assert!(towns.len() >= 5, "{towns:?}");
    let types: BTreeSet<&str> = cameras.iter().map(|c| c["system_type"].as_str()).collect();
    let all: BTreeSet<&str> = SystemType::ALL.iter().map(|t| t.as_str()).collect();
    assert_eq!(types, all);
    let restricted = cameras.iter().filter(|c| c["restricted"] == "true").count();
    assert!((2..=4).contains(&restricted), "{restricted} restricted");
    assert!(cameras.iter().any(|c| c["system_type"] == "multi_lane" && c["lanes"] == "3"));
    assert!(cameras.iter().filter(|c| c["system_type"] == "mobile").count() >= 2);
    assert!(cameras.iter().any(|c| c["has_imagery"] == "false"));
    let controllers: BTreeSet<&str> = cameras.iter().map(|c| c["controller"].as_str()).collect();
    assert!(controllers.len() >= 3, "{controllers:?}");
    let ids: BTreeSet<&str> = cameras.iter().map(|c| c["camera_id"].as_str()).collect();
    assert_eq!(ids.len(), cameras.len());
    for camera in &cameras {
        let (lat, lon): (f64, f64) = (camera["latitude"].parse().unwrap(), camera["longitude"].parse().unwrap());
        assert!((51.8..53.0).contains(&lat) && (-1.6..-0.3).contains(&lon), "{camera:?}");
        assert!(camera["postcode"].is_empty() || camera["postcode"].starts_with('Q'), "{camera:?}");
        assert!(!camera["name"].is_empty() && !camera["road"].is_empty());
    }
}

#[test]
fn reads_carry_the_patterns_analysts_look_for() {
    let out = tempfile::tempdir().unwrap();
    let summary = write(out.path(), &options(3, 20_000, false));
    let bundle = read_bundle(out.path());
    let reads = &bundle.reads;
    assert_eq!(reads.len(), 20_000);
    assert_eq!(summary.reads, 20_000);

    // Ids unique, times inside the 400 days before the anchor, fields in range.
    let ids: BTreeSet<&str> = reads.iter().map(|r| r["read_id"].as_str()).collect();
    assert_eq!(ids.len(), reads.len());
    assert!(reads[0]["read_id"].starts_with("D3-"));
    let end = anchor().timestamp_millis();
    let start = end - 400 * 86_400_000;
    for read in reads {
        assert!((start..end).contains(&millis(read)), "{read:?}");
        assert!(read["read_time"].ends_with('Z') && read["read_time"].len() == 24, "{read:?}");
        let confidence: u8 = read["confidence"].parse().unwrap();
        assert!((60..=99).contains(&confidence));
        assert!(["towards", "away"].contains(&read["direction"].as_str()));
        assert!(read["plate_image"].is_empty() && read["overview_image"].is_empty());
        if bundle.camera_of(read)["lanes"] == "1" {
            assert_eq!(read["lane"], "1");
        }
    }
    let directions: BTreeSet<&str> = reads.iter().map(|r| r["direction"].as_str()).collect();
    assert_eq!(directions.len(), 2);

    // The multi-lane site reports lanes 1 to 3.
    let lanes: BTreeSet<&str> =
        reads.iter().filter(|r| bundle.camera_of(r)["lanes"] == "3").map(|r| r["lane"].as_str()).collect();
    assert_eq!(lanes, BTreeSet::from(["1", "2", "3"]));

    // Mobile cameras give their own, moving, location on every read; others none.
    let mut mobile_positions: BTreeMap<&str, BTreeSet<(String, String)>> = BTreeMap::new();
    for read in reads {
        if bundle.camera_of(read)["system_type"] == "mobile" {
            assert!(!read["latitude"].is_empty() && !read["longitude"].is_empty());
            mobile_positions
                .entry(read["camera_id"].as_str())
                .or_default()
                .insert((read["latitude"].clone(), read["longitude"].clone()));
        } else {
            assert!(read["latitude"].is_empty());
        }
    }
    assert!(mobile_positions.len() >= 2);
    assert!(mobile_positions.values().all(|positions| positions.len() > 10), "mobile cameras must move");

    // About 1% not read, and summary counts agree.
    let not_read = reads.iter().filter(|r| r["vrm"].is_empty()).count();
    assert_eq!(not_read, summary.not_read);
    assert!((100..=350).contains(&not_read), "{not_read} not-reads");

    // Misreads: the misread values are in the file, the true VRM is seen elsewhere.
    assert!(!summary.misread_examples.is_empty());
    let seen: BTreeSet<String> = reads.iter().map(|r| normalised(&r["vrm"])).collect();
    for (truth, misread) in &summary.misread_examples {
        assert_ne!(truth, &normalised(misread));
        assert_eq!(truth.len(), normalised(misread).len());
        assert!(reads.iter().any(|r| &r["vrm"] == misread));
        assert!(seen.contains(truth), "{truth} never read correctly");
    }

    // Usually written without the space, sometimes with it.
    let spaced = reads.iter().filter(|r| r["vrm"].contains(' ')).count();
    assert!(spaced > reads.len() / 20 && spaced < reads.len() / 2, "{spaced} spaced");

    // The same vehicles come back: far fewer distinct marks than reads.
    let mut sightings: BTreeMap<String, usize> = BTreeMap::new();
    for read in reads.iter().filter(|r| !r["vrm"].is_empty()) {
        *sightings.entry(normalised(&read["vrm"])).or_default() += 1;
    }
    assert!(sightings.len() < reads.len() / 5, "{} marks", sightings.len());

    // UK layouts: current (AB12CDE) about 80% of vehicles (marks seen again and again, so not
    // one-off misreads), the rest prefix, suffix and dateless.
    let vehicles: Vec<&String> = sightings.iter().filter(|(_, n)| **n >= 3).map(|(vrm, _)| vrm).collect();
    let current = vehicles.iter().filter(|v| is_current_layout(v)).count();
    let share = current as f64 / vehicles.len() as f64;
    assert!((0.7..0.9).contains(&share), "current layout share {share}");
    let older = |first_is_digit: bool| {
        vehicles.iter().any(|v| !is_current_layout(v) && v.as_bytes()[0].is_ascii_digit() == first_is_digit)
    };
    assert!(older(true) && older(false), "prefix, suffix and dateless layouts present");

    assert_believable_journeys(&bundle, &summary.cloned_vrm);
    assert_cloned_plate(&bundle, &summary.cloned_vrm);
    assert_convoy(&bundle, &summary.convoy_pair);
}

fn is_current_layout(vrm: &str) -> bool {
    let b = vrm.as_bytes();
    b.len() == 7
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..4].iter().all(u8::is_ascii_digit)
        && b[4..].iter().all(u8::is_ascii_uppercase)
}

/// Apart from the cloned plate, no vehicle is seen anywhere it could not have driven to:
/// consecutive sightings of a VRM never imply more than 80 km/h in a straight line.
fn assert_believable_journeys(bundle: &Bundle, cloned: &str) {
    let mut sightings: BTreeMap<String, Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for read in bundle.reads.iter().filter(|r| !r["vrm"].is_empty() && normalised(&r["vrm"]) != cloned) {
        sightings.entry(normalised(&read["vrm"])).or_default().push(read);
    }
    let mut legs = 0;
    for reads in sightings.values_mut() {
        reads.sort_by_key(|r| millis(r));
        for pair in reads.windows(2) {
            let hours = (millis(pair[1]) - millis(pair[0])) as f64 / 3_600_000.0;
            let km = distance_km(bundle.position(pair[0]), bundle.position(pair[1]));
            assert!(km <= 80.0 * hours, "{} -> {}: {km:.1} km in {hours:.3} h", pair[0]["read_id"], pair[1]["read_id"]);
            legs += 1;
        }
    }
    assert!(legs > bundle.reads.len() / 2);
}

/// The cloned VRM is seen in two towns at least 30 km apart within 15 minutes.
fn assert_cloned_plate(bundle: &Bundle, vrm: &str) {
    let sightings: Vec<_> = bundle.reads.iter().filter(|r| normalised(&r["vrm"]) == vrm).collect();
    let mut impossible = 0;
    for (i, a) in sightings.iter().enumerate() {
        for b in &sightings[i + 1..] {
            let apart_ms = (millis(a) - millis(b)).abs();
            let towns = (&bundle.camera_of(a)["general_area"], &bundle.camera_of(b)["general_area"]);
            if towns.0 != towns.1
                && apart_ms <= 15 * 60_000
                && distance_km(bundle.position(a), bundle.position(b)) >= 30.0
            {
                impossible += 1;
            }
        }
    }
    assert!(impossible >= 3, "cloned plate {vrm}: {impossible} impossible journeys");
}

/// The convoy pair is seen at the same camera 1-3 minutes apart at least 10 times.
fn assert_convoy(bundle: &Bundle, pair: &(String, String)) {
    let of = |vrm: &str| -> Vec<_> { bundle.reads.iter().filter(|r| normalised(&r["vrm"]) == vrm).collect() };
    let (leader, follower) = (of(&pair.0), of(&pair.1));
    let together = leader
        .iter()
        .filter(|a| {
            follower.iter().any(|b| {
                let gap = millis(b) - millis(a);
                a["camera_id"] == b["camera_id"] && (60_000..=180_000).contains(&gap)
            })
        })
        .count();
    assert!(together >= 10, "convoy seen together {together} times");
}

#[test]
fn every_image_exists_decodes_and_matches_its_read() {
    let out = tempfile::tempdir().unwrap();
    let summary = write(out.path(), &options(5, 1500, true));
    let bundle = read_bundle(out.path());
    let (mut plates, mut overviews) = (0, 0);
    for read in &bundle.reads {
        let camera = bundle.camera_of(read);
        assert_eq!(read["plate_image"].is_empty(), camera["has_imagery"] == "false", "{read:?}");
        for (column, size) in [("plate_image", (260, 56)), ("overview_image", (480, 270))] {
            let path = &read[column];
            if path.is_empty() {
                continue;
            }
            assert!(!path.contains('\\') && !path.starts_with('/') && !path.contains(".."));
            let image = image::open(out.path().join(path)).unwrap();
            assert_eq!((image.width(), image.height()), size);
            if column == "plate_image" { plates += 1 } else { overviews += 1 }
        }
    }
    assert_eq!((plates, overviews), (summary.plate_images, summary.overview_images));
    assert!(overviews > 60 && overviews < 260, "{overviews} overview images of 1500 reads");
    let folder_sizes: Vec<usize> = walk_folders(&out.path().join("images"));
    assert!(folder_sizes.iter().all(|&n| n <= 5000));

    // The manifest lists the two CSV files with their SHA-256.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], "anpr-bundle/1");
    for file in ["cameras.csv", "reads.csv"] {
        let hash = hex::encode(Sha256::digest(std::fs::read(out.path().join(file)).unwrap()));
        assert_eq!(manifest["files"][file], hash.as_str());
    }
}

fn walk_folders(root: &Path) -> Vec<usize> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_dir())
        .map(|e| std::fs::read_dir(e.path()).unwrap().count())
        .collect()
}

#[test]
fn a_misread_patch_shows_what_the_camera_read() {
    let out = tempfile::tempdir().unwrap();
    let summary = write(out.path(), &options(11, 3000, true));
    let bundle = read_bundle(out.path());
    let (truth, misread) = summary.misread_examples.first().unwrap();
    let read = bundle.reads.iter().find(|r| &r["vrm"] == misread && !r["plate_image"].is_empty()).unwrap();
    let on_disk = std::fs::read(out.path().join(&read["plate_image"])).unwrap();
    let glyphs = render::Glyphs::get().unwrap();
    let rear = read["direction"] == "away";
    // Same renderer, same encoder: the file is exactly the patch of the misread text, which
    // sits on the plate where the true characters would.
    let truth_display = display_form(truth);
    let mut seen = normalised(misread).chars().collect::<Vec<_>>().into_iter();
    let misread_display: String =
        truth_display.chars().map(|c| if c == ' ' { ' ' } else { seen.next().unwrap() }).collect();
    let expected = render::jpeg(&glyphs.plate(&misread_display, rear)).unwrap();
    let truthful = render::jpeg(&glyphs.plate(&truth_display, rear)).unwrap();
    assert_eq!(on_disk, expected);
    assert_ne!(on_disk, truthful);
}

/// Re-inserts the space of a true mark's UK layout (the demo's marks all have exactly one).
fn display_form(key: &str) -> String {
    let b = key.as_bytes();
    let split = if is_current_layout(key) {
        4
    } else if b[0].is_ascii_uppercase() && b[1].is_ascii_digit() {
        // Prefix: letter, digits, then three letters.
        key.len() - 3
    } else if b[0].is_ascii_digit() {
        // Dateless, numbers first.
        b.iter().position(u8::is_ascii_uppercase).unwrap()
    } else {
        // Suffix or dateless letters first: three letters then the rest.
        3
    };
    format!("{} {}", &key[..split], &key[split..])
}

#[test]
fn rear_plates_are_yellow_and_front_plates_white() {
    let rear = render_plate("AB12 CDE", true);
    let front = render_plate("AB12 CDE", false);
    assert_eq!((rear.width(), rear.height()), (260, 56));
    let [r, g, b] = rear.get_pixel(8, 8).0;
    assert!(r > 200 && g > 170 && b < 80, "rear background {r},{g},{b}");
    let [r, g, b] = front.get_pixel(8, 8).0;
    assert!(r > 230 && g > 230 && b > 230, "front background {r},{g},{b}");
    // Characters are drawn: a good share of dark pixels in the middle band.
    let dark = (0..260).flat_map(|x| (14..42).map(move |y| (x, y))).filter(|&(x, y)| front.get_pixel(x, y).0[0] < 80);
    assert!(dark.count() > 1500);
    assert_ne!(render_plate("AB12 CDE", false), render_plate("AB12 CDF", false));
}

#[test]
fn the_output_folder_must_be_new_or_empty() {
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("something.txt"), "x").unwrap();
    let error = write_bundle(out.path(), &options(1, 10, false), &mut |_| {}).unwrap_err();
    assert!(matches!(error, DemoError::OutputNotEmpty(_)), "{error}");
    let fresh = out.path().join("new").join("bundle");
    write(&fresh, &options(1, 10, false));
    assert!(fresh.join("reads.csv").is_file());
}

#[test]
fn progress_counts_up_to_the_total() {
    let out = tempfile::tempdir().unwrap();
    let mut seen = Vec::new();
    write_bundle(out.path(), &options(2, 2500, false), &mut |p| seen.push(p)).unwrap();
    assert_eq!(seen.first(), Some(&DemoProgress { done: 0, total: 2500 }));
    assert_eq!(seen.last(), Some(&DemoProgress { done: 2500, total: 2500 }));
    assert!(seen.windows(2).all(|w| w[0].done < w[1].done));
    assert!(seen.len() >= 3);
}
