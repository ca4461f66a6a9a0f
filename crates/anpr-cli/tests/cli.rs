//! The `anpr` binary as scripts use it (shared spec cli.md): real processes, real files, a
//! real store.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

mod common;
use common::{anpr, demo_store, open_store, run};

async fn count_reads(data: &Path) -> i64 {
    let ws = open_store(data).await;
    let n = sqlx::query_scalar("SELECT count(*) FROM reads").fetch_one(ws.pool()).await.unwrap();
    ws.close().await;
    n
}

#[test]
fn demo_bundle_round_trips_with_exact_counts() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    let (code, made, err) =
        run(dir.path(), &["demo", "--reads", "1500", "--seed", "7", "--bundle", bundle.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(bundle.join("manifest.json").exists());
    let data = dir.path().join("store");
    // The store needs accounts: an empty demo store, then the bundle imported by an investigator.
    // A small evaluation kit comes with it (the default one has 270 vehicles).
    let (code, made_store, err) =
        run(&data, &["demo", "--reads", "1", "--seed", "99", "--no-images", "--eval-vehicles", "12", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(made_store["eval_kit"]["vehicles"], 12, "{made_store:#}");
    for file in ["video.mp4", "reads.csv", "truth.csv"] {
        assert!(data.join("demo-eval").join(file).is_file(), "{file}");
    }
    let (code, summary, err) =
        run(&data, &["--user", "demo.investigator", "import", bundle.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(summary["reads_accepted"], made["reads"], "{summary:#}");
    assert_eq!(summary["reads_rejected"], 0);
    assert_eq!(summary["reads_duplicate"], 0);
    assert_eq!(summary["images_rejected"], 0);
    let images = made["plate_images"].as_u64().unwrap() + made["overview_images"].as_u64().unwrap();
    assert_eq!(summary["images_stored"], images);
    assert_eq!(summary["errors"].as_array().unwrap().len(), 0, "{:#}", summary["errors"]);
    // The bundle's cameras were already registered by the first demo (same register).
    assert_eq!(summary["cameras_added"], 0);

    let (code, again, _) = run(&data, &["--user", "demo.investigator", "import", bundle.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    assert_eq!(
        (again["reads_accepted"].as_u64(), again["reads_duplicate"].as_u64()),
        (Some(0), made["reads"].as_u64())
    );
}

#[test]
fn exit_codes_follow_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_store(dir.path(), "50");
    // 4: authentication failed
    let out = anpr(&data, &["--user", "demo.investigator", "audit", "verify"])
        .env("ANPR_PASSWORD", "wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("attempt(s) left"));
    // 3: refused by policy, naming the clause and what would make it allowed
    let (code, json, _) = run(&data, &["--user", "demo.investigator", "audit", "verify", "--json"]);
    assert_eq!(code, 3);
    assert_eq!(json["clause"], "8.11.4");
    assert!(json["needs"].as_str().unwrap().contains("auditor"));
    // 1: a bundle refused whole
    let empty = dir.path().join("empty-bundle");
    std::fs::create_dir_all(&empty).unwrap();
    let (code, json, _) = run(&data, &["--user", "demo.investigator", "import", empty.to_str().unwrap(), "--json"]);
    assert_eq!(code, 1);
    assert_eq!(json["error"], "bundle_refused");
    // 2: usage
    let (code, _, _) = run(&data, &["import"]);
    assert_eq!(code, 2);
}

#[tokio::test]
async fn a_tampered_audit_trail_fails_verify_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_store(dir.path(), "20");
    let (code, json, _) = run(&data, &["--user", "demo.auditor", "audit", "verify", "--json"]);
    assert_eq!((code, json["ok"].as_bool()), (0, Some(true)));
    let entries = json["entries"].as_i64().unwrap();
    assert!(entries >= 8);

    // Tampering by someone who has the data key (an insider with a password).
    let ws = open_store(&data).await;
    sqlx::query("DROP TRIGGER audit_no_update").execute(ws.pool()).await.unwrap();
    sqlx::query("UPDATE audit SET user = 'someone.else' WHERE seq = 3").execute(ws.pool()).await.unwrap();
    ws.close().await;

    let (code, json, err) = run(&data, &["--user", "demo.auditor", "audit", "verify", "--json"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!((json["ok"].as_bool(), json["first_broken"].as_i64()), (Some(false), Some(3)));
    let (code, _, err) = run(&data, &["--user", "demo.auditor", "audit", "verify"]);
    assert_eq!(code, 1);
    assert!(err.contains("BROKEN at entry 3"), "{err}");
}

#[test]
fn audit_export_prints_the_trail_with_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_store(dir.path(), "20");
    let (code, json, _) = run(&data, &["--user", "demo.auditor", "audit", "export", "--json"]);
    assert_eq!(code, 0);
    let entries = json["entries"].as_array().unwrap();
    let import = entries.iter().find(|e| e["action"] == "import").unwrap();
    for key in [
        "seq",
        "time",
        "user",
        "action",
        "object",
        "justification",
        "authority",
        "outcome",
        "details",
        "hash",
        "prev_hash",
    ] {
        assert!(import.get(key).is_some(), "missing {key}");
    }
    assert!(import["details"].as_str().unwrap().contains("bundle_sha256"));
    assert_eq!(entries[1]["prev_hash"], entries[0]["hash"]);
}

/// A child `anpr import` killed with SIGKILL at several moments leaves the store as before;
/// a re-run then completes with the exact expected counts (bundle-format.md, atomic per bundle).
#[tokio::test]
async fn an_import_killed_mid_way_leaves_the_store_unchanged_and_a_rerun_completes() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    let (code, made, err) =
        run(dir.path(), &["demo", "--reads", "60000", "--no-images", "--bundle", bundle.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let expected = made["reads"].as_i64().unwrap();
    let import = |data: &Path| anpr(data, &["--user", "demo.investigator", "import", bundle.to_str().unwrap()]);

    // How long a whole import takes here, to aim the kills inside it.
    let reference = demo_store(&dir.path().join("reference"), "1");
    let started = Instant::now();
    assert!(import(&reference).output().unwrap().status.success());
    let full = started.elapsed();
    assert_eq!(count_reads(&reference).await, expected + 1);

    let data = demo_store(&dir.path().join("target"), "1");
    let mut killed_while_running = 0;
    for fraction in [0.2, 0.5, 0.8] {
        let mut child = import(&data).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(full.mul_f64(fraction));
        if child.try_wait().unwrap().is_none() {
            killed_while_running += 1;
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let n = count_reads(&data).await;
        assert!(n == 1 || n == expected + 1, "after a kill at {fraction}: {n} reads, neither before nor after");
        if n != 1 {
            break; // it had finished: nothing more to interrupt
        }
    }
    assert!(killed_while_running > 0, "no kill landed inside the import (full import took {full:?})");
    let out = import(&data).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(count_reads(&data).await, expected + 1);
}

#[test]
fn demo_stores_are_encrypted_and_open_only_with_a_password_or_the_recovery_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, made, err) = run(&data, &["demo", "--reads", "5", "--no-images", "--no-eval-kit", "--json"]);
    assert_eq!(code, 0, "{err}");
    let recovery = made["recovery_key"].as_str().expect("the recovery key is printed once").to_owned();
    assert!(data.join("keyring.json").is_file());
    let (code, _, err) = run(&data, &["demo", "--reads", "5", "--no-eval-kit"]);
    assert_eq!(code, 1, "a second demo over the store is refused: {err}");

    let check = |password: &str| {
        let out = anpr(&data, &["--user", "demo.auditor", "check", "--json"])
            .env("ANPR_PASSWORD", password)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    assert_eq!(check(common::PASSWORD).0, Some(0));
    let (code, err) = check("Not-the-password-1");
    assert_eq!(code, Some(4), "a wrong password: exit 4 (cli.md): {err}");
    assert!(err.contains("attempt(s) left"), "{err}");
    let (code, _, err) = run(&data, &["investigation", "list", "--json"]);
    assert_eq!(code, 1, "no --user, no key: {err}");
    assert!(err.contains("encrypted"), "{err}");

    // Every administrator password lost: the recovery key sets a temporary one.
    let recover = |key: &str| {
        anpr(&data, &["recover", "demo.admin", "--json"])
            .env("ANPR_RECOVERY_KEY", key)
            .env("ANPR_NEW_PASSWORD", "Recovered-Admin-58")
            .output()
            .unwrap()
    };
    assert_eq!(recover("AAAA-BBBB").status.code(), Some(1), "not the recovery key");
    let out = recover(&recovery.to_lowercase());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let admin = |password: &str, args: &[&str]| {
        let out =
            anpr(&data, &[&["--user", "demo.admin"], args].concat()).env("ANPR_PASSWORD", password).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    assert_eq!(admin(common::PASSWORD, &["user", "list"]).0, Some(4), "the old password no longer opens the store");
    let (code, err) = admin("Recovered-Admin-58", &["user", "list"]);
    assert_eq!(code, Some(4), "the temporary password must be changed first: {err}");
    assert!(err.contains("must be changed"), "{err}");
    let out = anpr(&data, &["--user", "demo.admin", "user", "passwd"])
        .env("ANPR_PASSWORD", "Recovered-Admin-58")
        .env("ANPR_NEW_PASSWORD", "Chosen-Admin-Pass-71")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(admin("Chosen-Admin-Pass-71", &["user", "list"]).0, Some(0));
}

// Multi-threaded: sqlx finishes closing the plain store's connections in background tasks,
// which a single-threaded runtime would not run while the test waits on a child process, and
// encrypting needs the only connection to the file.
#[tokio::test(flavor = "multi_thread")]
async fn an_unencrypted_store_is_encrypted_by_an_administrator_and_keeps_every_password() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let clock = std::sync::Arc::new(anpr_core::SystemClock);
    let plain = anpr_core::Workstation::open(&data, clock).await.unwrap();
    plain.create_demo_accounts().await.unwrap();
    plain.close().await;

    let (code, _, err) = run(&data, &["--user", "demo.investigator", "encrypt", "--json"]);
    assert_eq!(code, 3, "administrators only: {err}");
    let (code, done, err) = run(&data, &["--user", "demo.admin", "encrypt", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(done["recovery_key"].as_str().map(str::len), Some(64), "{done}");
    assert!(data.join("keyring.json").is_file());
    let (code, list, err) = run(&data, &["--user", "demo.investigator", "investigation", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(list["investigations"].is_array());
    let (code, _, err) = run(&data, &["--user", "demo.admin", "encrypt"]);
    assert_eq!(code, 1, "already encrypted: {err}");
}
