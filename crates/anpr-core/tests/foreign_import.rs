//! Import of other systems' read files (docs/foreign-formats.md) from the fixtures in
//! tests/fixtures/foreign into a real store: counts, per-record errors with their lines,
//! images checked, detection by content, refusal of anything else.
#![allow(clippy::unwrap_used)]

mod common;

use anpr_core::Error;
use anpr_types::ImportSummary;
use common::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/foreign").join(relative)
}

async fn import(s: &Store, path: &Path) -> anpr_core::Result<ImportSummary> {
    let session = s.login("demo.investigator").await;
    session.import_path(path, &mut |_| {}, &AtomicBool::new(false)).await
}

/// A store whose camera register has the cameras the OpenALPR and Plate Recognizer fixtures
/// name (those formats give no camera positions), imported from the fixture bundle.
async fn registered() -> Store {
    let s = store().await;
    let summary = import(&s, &fixture("register")).await.unwrap();
    assert_eq!((summary.cameras_added, summary.reads_accepted), (4, 0));
    s
}

fn counts(s: &ImportSummary) -> (u64, u64, u64, u64, u64, u64) {
    (s.reads_accepted, s.reads_duplicate, s.reads_rejected, s.images_stored, s.images_rejected, s.cameras_added)
}

/// The (line, reason) of each reported issue, in order.
fn issues(s: &ImportSummary, file: &str) -> Vec<(u64, String)> {
    s.errors
        .iter()
        .map(|e| {
            assert_eq!(e.file, file);
            (e.line, e.reason.clone())
        })
        .collect()
}

fn assert_issue(issues: &[(u64, String)], line: u64, text: &str) {
    assert!(
        issues.iter().any(|(l, r)| *l == line && r.contains(text)),
        "no issue at line {line} with {text:?}: {issues:#?}"
    );
}

async fn read(s: &Store, vrm: &str) -> (String, i64, f64, f64, Option<f64>, String) {
    sqlx::query_as(
        "SELECT r.read_id, r.read_time, r.latitude, r.longitude, r.confidence, c.camera_id
         FROM reads r JOIN cameras c ON c.id = r.camera WHERE r.vrm = ?",
    )
    .bind(vrm)
    .fetch_one(s.ws.pool())
    .await
    .unwrap()
}

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp_millis()
}

async fn last_import_audit(s: &Store) -> (String, serde_json::Value) {
    let (outcome, details): (String, String) =
        sqlx::query_as("SELECT outcome, details FROM audit WHERE action = 'import' ORDER BY seq DESC")
            .fetch_one(s.ws.pool())
            .await
            .unwrap();
    (outcome, serde_json::from_str(&details).unwrap())
}

const NO_PATCH: &str = "no plate patch";

#[tokio::test]
async fn openalpr_results_are_imported_with_bad_results_reported_by_line() {
    let s = registered().await;
    let summary = import(&s, &fixture("openalpr/results.json")).await.unwrap();
    assert_eq!(counts(&summary), (2, 0, 3, 0, 0, 0), "{summary:#?}");
    let issues = issues(&summary, "results.json");
    assert_eq!(issues.len(), 5, "{issues:#?}");
    assert_issue(&issues, 11, NO_PATCH); // AB12CDE: the register says camera 1234 records imagery
    assert_issue(&issues, 23, "confidence must be between 0 and 100");
    assert_issue(&issues, 42, "missing field `plate`");
    assert_issue(&issues, 43, NO_PATCH);
    assert_issue(&issues, 53, "camera \"99\" is not in the camera register");

    let (id, time, lat, lon, confidence, camera) = read(&s, "AB12CDE").await;
    assert_eq!(id, "openalpr:ashbury-1234-1795107871250:0");
    assert_eq!(time, ms("2026-11-19T17:04:31.250Z"));
    assert_eq!((lat, lon, confidence, camera.as_str()), (52.11, -1.21, Some(94.5), "1234"), "the camera's position");
    let as_read: String =
        sqlx::query_scalar("SELECT vrm_as_read FROM reads WHERE vrm = 'CD34EFG'").fetch_one(s.ws.pool()).await.unwrap();
    assert_eq!(as_read, "cd34 efg");

    let (outcome, details) = last_import_audit(&s).await;
    assert_eq!(outcome, "success");
    assert_eq!(
        (details["format"].as_str(), details["source"].as_str()),
        (Some("openalpr"), Some("OpenALPR JSON results"))
    );
    assert_eq!(details["reads_accepted"], 2);

    // Again: nothing new (idempotent), the same rows rejected.
    let again = import(&s, &fixture("openalpr/results.json")).await.unwrap();
    assert_eq!(counts(&again), (0, 2, 3, 0, 0, 0));
    assert_eq!(again.bundle_sha256, summary.bundle_sha256);
    assert_eq!(s.count("reads").await, 2);
}

#[tokio::test]
async fn plate_recognizer_snapshot_keeps_the_image_and_the_restricted_camera() {
    let s = registered().await;
    let summary = import(&s, &fixture("platerecognizer/snapshot/snapshot.json")).await.unwrap();
    assert_eq!(counts(&summary), (2, 0, 2, 2, 0, 0), "{summary:#?}");
    let issues = issues(&summary, "snapshot.json");
    assert_eq!(issues.len(), 4, "{issues:#?}");
    assert_issue(&issues, 8, NO_PATCH);
    assert_issue(&issues, 17, "confidence must be between 0 and 100");
    assert_issue(&issues, 31, "no camera identifier");
    assert_issue(&issues, 40, NO_PATCH);

    let (id, time, _, _, confidence, camera) = read(&s, "NHK552").await;
    assert_eq!(time, ms("2026-11-19T17:10:00.123Z"), "a timestamp without offset is UTC");
    assert_eq!(id, format!("platerecognizer:gate-east:{time}:NHK552:0"));
    assert_eq!((confidence, camera.as_str()), (Some(89.8), "gate-east"));
    // The overview is the image the response names, byte for byte, with a thumbnail.
    let car = std::fs::read(fixture("platerecognizer/snapshot/car1.jpg")).unwrap();
    let sha: String = sqlx::query_scalar(
        "SELECT i.sha256 FROM reads r JOIN images i ON i.id = r.overview_image WHERE r.vrm = 'NHK552'",
    )
    .fetch_one(s.ws.pool())
    .await
    .unwrap();
    assert_eq!((sha.as_str(), s.ws.blobs().get(&sha).unwrap()), (sha256(&car).as_str(), car));
    assert_eq!(s.count("images").await, 2, "the overview and its thumbnail");

    // The read on the restricted camera belongs to the registered camera, whose entry (and
    // restriction, 8.8) the file did not change.
    let camera = read(&s, "GH78IJK").await.5;
    let (name, restricted): (String, bool) = sqlx::query_as("SELECT name, restricted FROM cameras WHERE camera_id = ?")
        .bind(&camera)
        .fetch_one(s.ws.pool())
        .await
        .unwrap();
    assert_eq!((camera.as_str(), name.as_str(), restricted), ("covert-7", "Covert 7", true));
}

#[tokio::test]
async fn plate_recognizer_stream_csv_with_screenshots_inside_its_folder_only() {
    let s = registered().await;
    let summary = import(&s, &fixture("platerecognizer/stream/camera-1.csv")).await.unwrap();
    assert_eq!(counts(&summary), (2, 0, 2, 1, 1, 0), "{summary:#?}");
    let issues = issues(&summary, "camera-1.csv");
    assert_eq!(issues.len(), 5, "{issues:#?}");
    assert_issue(&issues, 2, NO_PATCH);
    assert_issue(&issues, 3, "timestamp is not a date and time");
    assert_issue(&issues, 4, "camera \"camera-9\" is not in the camera register");
    assert_issue(&issues, 5, "path escapes the bundle (contains ..)");
    assert_issue(&issues, 5, NO_PATCH);

    let (_, time, _, _, confidence, camera) = read(&s, "QR45STU").await;
    assert_eq!((time, confidence, camera.as_str()), (ms("2026-11-19T17:33:00Z"), Some(93.0), "camera-1"));
    let (_, time, _, _, _, _) = read(&s, "JK90LMN").await;
    assert_eq!(time, ms("2026-11-19T17:30:00.250Z"));
}

#[tokio::test]
async fn genetec_autovu_xml_with_embedded_images_and_cameras_from_the_file() {
    let s = store().await;
    let summary = import(&s, &fixture("genetec/reads.xml")).await.unwrap();
    assert_eq!(counts(&summary), (3, 0, 2, 2, 2, 2), "{summary:#?}");
    let issues = issues(&summary, "reads.xml");
    assert_eq!(issues.len(), 4, "{issues:#?}");
    assert_issue(&issues, 24, "record 2: UTCDate is not a date");
    assert_issue(&issues, 35, "plate_image #record3/PlateImage: image does not decode");
    assert_issue(&issues, 46, "camera \"Sharp-West\" is not in the camera register and the file gives no position");
    assert_issue(&issues, 56, "not valid base64");

    let (id, time, lat, lon, confidence, camera) = read(&s, "AB12CDE").await;
    assert_eq!(id, "genetec:6f1c2d8e-0b7a-4c55-9f4e-3d2a1b0c9e87");
    assert_eq!(time, ms("2026-11-19T17:20:00.500Z"));
    assert_eq!((lat, lon, confidence, camera.as_str()), (52.1503, -1.2512, Some(92.0), "Sharp-North"));
    // Cameras made from the file's names and positions, with the protective defaults.
    let cameras: Vec<(String, String, String, f64, f64, bool, bool)> = sqlx::query_as(
        "SELECT camera_id, name, system_type, latitude, longitude, restricted, has_imagery FROM cameras ORDER BY camera_id",
    )
    .fetch_all(s.ws.pool())
    .await
    .unwrap();
    assert_eq!(
        cameras,
        [
            ("Sharp-North".into(), "Patrol 12 Sharp-North".into(), "static".into(), 52.1503, -1.2512, false, true),
            ("Sharp-South".into(), "Sharp-South".into(), "static".into(), 52.1402, -1.2601, false, true),
        ]
    );
    // The plate patch is the base64 in the file, decoded and verified.
    let xml = std::fs::read_to_string(fixture("genetec/reads.xml")).unwrap();
    let b64 = xml.split("<PlateImage>").nth(1).unwrap().split("</PlateImage>").next().unwrap();
    let plate = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).unwrap();
    let (sha, format, width): (String, String, i64) = sqlx::query_as(
        "SELECT i.sha256, i.format, i.width FROM reads r JOIN images i ON i.id = r.plate_image WHERE r.vrm = 'AB12CDE'",
    )
    .fetch_one(s.ws.pool())
    .await
    .unwrap();
    assert_eq!((sha, format.as_str(), width), (sha256(&plate), "jpeg", 40));
    // A read whose image is bad is kept without it (8.9.3).
    let image: Option<i64> =
        sqlx::query_scalar("SELECT plate_image FROM reads WHERE vrm = 'EF56GHI'").fetch_one(s.ws.pool()).await.unwrap();
    assert_eq!(image, None);

    let again = import(&s, &fixture("genetec/reads.xml")).await.unwrap();
    assert_eq!(counts(&again), (0, 3, 2, 0, 0, 0), "{again:#?}");
    assert_eq!(s.count("reads").await, 3);
}

#[tokio::test]
async fn the_format_is_found_by_content_not_by_name() {
    let s = store().await;
    let folder = s.dir.path().join("misnamed");
    std::fs::create_dir_all(&folder).unwrap();
    // A single-read Genetec file named as a CSV, and an OpenALPR file named as XML.
    let misnamed = folder.join("reads.csv");
    std::fs::copy(fixture("genetec/single.xml"), &misnamed).unwrap();
    let summary = import(&s, &misnamed).await.unwrap();
    assert_eq!(counts(&summary), (1, 0, 0, 1, 0, 1), "{summary:#?}");
    assert_eq!(last_import_audit(&s).await.1["format"], "genetec");

    let register = import(&s, &fixture("register")).await.unwrap();
    assert_eq!(register.cameras_added, 4);
    let misnamed = folder.join("export.xml");
    std::fs::copy(fixture("openalpr/results.json"), &misnamed).unwrap();
    assert_eq!(import(&s, &misnamed).await.unwrap().reads_accepted, 2);
}

#[tokio::test]
async fn an_unknown_format_is_refused_whole_saying_what_is_supported() {
    let s = store().await;
    let before = (s.count("reads").await, s.count("imports").await);
    let cases: [(&str, &[u8]); 3] = [
        ("notes.json", b"{\"vehicles\": [{\"vrm\": \"AB12CDE\"}]}"),
        ("reads.csv", b"read_id,vrm,read_time,camera_id\nR1,AB12CDE,2026-11-19T17:04:31Z,CAM1\n"),
        ("page.xml", b"<html><body>AB12CDE</body></html>"),
    ];
    for (name, bytes) in cases {
        let path = s.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let Err(Error::BundleRefused { reason, files }) = import(&s, &path).await else {
            panic!("{name} was not refused")
        };
        assert_eq!(files, [name]);
        assert!(reason.contains("supported: a read bundle folder (anpr-bundle/1), OpenALPR JSON results"), "{reason}");
        assert_eq!(last_import_audit(&s).await.0, "failed", "a refused import is audited");
    }
    assert_eq!((s.count("reads").await, s.count("imports").await), before, "nothing imported");
}

#[tokio::test]
async fn a_broken_structure_in_a_known_format_is_refused_with_its_line() {
    let s = store().await;
    let xml = std::fs::read_to_string(fixture("genetec/single.xml")).unwrap();
    let path = s.dir.path().join("cut.xml");
    std::fs::write(&path, xml.replace("</CameraName>", "</Camera>")).unwrap();
    let Err(Error::BundleRefused { reason, .. }) = import(&s, &path).await else { panic!("not refused") };
    assert!(reason.contains("invalid XML at line 7"), "{reason}");
    let path = s.dir.path().join("cut.json");
    std::fs::write(&path, b"{\"epoch_time\": 1,\n \"results\": [{\"plate\": \"A\"}").unwrap();
    let Err(Error::BundleRefused { reason, .. }) = import(&s, &path).await else { panic!("not refused") };
    assert!(reason.contains("invalid JSON at line 2"), "{reason}");
    assert_eq!((s.count("reads").await, s.count("imports").await), (0, 0));
}
