//! `--export FILE` on `anpr search` and `anpr analyse` (docs/export.md) on a demo store: an
//! investigator is refused (exit 3, clause 8.11.3) and nothing is written; an evidence officer
//! gets every match (not the first page) as a marked CSV or KML whose SHA-256 the report and
//! the audit trail both give; an existing file is kept unless `--overwrite`.
#![allow(clippy::unwrap_used)]

mod common;
use anpr_core::blobs::sha256_hex;
use common::{demo_store, run};
use serde_json::Value;
use std::path::Path;

fn scope(user: &'static str) -> Vec<&'static str> {
    vec![
        "--user",
        user,
        "--investigation",
        "NS-MAJ-0003",
        "--purpose",
        "investigation",
        "--justification",
        "vehicles seen near the depot",
        "--json",
    ]
}

fn command(data: &Path, head: &[&str], user: &'static str, extra: &[&str]) -> (i32, Value, String) {
    let mut args = head.to_vec();
    args.extend(scope(user));
    args.extend_from_slice(extra);
    run(data, &args)
}

#[test]
fn results_export_as_marked_audited_csv_and_kml_for_the_export_privilege_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_store(dir.path(), "3000");
    let csv = dir.path().join("reads.csv");
    let csv_arg = csv.to_str().unwrap();

    // An investigator may search but not export (8.11.3).
    let (code, json, err) = command(&data, &["search"], "demo.investigator", &["--vrm", "*", "--export", csv_arg]);
    assert_eq!((code, json["error"].as_str(), json["clause"].as_str()), (3, Some("refused"), Some("8.11.3")), "{err}");
    assert!(json["needs"].as_str().unwrap().contains("evidence_officer"));
    assert!(!csv.exists());

    // The same search printed, with a page of 10, to compare with.
    let (code, printed, err) = command(&data, &["search"], "demo.evidence", &["--vrm", "*", "--limit", "10"]);
    assert_eq!(code, 0, "{err}");
    let total = printed["total"].as_u64().unwrap();
    assert!(total > 10, "more than a page: {total}");

    let (code, report, err) = command(&data, &["search"], "demo.evidence", &["--vrm", "*", "--export", csv_arg]);
    assert_eq!(code, 0, "{err}");
    assert_eq!((report["rows"].as_u64(), report["format"].as_str()), (Some(total), Some("csv")), "{report}");
    let bytes = std::fs::read(&csv).unwrap();
    assert_eq!(report["sha256"].as_str().unwrap(), sha256_hex(&bytes));
    let text = String::from_utf8(bytes).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("OFFICIAL-SENSITIVE"));
    assert!(lines.next().unwrap().starts_with("read_id,vrm,time_utc,time_uk,camera_id"));
    assert_eq!(lines.count() as u64, total, "every match, not a page");
    let first_read = printed["reads"][0]["read_id"].as_str().unwrap();
    assert!(text.lines().nth(2).unwrap().starts_with(&format!("{first_read},")), "newest first, as the search lists");

    // The file exists: refused without --overwrite (exit 1), replaced with it.
    let (code, json, _) = command(&data, &["search"], "demo.evidence", &["--vrm", "*", "--export", csv_arg]);
    assert_eq!((code, json["error"].as_str()), (1, Some("invalid")), "{json}");
    let (code, _, err) =
        command(&data, &["search"], "demo.evidence", &["--vrm", "AB*", "--export", csv_arg, "--overwrite"]);
    assert_eq!(code, 0, "{err}");
    assert_ne!(sha256_hex(&std::fs::read(&csv).unwrap()), report["sha256"].as_str().unwrap());

    // An analysis as KML, by extension; its placemarks are the journey's reads.
    let reads = printed["reads"].as_array().unwrap();
    let vrm = reads.iter().map(|r| r["vrm"].as_str().unwrap().replace(' ', "")).find(|v| !v.is_empty()).unwrap();
    let (code, journey, err) = command(&data, &["analyse", "journey"], "demo.evidence", &["--vrm", &vrm]);
    assert_eq!(code, 0, "{err}");
    let kml = dir.path().join("journey.kml");
    let (code, report, err) =
        command(&data, &["analyse", "journey"], "demo.evidence", &["--vrm", &vrm, "--export", kml.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["format"], "kml");
    assert_eq!(report["rows"], journey["findings"]["total"], "{report}");
    let text = std::fs::read_to_string(&kml).unwrap();
    assert!(text.starts_with("<?xml") && text.contains(&format!("<name>OFFICIAL-SENSITIVE: journey of {vrm}</name>")));
    assert_eq!(text.matches("<TimeStamp>").count() as u64, journey["findings"]["total"].as_u64().unwrap());

    // --format overrides the extension.
    let other = dir.path().join("journey-as.csv");
    let (code, report, err) = command(
        &data,
        &["analyse", "journey"],
        "demo.evidence",
        &["--vrm", &vrm, "--export", other.to_str().unwrap(), "--format", "kml"],
    );
    assert_eq!((code, report["format"].as_str()), (0, Some("kml")), "{err}");
    assert!(std::fs::read_to_string(&other).unwrap().starts_with("<?xml"));

    // The auditor sees each export with the file's hash.
    let (code, audit, err) = run(&data, &["--user", "demo.auditor", "audit", "export", "--json"]);
    assert_eq!(code, 0, "{err}");
    let exports: Vec<(String, Value)> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "export")
        .map(|e| {
            (e["outcome"].as_str().unwrap().to_owned(), serde_json::from_str(e["details"].as_str().unwrap()).unwrap())
        })
        .collect();
    let outcomes: Vec<&str> = exports.iter().map(|(o, _)| o.as_str()).collect();
    assert_eq!(outcomes, ["refused", "success", "success", "success", "success"]);
    let (_, last) = exports.last().unwrap();
    assert_eq!(last["export"]["sha256"].as_str().unwrap(), sha256_hex(&std::fs::read(&other).unwrap()));
    assert_eq!(last["request"]["analysis"], "journey");
}
