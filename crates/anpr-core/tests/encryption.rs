//! Encryption at rest (issue 8 acceptance; NASPLE 8.11.4, Appendix A 12-13): a copy of an
//! encrypted store's data directory shows no VRM, no image and no audit text, `sqlite3`
//! cannot read it, and it opens with any authorised password and with no wrong one.
#![allow(clippy::unwrap_used)]

mod common;

use anpr_core::setup::{DEMO_ACCOUNTS, DEMO_PASSWORD};
use anpr_core::types::{NewInvestigation, Purpose, SearchRequest};
use anpr_core::{AuthFailure, Error, StoreState, Workstation};
use common::{Bundle, jpeg, now, png, sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const VRMS: [&str; 3] = ["AB12CDE", "XY51ZZT", "KM07QRS"];
/// A justification typed into a search: it is audit text.
const JUSTIFICATION: &str = "Suspect vehicle seen leaving the Harbour Road robbery";
const JPEG_SOI: &[u8] = b"\xFF\xD8\xFF";
const JFIF: &[u8] = b"JFIF\0";
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_owned())
        .collect()
}

/// A file's bytes; `None` for a WAL or shared-memory file SQLite removed meanwhile (a
/// connection closing in the background checkpoints and deletes them).
fn read(path: &Path) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !path.ends_with("anpr.db") => None,
        other => Some(other.unwrap_or_else(|e| panic!("{}: {e}", path.display()))),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for path in files(from) {
        let target = to.join(path.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        if let Some(bytes) = read(&path) {
            std::fs::write(&target, bytes).unwrap();
        }
    }
}

/// A store with reads of `VRMS`, a JPEG plate patch and a PNG overview, and an audited search.
async fn filled(ws: &Workstation, parent: &Path) {
    let b = Bundle::new(parent, "bundle");
    let (plate, overview) = (jpeg(7, 120, 40), png(9, 64, 48));
    assert!(plate.starts_with(JPEG_SOI) && contains(&plate, JFIF) && overview.starts_with(PNG_SIGNATURE));
    b.file("images/p.jpg", &plate).file("images/o.png", &overview).standard_cameras().reads(&[
        &format!("R1,{},2026-11-19T10:00:00Z,CAM1,,,1,towards,90,images/p.jpg,images/o.png", VRMS[0]),
        &format!("R2,{},2026-11-19T10:05:00Z,CAM1,,,1,towards,90,,", VRMS[1]),
        &format!("R3,{},2026-11-19T10:09:00Z,MOB1,52.2,-1.3,1,away,80,,", VRMS[2]),
    ]);
    let session = ws.login("demo.investigator", DEMO_PASSWORD).await.unwrap();
    let summary = session.import_bundle(&b.dir, &mut |_| {}, &Default::default()).await.unwrap();
    assert_eq!((summary.reads_accepted, summary.images_stored), (3, 2));
    let case = NewInvestigation {
        reference: "NS-PV-0100".into(),
        title: "Theft of a van".into(),
        offence: "Vehicle crime".into(),
        sio: "DI Example".into(),
        notes: String::new(),
    };
    session.create_investigation(&case).await.unwrap();
    let request = SearchRequest {
        investigation: case.reference.clone(),
        purpose: Some(Purpose::Investigation),
        justification: JUSTIFICATION.into(),
        vrm: Some(VRMS[0].into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(session.search(&request).await.unwrap().total, 1);
    let audit: Vec<String> = sqlx::query_scalar("SELECT coalesce(justification, '') || details FROM audit")
        .fetch_all(ws.pool())
        .await
        .unwrap();
    assert!(audit.iter().any(|a| a.contains(JUSTIFICATION)), "the justification is in the audit trail");
}

/// What a plain reader of a file finds: VRMs, image signatures, audit text, SQLite's header.
fn readable(bytes: &[u8]) -> Vec<&'static str> {
    let mut found = Vec::new();
    for vrm in VRMS {
        if contains(bytes, vrm.as_bytes()) {
            found.push(vrm);
        }
    }
    for (what, needle) in [
        ("JPEG/JFIF marker", JFIF),
        ("PNG signature", PNG_SIGNATURE),
        ("audit justification", JUSTIFICATION.as_bytes()),
        ("audit user name", b"demo.investigator".as_slice()),
        ("audit action", b"account.create".as_slice()),
        ("SQLite header", b"SQLite format 3".as_slice()),
    ] {
        if contains(bytes, needle) {
            found.push(what);
        }
    }
    if bytes.starts_with(JPEG_SOI) {
        found.push("JPEG start of image");
    }
    found
}

fn sqlite3_reads(db: &Path) -> std::process::Output {
    // A connection closing in the background may still hold a lock for a moment: wait for it.
    Command::new("sqlite3")
        .args(["-cmd", ".timeout 5000"])
        .arg(db)
        .arg("SELECT vrm FROM reads")
        .output()
        .expect("sqlite3 is installed by xtask")
}

#[tokio::test]
async fn a_copied_encrypted_store_shows_nothing_and_opens_only_with_an_authorised_password() {
    let root = tempfile::tempdir().unwrap();
    let clock = Arc::new(anpr_core::FixedClock::new(now()));

    // Control: the same data in an unencrypted store is plainly readable, so the checks below can fail.
    let plain_dir = root.path().join("plain");
    let plain = Workstation::open(&plain_dir, clock.clone()).await.unwrap();
    plain.create_demo_accounts().await.unwrap();
    filled(&plain, &root.path().join("p")).await;
    let plain_found: Vec<&str> = files(&plain_dir).iter().filter_map(|f| read(f)).flat_map(|b| readable(&b)).collect();
    for expected in ["AB12CDE", "JPEG start of image", "PNG signature", "audit justification", "SQLite header"] {
        assert!(plain_found.contains(&expected), "control store shows {expected}: {plain_found:?}");
    }
    plain.close().await;
    let control = sqlite3_reads(&plain_dir.join("anpr.db"));
    assert!(control.status.success() && String::from_utf8_lossy(&control.stdout).contains(VRMS[0]));

    // The encrypted store, copied while open (its WAL holds the latest pages) and again closed.
    let data = root.path().join("data");
    let (ws, recovery) = Workstation::create_encrypted(&data, clock.clone()).await.unwrap();
    ws.create_demo_accounts().await.unwrap();
    filled(&ws, &root.path().join("e")).await;
    let open_copy = root.path().join("copy-open");
    copy_dir(&data, &open_copy);
    ws.close().await;
    let copy = root.path().join("copy");
    copy_dir(&data, &copy);
    for dir in [&open_copy, &copy] {
        let listed = files(dir);
        assert!(listed.len() >= 4, "database, keyring and two images: {listed:?}");
        for file in listed {
            let found = readable(&std::fs::read(&file).unwrap());
            assert!(found.is_empty(), "{} shows {found:?}", file.display());
        }
    }
    let refused = sqlite3_reads(&copy.join("anpr.db"));
    assert!(!refused.status.success(), "sqlite3 read the encrypted database");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a database"), "{refused:?}");

    // Opened from the copy: with every account's password, and the data is all there.
    assert_eq!(Workstation::state(&copy).unwrap(), StoreState::Encrypted);
    assert!(matches!(Workstation::open(&copy, clock.clone()).await, Err(Error::StoreLocked(_))));
    for (username, ..) in DEMO_ACCOUNTS {
        let opened = Workstation::unlock(&copy, clock.clone(), username, DEMO_PASSWORD).await.unwrap();
        opened.login(username, DEMO_PASSWORD).await.unwrap();
        let vrms: Vec<String> =
            sqlx::query_scalar("SELECT vrm FROM reads ORDER BY vrm").fetch_all(opened.pool()).await.unwrap();
        assert_eq!(vrms, ["AB12CDE", "KM07QRS", "XY51ZZT"]);
        assert!(opened.blobs().get(&sha256(&jpeg(7, 120, 40))).unwrap().starts_with(JPEG_SOI));
        opened.close().await;
    }
    // Not with a wrong password or an unknown name; the recovery key opens it, a wrong one not.
    let wrong = Workstation::unlock(&copy, clock.clone(), "demo.admin", "Demo-pass-2!").await.unwrap_err();
    assert!(matches!(wrong, Error::Authentication(AuthFailure::WrongPassword { remaining: 4 })), "{wrong}");
    let unknown = Workstation::unlock(&copy, clock.clone(), "mallory", DEMO_PASSWORD).await.unwrap_err();
    assert!(matches!(unknown, Error::Authentication(AuthFailure::UnknownUser)), "{unknown}");
    let mut typo = recovery.as_str().to_owned();
    typo.replace_range(0..1, if typo.starts_with('A') { "B" } else { "A" });
    assert!(Workstation::unlock_with_recovery_key(&copy, clock.clone(), &typo).await.is_err());
    let recovered = Workstation::unlock_with_recovery_key(&copy, clock.clone(), recovery.as_str()).await.unwrap();
    recovered.close().await;
}

#[tokio::test]
async fn password_changes_resets_and_new_accounts_rewrap_the_key() {
    let s = common::store().await;
    let data = s.ws.data_dir().to_owned();
    let opens = |user: &'static str, password: &'static str| {
        let (data, clock) = (data.clone(), s.clock.clone());
        async move {
            match Workstation::unlock(&data, clock, user, password).await {
                Ok(ws) => {
                    ws.close().await;
                    true
                }
                Err(_) => false,
            }
        }
    };
    s.ws.change_password("demo.investigator", DEMO_PASSWORD, "Fresh-Passw0rd-77").await.unwrap();
    assert!(opens("demo.investigator", "Fresh-Passw0rd-77").await);
    assert!(!opens("demo.investigator", DEMO_PASSWORD).await, "the old password no longer opens the store");

    let admin = s.login("demo.admin").await;
    admin.reset_password("demo.engineer", "Temporary-Pass-42").await.unwrap();
    assert!(opens("demo.engineer", "Temporary-Pass-42").await);
    assert!(!opens("demo.engineer", DEMO_PASSWORD).await);
    let account = anpr_core::accounts::NewAccount {
        username: "new.officer".into(),
        full_name: "Nia Officer".into(),
        role: anpr_core::types::Role::Investigator,
        rank: anpr_core::types::Rank::None,
        temporary_password: "Welcome-Aboard-93".into(),
    };
    admin.add_user(&account).await.unwrap();
    assert!(opens("new.officer", "Welcome-Aboard-93").await);
    // Opening is not logging in: the temporary password must still be changed (App. A 13).
    let ws = Workstation::unlock(&data, s.clock.clone(), "new.officer", "Welcome-Aboard-93").await.unwrap();
    let login = ws.login("new.officer", "Welcome-Aboard-93").await.unwrap_err();
    assert!(matches!(login, Error::Authentication(AuthFailure::PasswordChangeRequired { .. })), "{login}");
    ws.close().await;
}

#[tokio::test]
async fn wrong_passwords_tried_while_the_store_is_closed_lock_the_account_and_are_audited() {
    let s = common::store().await;
    let data = s.ws.data_dir().to_owned();
    s.ws.clone().close().await;
    for _ in 0..4 {
        let e = Workstation::unlock(&data, s.clock.clone(), "demo.evidence", "guess").await.unwrap_err();
        assert!(matches!(e, Error::Authentication(AuthFailure::WrongPassword { .. })), "{e}");
    }
    let e = Workstation::unlock(&data, s.clock.clone(), "demo.evidence", "guess").await.unwrap_err();
    assert!(matches!(e, Error::Authentication(AuthFailure::Locked)), "{e}");
    // Locked even with the right password until an administrator unlocks the account.
    let e = Workstation::unlock(&data, s.clock.clone(), "demo.evidence", DEMO_PASSWORD).await.unwrap_err();
    assert!(matches!(e, Error::Authentication(AuthFailure::Locked)), "{e}");

    // The next opening (the administrator's) counts them into the database and the audit trail.
    let ws = common::reopen(&data, s.clock.clone()).await;
    let failures: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit WHERE user = 'demo.evidence' AND action = 'login' AND outcome = 'failed' AND details LIKE '%store was closed%'",
    )
    .fetch_one(ws.pool())
    .await
    .unwrap();
    assert_eq!(failures, 5);
    let e = ws.login("demo.evidence", DEMO_PASSWORD).await.unwrap_err();
    assert!(matches!(e, Error::Authentication(AuthFailure::Locked)), "{e}");
    let admin = ws.login("demo.admin", DEMO_PASSWORD).await.unwrap();
    admin.unlock_user("demo.evidence").await.unwrap();
    ws.close().await;
    let ws = Workstation::unlock(&data, s.clock.clone(), "demo.evidence", DEMO_PASSWORD).await.unwrap();
    ws.login("demo.evidence", DEMO_PASSWORD).await.unwrap();
    assert!(ws.check_store().await.unwrap().ok());
}

#[tokio::test]
async fn an_existing_unencrypted_store_is_encrypted_in_place_and_every_account_keeps_its_password() {
    let root = tempfile::tempdir().unwrap();
    let clock = Arc::new(anpr_core::FixedClock::new(now()));
    let data = root.path().join("data");
    let plain = Workstation::open(&data, clock.clone()).await.unwrap();
    plain.create_demo_accounts().await.unwrap();
    filled(&plain, root.path()).await;
    let before: Vec<(String, i64)> =
        sqlx::query_as("SELECT vrm, read_time FROM reads ORDER BY vrm").fetch_all(plain.pool()).await.unwrap();

    let investigator = plain.login("demo.investigator", DEMO_PASSWORD).await.unwrap();
    assert!(matches!(investigator.encrypt_store(&mut |_| {}).await, Err(Error::Refused(_))), "administrators only");
    let admin = plain.login("demo.admin", DEMO_PASSWORD).await.unwrap();
    let mut progress = Vec::new();
    let blob_files = files(&data.join("blobs")).len() as u64;
    let recovery = admin.encrypt_store(&mut |p| progress.push((p.done, p.total))).await.unwrap();
    assert_eq!(progress.last(), Some(&(blob_files, blob_files)), "every image file encrypted, with progress");
    assert!(blob_files >= 2);

    assert_eq!(Workstation::state(&data).unwrap(), StoreState::Encrypted);
    for file in files(&data) {
        let found = read(&file).map(|bytes| readable(&bytes)).unwrap_or_default();
        assert!(found.is_empty(), "{} shows {found:?}", file.display());
    }
    for (username, ..) in DEMO_ACCOUNTS {
        let ws = Workstation::unlock(&data, clock.clone(), username, DEMO_PASSWORD).await.unwrap();
        ws.close().await;
    }
    let ws = Workstation::unlock_with_recovery_key(&data, clock.clone(), recovery.as_str()).await.unwrap();
    let after: Vec<(String, i64)> =
        sqlx::query_as("SELECT vrm, read_time FROM reads ORDER BY vrm").fetch_all(ws.pool()).await.unwrap();
    assert_eq!(after, before);
    let encrypted: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit WHERE action = 'store.encrypt' AND user = 'demo.admin'")
            .fetch_one(ws.pool())
            .await
            .unwrap();
    assert_eq!(encrypted, 1);
    let report = ws.check_store().await.unwrap();
    assert!(report.ok(), "{:?}", report.problems());
}
