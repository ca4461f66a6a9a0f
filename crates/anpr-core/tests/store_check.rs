//! The store check against a real store on disk: clean after an import; each kind of damage
//! (an orphan blob, a missing blob, a partial write, an altered audit entry) reported; the
//! files a killed operation leaves removed by the next import or retention run (NASPLE 8.9.3,
//! 8.11.4, 9.5.1).
#![allow(clippy::unwrap_used)]

mod common;

use anpr_core::{Error, StoreCheck};
use common::*;
use std::path::PathBuf;

const T: &str = "2026-11-19T17:04:31.250Z";

/// A store holding two reads with a plate patch each and one overview (and its thumbnail).
async fn imported() -> Store {
    let s = store().await;
    let b = Bundle::new(s.dir.path(), "good");
    b.standard_cameras()
        .file("images/p/1.jpg", &jpeg(1, 260, 56))
        .file("images/p/2.jpg", &jpeg(2, 260, 56))
        .file("images/o/1.png", &png(3, 480, 270))
        .reads(&[
            &format!("R1,AB12CDE,{T},CAM1,,,1,towards,90,images/p/1.jpg,images/o/1.png"),
            &format!("R2,XY51ABC,{T},CAM1,,,1,towards,90,images/p/2.jpg,"),
        ]);
    s.import(&b.dir).await.unwrap();
    s
}

async fn check(s: &Store) -> StoreCheck {
    s.ws.check_store().await.unwrap()
}

/// Where the blob of `sha256` lives.
fn blob_path(s: &Store, sha256: &str) -> PathBuf {
    s.ws.blobs().root().join(&sha256[..2]).join(sha256)
}

/// Writes a blob file no image record refers to, as an import killed before its commit would.
fn plant_orphan(s: &Store, seed: u8) -> String {
    let bytes = jpeg(seed, 64, 16);
    let sha = sha256(&bytes);
    std::fs::create_dir_all(blob_path(s, &sha).parent().unwrap()).unwrap();
    std::fs::write(blob_path(s, &sha), bytes).unwrap();
    sha
}

#[tokio::test]
async fn a_store_after_an_import_checks_clean_with_its_counts() {
    let s = imported().await;
    let report = check(&s).await;
    assert!(report.ok(), "{:?}", report.problems());
    assert_eq!(report.integrity, ["ok"]);
    assert!(report.audit.ok);
    assert_eq!(report.counts["reads"], 2);
    assert_eq!(report.counts["images"], 4, "two plate patches, an overview and its thumbnail");
    assert_eq!(report.counts["imports"], 1);
    assert_eq!(report.counts["audit"], s.count("audit").await);
    assert_eq!(report.blob_files, 4);
}

#[tokio::test]
async fn orphan_and_missing_blobs_partial_writes_and_an_altered_audit_entry_are_reported() {
    let s = imported().await;
    let orphan = plant_orphan(&s, 9);
    let missing: String = sqlx::query_scalar("SELECT sha256 FROM images WHERE kind = 'plate_patch' LIMIT 1")
        .fetch_one(s.ws.pool())
        .await
        .unwrap();
    std::fs::remove_file(blob_path(&s, &missing)).unwrap();
    std::fs::write(s.ws.blobs().root().join("tmp/4242-0.part"), b"half an image").unwrap();
    // The append-only triggers bypassed, as only a deliberate tamperer could.
    sqlx::query("DROP TRIGGER audit_no_update").execute(s.ws.pool()).await.unwrap();
    sqlx::query("UPDATE audit SET object = 'someone else' WHERE seq = 2").execute(s.ws.pool()).await.unwrap();

    let report = check(&s).await;
    assert!(!report.ok());
    assert_eq!(report.orphan_blobs, std::slice::from_ref(&orphan));
    assert_eq!(report.missing_blobs, std::slice::from_ref(&missing));
    assert_eq!(report.stray_files, ["tmp/4242-0.part"]);
    assert_eq!((report.audit.ok, report.audit.first_broken), (false, Some(2)));
    assert_eq!(report.integrity, ["ok"], "the file itself is sound");
    let problems = report.problems();
    assert_eq!(problems.len(), 4, "{problems:?}");
    for needle in [orphan.as_str(), missing.as_str(), "tmp/4242-0.part", "audit chain broken at entry 2"] {
        assert!(problems.iter().any(|p| p.contains(needle)), "{needle} not in {problems:?}");
    }
}

#[tokio::test]
async fn the_next_retention_run_or_import_removes_what_a_killed_operation_left() {
    let s = imported().await;
    let recorded = check(&s).await.blob_files;
    plant_orphan(&s, 9);
    std::fs::write(s.ws.blobs().root().join("tmp/4242-0.part"), b"half an image").unwrap();
    assert_eq!(check(&s).await.problems().len(), 2);
    s.ws.run_retention().await.unwrap();
    let report = check(&s).await;
    assert!(report.ok(), "{:?}", report.problems());
    assert_eq!(report.blob_files, recorded, "recorded images are kept");

    plant_orphan(&s, 10);
    let b = Bundle::new(s.dir.path(), "next");
    b.standard_cameras().reads(&[&format!("R3,AB12CDE,{T},CAM1,,,1,towards,90,,")]);
    s.import(&b.dir).await.unwrap();
    let report = check(&s).await;
    assert!(report.ok(), "{:?}", report.problems());
    assert_eq!((report.blob_files, report.counts["reads"]), (recorded, 3));
}

#[tokio::test]
async fn only_auditors_check_the_store_and_the_check_is_audited() {
    let s = imported().await;
    let investigator = s.login("demo.investigator").await;
    assert!(matches!(investigator.check_store().await, Err(Error::Refused(_))));
    let auditor = s.login("demo.auditor").await;
    let before = s.count("audit").await;
    let report = auditor.check_store().await.unwrap();
    assert!(report.ok());
    assert_eq!(report.counts["audit"], before, "the counts are the store's before the check's own entry");
    let last: String =
        sqlx::query_scalar("SELECT action FROM audit ORDER BY seq DESC LIMIT 1").fetch_one(s.ws.pool()).await.unwrap();
    assert_eq!(last, "store.check");
}
