//! `anpr report bundle` and `anpr report verify` (cli.md, NASPLE 9.4): real demo store, real
//! PDFs read back with `pdftotext` and checked with `qpdf`, originals compared with the store.
#![allow(clippy::unwrap_used)]

mod common;
use common::run;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(path).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext failed on {}", path.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn qpdf_ok(path: &Path) {
    let out = Command::new("qpdf").arg("--check").arg(path).output().expect("qpdf");
    assert!(out.status.success(), "qpdf --check {}: {}", path.display(), String::from_utf8_lossy(&out.stdout));
}

/// A coordinate cut (not rounded) to 4 decimals: a prefix of any longer form of it.
fn four_decimals(x: f64) -> String {
    let full = format!("{x:.6}");
    full[..full.find('.').unwrap() + 5].to_owned()
}

/// The identifying details of a camera that level 1 must not disclose (9.4.3).
struct Camera {
    system_type: String,
    secrets: Vec<String>,
}

fn cameras(data: &Path) -> HashMap<String, Camera> {
    let (code, json, err) = run(data, &["--user", "demo.admin", "camera", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    json["cameras"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
            let secrets = vec![
                text("camera_id"),
                text("postcode"),
                text("road"),
                four_decimals(c["latitude"].as_f64().unwrap()),
                four_decimals(c["longitude"].as_f64().unwrap()),
            ];
            (text("camera_id"), Camera { system_type: text("system_type"), secrets })
        })
        .collect()
}

/// Records the controller's consent for `camera` up to `level` (9.4.3).
fn add_consent(data: &Path, reference: &str, camera: &str, level: &str) {
    let (code, _, err) = run(
        data,
        &[
            "--user",
            "demo.evidence",
            "consent",
            "add",
            reference,
            "--camera",
            camera,
            "--controller",
            "Northshire Constabulary",
            "--consented-by",
            "Supt A. Controller",
            "--date",
            "2026-11-01",
            "--scope",
            "R v Doe",
            "--level",
            level,
        ],
    );
    assert_eq!(code, 0, "{err}");
}

fn bundle(data: &Path, reads: &[&str], level: &str, out: &Path, extra: &[&str]) -> (i32, Value, String) {
    let reads = reads.join(",");
    let out = out.to_str().unwrap();
    let mut args = vec![
        "--user",
        "demo.evidence",
        "report",
        "bundle",
        "--investigation",
        "NS-MAJ-0003",
        "--reads",
        &reads,
        "--level",
        level,
        "--recipient",
        "CPS Northshire, Complex Casework Unit",
        "--reason",
        "trial of R v Doe",
        "--out",
        out,
        "--json",
    ];
    args.extend_from_slice(extra);
    run(data, &args)
}

#[test]
fn court_bundles_disclose_locations_only_as_consented_and_verify_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, _, err) = run(&data, &["demo", "--reads", "3000", "--seed", "5", "--no-eval-kit", "--json"]);
    assert_eq!(code, 0, "{err}");
    let (code, found, err) = run(
        &data,
        &[
            "--user",
            "demo.evidence",
            "search",
            "--investigation",
            "NS-MAJ-0003",
            "--purpose",
            "evidence",
            "--justification",
            "exhibits for the file",
            "--vrm",
            "*",
            "--limit",
            "400",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let register = cameras(&data);
    let reads = found["reads"].as_array().unwrap();
    let fixed: Vec<&Value> = reads
        .iter()
        .filter(|r| register[r["camera_id"].as_str().unwrap()].system_type != "mobile")
        .filter(|r| r["plate_image_sha256"].is_string())
        .take(20)
        .collect();
    assert_eq!(fixed.len(), 20, "the demo has 20 reads with plate patches from fixed cameras");
    let ids: Vec<&str> = fixed.iter().map(|r| r["read_id"].as_str().unwrap()).collect();

    // Level 1 (general area): no camera identity, postcode, road or coordinates anywhere (9.4.3).
    let level1 = dir.path().join("level1");
    let (code, issued, err) = bundle(&data, &ids, "area", &level1, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(issued["disclosure"]["exhibits"], 20);
    let text = pdf_text(&level1.join("bundle.pdf"));
    let csv = std::fs::read_to_string(level1.join("reads.csv")).unwrap();
    for r in &fixed {
        let camera = &register[r["camera_id"].as_str().unwrap()];
        for secret in camera.secrets.iter().filter(|s| !s.is_empty()) {
            assert!(!text.contains(secret.as_str()), "bundle.pdf at level 1 discloses {secret}");
            assert!(!csv.contains(secret.as_str()), "reads.csv at level 1 discloses {secret}");
        }
        assert!(text.contains(r["general_area"].as_str().unwrap()), "the general area is missing");
        assert!(text.contains(r["plate_image_sha256"].as_str().unwrap()), "the caption's hash is missing");
    }
    assert!(text.matches("OFFICIAL-SENSITIVE").count() >= 2, "protective marking missing");
    // The camera identities are on the schedule of sensitive material instead (9.4.1).
    let schedule = pdf_text(&level1.join("sensitive-schedule.pdf"));
    assert!(schedule.contains(fixed[0]["camera_id"].as_str().unwrap()), "the schedule lacks the camera");
    for pdf in ["bundle.pdf", "sensitive-schedule.pdf"] {
        qpdf_ok(&level1.join(pdf));
    }
    // Originals are byte-identical to the store's images (read through the core: the store's
    // image files are encrypted).
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let store = runtime.block_on(common::open_store(&data));
    for r in &fixed {
        let sha = r["plate_image_sha256"].as_str().unwrap();
        let stored = store.blobs().get(sha).unwrap();
        assert_eq!(anpr_core::blobs::sha256_hex(&stored), sha);
        let shipped = std::fs::read_dir(level1.join("originals"))
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .any(|bytes| bytes == stored);
        assert!(shipped, "no original in the package is byte-identical to image {sha}");
    }
    runtime.block_on(store.close());

    // Verify: intact, then any changed byte of any file is found.
    let verify =
        |dir: &Path| run(&data, &["--user", "demo.evidence", "report", "verify", dir.to_str().unwrap(), "--json"]);
    let (code, ok, err) = verify(&level1);
    assert_eq!((code, &ok["ok"]), (0, &Value::Bool(true)), "{err} {ok}");
    for file in ["bundle.pdf", "sensitive-schedule.pdf", "reads.csv", "manifest.json"] {
        let path = level1.join(file);
        let original = std::fs::read(&path).unwrap();
        let mut changed = original.clone();
        let middle = changed.len() / 2;
        changed[middle] ^= 0x01;
        std::fs::write(&path, &changed).unwrap();
        let (code, bad, _) = verify(&level1);
        assert_eq!(code, 1, "a changed byte in {file} passed verification: {bad}");
        std::fs::write(&path, &original).unwrap();
    }
    let original = std::fs::read_dir(level1.join("originals")).unwrap().next().unwrap().unwrap().path();
    let bytes = std::fs::read(&original).unwrap();
    std::fs::write(&original, [&bytes[..bytes.len() - 1], &[bytes[bytes.len() - 1] ^ 1]].concat()).unwrap();
    let (code, bad, _) = verify(&level1);
    assert_eq!(code, 1);
    assert!(bad["problems"].to_string().contains("originals/"), "{bad}");

    // Above level 1 without the controller's consent: refused, citing 9.4.3.
    let (code, refused, _) = bundle(&data, &ids, "road", &dir.path().join("refused"), &[]);
    assert_eq!(code, 3);
    assert!(refused["clause"].as_str().unwrap().contains("9.4.3"), "{refused}");

    // A level per camera: the road for the one camera whose controller consented to it, the
    // general area for the rest (9.4.3.3); asking a road for another camera is refused.
    let first = fixed[0]["camera_id"].as_str().unwrap();
    add_consent(&data, "CON-ROAD", first, "road");
    let per_camera = dir.path().join("per-camera");
    let road_for_first = format!("{first}=road");
    let (code, _, err) = bundle(&data, &ids, "area", &per_camera, &["--camera-level", &road_for_first]);
    assert_eq!(code, 0, "{err}");
    let csv = std::fs::read_to_string(per_camera.join("reads.csv")).unwrap();
    let road = &register[first].secrets[2];
    assert!(pdf_text(&per_camera.join("bundle.pdf")).contains(road.as_str()), "the consented road is missing");
    assert!(csv.contains("level 3: road") && csv.contains("level 1: general area"), "{csv}");
    let other = fixed.iter().map(|r| r["camera_id"].as_str().unwrap()).find(|c| *c != first).unwrap();
    let road_for_other = format!("{other}=road");
    let (code, _, _) = bundle(&data, &ids, "area", &dir.path().join("other"), &["--camera-level", &road_for_other]);
    assert_eq!(code, 3, "a road level without consent was not refused");

    // With consent for each camera, the precise location appears.
    let mut consented: Vec<&str> = fixed.iter().map(|r| r["camera_id"].as_str().unwrap()).collect();
    consented.sort_unstable();
    consented.dedup();
    for (n, camera) in consented.iter().enumerate() {
        // (CON-ROAD above already covers the first camera up to road; this one goes further.)
        let reference = format!("CON-{n}");
        add_consent(&data, &reference, camera, "precise");
    }
    let precise = dir.path().join("precise");
    let (code, _, err) = bundle(&data, &ids, "precise", &precise, &[]);
    assert_eq!(code, 0, "{err}");
    let text = pdf_text(&precise.join("bundle.pdf"));
    let camera = &register[fixed[0]["camera_id"].as_str().unwrap()];
    for secret in [&camera.secrets[0], &camera.secrets[3], &camera.secrets[4]] {
        assert!(text.contains(secret.as_str()), "the consented precise location lacks {secret}");
    }

    // A mobile camera's precise location needs no consent (9.4.3).
    let mobile: Vec<&str> = reads
        .iter()
        .filter(|r| register[r["camera_id"].as_str().unwrap()].system_type == "mobile")
        .map(|r| r["read_id"].as_str().unwrap())
        .take(1)
        .collect();
    assert_eq!(mobile.len(), 1, "the demo has a mobile camera read");
    let (code, _, err) = bundle(&data, &mobile, "precise", &dir.path().join("mobile"), &[]);
    assert_eq!(code, 0, "a mobile camera needed consent: {err}");
    assert!(pdf_text(&dir.path().join("mobile").join("bundle.pdf")).contains("mobile ANPR: exempt"));

    // Every issue is a recorded disclosure (9.4.3.7).
    let (code, audit, _) = run(&data, &["--user", "demo.auditor", "audit", "export", "--json"]);
    assert_eq!(code, 0);
    let issues = audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "evidence.issue").count();
    assert_eq!(issues, 6, "4 issued and 2 refused");
}
