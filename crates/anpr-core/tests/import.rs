//! Import of real bundles on disk into a real store (bundle-format.md).
#![allow(clippy::unwrap_used)]

mod common;

use anpr_core::Error;
use common::*;

const T: &str = "2026-11-19T17:04:31.250Z";

fn row(id: &str, vrm: &str, camera: &str, plate: &str, overview: &str) -> String {
    format!("{id},{vrm},{T},{camera},,,1,towards,90,{plate},{overview}")
}

#[tokio::test]
async fn good_rows_are_imported_with_images_hashes_and_provenance() {
    let s = store().await;
    let plate = jpeg(1, 260, 56);
    let overview = png(2, 480, 270);
    let b = Bundle::new(s.dir.path(), "good");
    b.standard_cameras().file("images/p/1.jpg", &plate).file("images/o/1.png", &overview).reads(&[
        &row("R1", "ab12 cde", "CAM1", "images/p/1.jpg", "images/o/1.png"),
        // a mobile camera's read carries its own position
        "R2,XY51ABC,2026-11-19T18:00:00+01:00,MOB1,52.25,-1.35,,away,70,images/p/1.jpg,",
        // not read (7.4.2): kept with the marker, never dropped
        &row("R3", "-", "CAM1", "", ""),
    ]);
    let summary = s.import(&b.dir).await.unwrap();
    assert_eq!((summary.reads_accepted, summary.reads_duplicate, summary.reads_rejected), (3, 0, 0), "{summary:?}");
    assert_eq!(summary.cameras_added, 2);
    assert_eq!(summary.images_stored, 3); // two references to the same plate file, one overview
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);

    let pool = s.ws.pool();
    let (as_read, vrm, time): (String, String, i64) =
        sqlx::query_as("SELECT vrm_as_read, vrm, read_time FROM reads WHERE read_id = 'R1'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!((as_read.as_str(), vrm.as_str()), ("ab12 cde", "AB12CDE"));
    assert_eq!(time, chrono::DateTime::parse_from_rfc3339(T).unwrap().timestamp_millis());
    let (lat, lon, time): (f64, f64, i64) =
        sqlx::query_as("SELECT latitude, longitude, read_time FROM reads WHERE read_id = 'R2'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!((lat, lon), (52.25, -1.35));
    assert_eq!(
        time,
        chrono::DateTime::parse_from_rfc3339("2026-11-19T17:00:00Z").unwrap().timestamp_millis(),
        "stored in UTC (7.4.3)"
    );
    let (not_read, vrm): (bool, Option<String>) =
        sqlx::query_as("SELECT not_read, vrm FROM reads WHERE read_id = 'R3'").fetch_one(pool).await.unwrap();
    assert!(not_read && vrm.is_none());

    // The plate patch is stored byte for byte under its SHA-256, with its dimensions.
    let (sha, kind, w, h): (String, String, i64, i64) = sqlx::query_as(
        "SELECT i.sha256, i.kind, i.width, i.height FROM reads r JOIN images i ON i.id = r.plate_image WHERE r.read_id = 'R1'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((sha.as_str(), kind.as_str(), w, h), (sha256(&plate).as_str(), "plate_patch", 260, 56));
    assert_eq!(s.ws.blobs().get(&sha).unwrap(), plate);
    // The overview has a derived thumbnail, marked as such.
    let (thumb_kind, derived_from_overview): (String, bool) = sqlx::query_as(
        "SELECT t.kind, t.derived_from = r.overview_image FROM reads r JOIN images t ON t.derived_from = r.overview_image WHERE r.read_id = 'R1'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(thumb_kind == "thumbnail" && derived_from_overview);
    // Provenance: each read names its import, which names the bundle hash.
    let bundle_sha: String = sqlx::query_scalar(
        "SELECT i.bundle_sha256 FROM reads r JOIN imports i ON i.id = r.import_id WHERE r.read_id = 'R1'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(bundle_sha, summary.bundle_sha256);
    // A first import is a bulk load that rebuilds the secondary indexes: they are all back.
    let indexes: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reads' AND name IN ('reads_vrm_time', 'reads_time', 'reads_camera_time')",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(indexes, 3);
    assert_eq!(bundle_sha.len(), 64);
}

#[tokio::test]
async fn each_kind_of_bad_row_is_reported_and_good_rows_still_land() {
    let s = store().await;
    let b = Bundle::new(s.dir.path(), "bad-rows");
    b.standard_cameras().reads(&[
        &row("OK1", "AB12CDE", "CAM1", "", ""),
        ",AB12CDE,2026-11-19T17:04:31Z,CAM1,,,,,,,",   // line 3: no read_id
        "B2,AB12CDE,19/11/2026 17:04,CAM1,,,,,,,",     // line 4: time format
        "B3,AB12CDE,2026-11-19T17:04:31,CAM1,,,,,,,",  // line 5: no offset
        "B4,AB12CDE,2026-11-19T17:04:31Z,NOPE,,,,,,,", // line 6: unknown camera
        "B5,AB12CDE,2026-11-19T17:04:31Z,CAM1,,,zero,,,,", // line 7: lane
        "B6,AB12CDE,2026-11-19T17:04:31Z,CAM1,,,1,sideways,,,", // line 8: direction
        "B7,AB12CDE,2026-11-19T17:04:31Z,CAM1,,,1,away,130,,", // line 9: confidence
        "B8,AB12CDE,2026-11-19T17:04:31Z,CAM1,95.5,-1,1,away,50,,", // line 10: latitude
        "B9,AB12CDE,2026-11-19T17:04:31Z,,,,,,,,",     // line 11: no camera
        &row("OK2", "XY51ABC", "MOB1", "", ""),
    ]);
    let summary = s.import(&b.dir).await.unwrap();
    assert_eq!((summary.reads_accepted, summary.reads_rejected), (2, 9), "{:#?}", summary.errors);
    let rejected: Vec<(u64, &str)> = summary
        .errors
        .iter()
        .filter(|e| !e.reason.contains("plate patch"))
        .map(|e| (e.line, e.reason.as_str()))
        .collect();
    let expect = [
        (3, "read_id is missing"),
        (4, "RFC 3339"),
        (5, "RFC 3339"),
        (6, "neither cameras.csv nor the camera register"),
        (7, "lane"),
        (8, "direction"),
        (9, "confidence"),
        (10, "latitude"),
        (11, "camera_id is missing"),
    ];
    assert_eq!(rejected.len(), expect.len(), "{rejected:#?}");
    for ((line, reason), (want_line, want)) in rejected.iter().zip(expect) {
        assert_eq!(*line, want_line);
        assert!(reason.contains(want), "line {line}: {reason} should mention {want}");
    }
    assert!(summary.errors.iter().all(|e| e.file == "reads.csv"));
    assert_eq!(s.count("reads").await, 2);
}

#[tokio::test]
async fn bad_images_are_refused_but_their_reads_are_kept() {
    let s = store().await;
    let good = jpeg(3, 200, 50);
    let truncated = &good[..good.len() / 2];
    let b = Bundle::new(s.dir.path(), "bad-images");
    b.standard_cameras()
        .file("images/truncated.jpg", truncated)
        .file("images/text.jpg", b"this is not an image at all")
        .file("images/bomb.png", &png_declaring(100_000, 100_000))
        .reads(&[
            &row("I1", "AB12CDE", "CAM1", "images/truncated.jpg", ""),
            &row("I2", "AB12CDF", "CAM1", "images/text.jpg", ""),
            &row("I3", "AB12CDG", "CAM1", "images/bomb.png", ""),
            &row("I4", "AB12CDH", "CAM1", "images/missing.jpg", ""),
        ]);
    let summary = s.import(&b.dir).await.unwrap();
    assert_eq!(
        (summary.reads_accepted, summary.images_rejected, summary.images_stored),
        (4, 4, 0),
        "{:#?}",
        summary.errors
    );
    let reasons: Vec<&str> = summary.errors.iter().map(|e| e.reason.as_str()).collect();
    assert!(reasons[0].contains("truncated.jpg") && reasons[0].contains("does not decode"), "{reasons:?}");
    assert!(reasons[1].contains("not a JPEG or PNG"), "{reasons:?}");
    assert!(reasons[2].contains("limits"), "{reasons:?}");
    assert!(reasons[3].contains("not found"), "{reasons:?}");
    assert_eq!(summary.errors.iter().map(|e| e.line).collect::<Vec<_>>(), [2, 3, 4, 5]);
    assert_eq!(s.count("images").await, 0);
    let linked: i64 = sqlx::query_scalar("SELECT count(*) FROM reads WHERE plate_image IS NOT NULL")
        .fetch_one(s.ws.pool())
        .await
        .unwrap();
    assert_eq!(linked, 0);
}

#[tokio::test]
async fn paths_never_escape_the_bundle() {
    let s = store().await;
    let outside = s.dir.path().join("outside.jpg");
    std::fs::write(&outside, jpeg(9, 100, 30)).unwrap();
    let b = Bundle::new(s.dir.path(), "escapes");
    std::os::unix::fs::symlink(&outside, b.dir.join("images/link.jpg")).unwrap();
    let inside = b.dir.join("images/real.jpg");
    std::fs::write(&inside, jpeg(10, 100, 30)).unwrap();
    std::os::unix::fs::symlink(&inside, b.dir.join("images/inner-link.jpg")).unwrap();
    b.standard_cameras().reads(&[
        &row("E1", "AB12CDE", "CAM1", "../outside.jpg", ""),
        &row("E2", "AB12CDE", "CAM1", &outside.display().to_string(), ""),
        &row("E3", "AB12CDE", "CAM1", "images/link.jpg", ""),
        &row("E4", "AB12CDE", "CAM1", "images/../../outside.jpg", ""),
        &row("E5", "AB12CDE", "CAM1", "images/inner-link.jpg", ""),
    ]);
    let summary = s.import(&b.dir).await.unwrap();
    assert_eq!(summary.reads_accepted, 5, "the reads are kept (8.9.3)");
    assert_eq!((summary.images_rejected, summary.images_stored), (4, 1), "{:#?}", summary.errors);
    for error in &summary.errors {
        assert!(error.reason.contains("escapes the bundle"), "{error:?}");
    }
    // Only the symlink that stays inside the bundle was followed.
    assert!(!s.ws.blobs().contains(&sha256(&std::fs::read(&outside).unwrap())));
    assert!(s.ws.blobs().contains(&sha256(&std::fs::read(&inside).unwrap())));
}

#[tokio::test]
async fn a_manifest_mismatch_refuses_the_bundle_whole() {
    let s = store().await;
    let plate = jpeg(4, 100, 30);
    let b = Bundle::new(s.dir.path(), "manifest");
    b.standard_cameras().file("images/p.jpg", &plate).reads(&[&row("M1", "AB12CDE", "CAM1", "images/p.jpg", "")]);
    let reads = std::fs::read(b.dir.join("reads.csv")).unwrap();
    let manifest = serde_json::json!({
        "format": "anpr-bundle/1", "source": "test", "created": "2026-11-20T18:00:00Z",
        "files": { "reads.csv": sha256(&reads), "images/p.jpg": sha256(b"something else"), "cameras.csv": "00" }
    });
    b.file("manifest.json", manifest.to_string().as_bytes());
    let Err(Error::BundleRefused { files, .. }) = s.import(&b.dir).await else { panic!("bundle should be refused") };
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().any(|f| f.starts_with("images/p.jpg")) && files.iter().any(|f| f.starts_with("cameras.csv")));
    assert_eq!(
        (s.count("reads").await, s.count("cameras").await, s.count("images").await, s.count("imports").await),
        (0, 0, 0, 0)
    );
    let outcome: String = sqlx::query_scalar("SELECT outcome FROM audit WHERE action = 'import' ORDER BY seq DESC")
        .fetch_one(s.ws.pool())
        .await
        .unwrap();
    assert_eq!(outcome, "failed", "a refused import is audited");

    // With the right hashes it imports.
    let manifest = serde_json::json!({
        "format": "anpr-bundle/1", "files": { "reads.csv": sha256(&reads), "images/p.jpg": sha256(&plate) }
    });
    b.file("manifest.json", manifest.to_string().as_bytes());
    assert_eq!(s.import(&b.dir).await.unwrap().reads_accepted, 1);
}

#[tokio::test]
async fn missing_reads_csv_or_a_required_column_refuses_the_bundle() {
    let s = store().await;
    let b = Bundle::new(s.dir.path(), "no-reads");
    b.standard_cameras();
    let Err(Error::BundleRefused { reason, .. }) = s.import(&b.dir).await else { panic!() };
    assert!(reason.contains("reads.csv is missing"));

    b.file("reads.csv", b"read_id,vrm,camera_id\nR1,AB12CDE,CAM1\n");
    let Err(Error::BundleRefused { reason, .. }) = s.import(&b.dir).await else { panic!() };
    assert!(reason.contains("read_time"), "{reason}");
    assert_eq!((s.count("reads").await, s.count("cameras").await), (0, 0));
}

#[tokio::test]
async fn reimport_adds_nothing_and_duplicates_are_counted() {
    let s = store().await;
    let b = Bundle::new(s.dir.path(), "twice");
    b.standard_cameras().file("images/p.jpg", &jpeg(5, 120, 30)).reads(&[
        &row("D1", "AB12CDE", "CAM1", "images/p.jpg", ""),
        &row("D2", "AB12CDF", "CAM1", "", ""),
        &row("D1", "AB12CDE", "CAM1", "images/p.jpg", ""), // same read_id again in the same bundle
    ]);
    let first = s.import(&b.dir).await.unwrap();
    assert_eq!((first.reads_accepted, first.reads_duplicate, first.cameras_added), (2, 1, 2));
    let counts = (s.count("reads").await, s.count("images").await, s.count("cameras").await);
    let second = s.import(&b.dir).await.unwrap();
    assert_eq!(
        (second.reads_accepted, second.reads_duplicate, second.cameras_added, second.images_stored),
        (0, 3, 0, 0)
    );
    assert_eq!(counts, (s.count("reads").await, s.count("images").await, s.count("cameras").await));
    assert_eq!(second.bundle_sha256.len(), 64);
}

#[tokio::test]
async fn unknown_columns_and_a_bom_are_tolerated() {
    let s = store().await;
    let b = Bundle::new(s.dir.path(), "bom");
    b.standard_cameras().file(
        "reads.csv",
        "\u{feff}camera_id,read_time,vrm,read_id,colour\nCAM1,2026-11-19T17:04:31Z,\"AB12 CDE\",Q1,red\n".as_bytes(),
    );
    let summary = s.import(&b.dir).await.unwrap();
    assert_eq!(summary.reads_accepted, 1);
    assert_eq!(summary.warnings, ["reads.csv: unknown column(s) ignored: colour"]);
}

#[tokio::test]
async fn administrators_may_not_import_9_3_2() {
    let s = store().await;
    let b = Bundle::new(s.dir.path(), "admin");
    b.standard_cameras().reads(&[&row("A1", "AB12CDE", "CAM1", "", "")]);
    let admin = s.login("demo.admin").await;
    let Err(Error::Refused(refusal)) = admin.import_bundle(&b.dir, &mut |_| {}, &Default::default()).await else {
        panic!()
    };
    assert_eq!(refusal.clause, "9.3.2");
    assert_eq!(s.count("reads").await, 0);
}
