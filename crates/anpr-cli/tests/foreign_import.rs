//! `anpr import FILE` with other systems' read files (docs/foreign-formats.md), as a script
//! runs it: the format found by content, the summary as for a bundle, exit 1 for a refusal.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

mod common;
use common::{demo_store, run};

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../anpr-core/tests/fixtures/foreign").join(relative)
}

#[test]
fn a_genetec_export_imports_and_an_unknown_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_store(dir.path(), "1");
    // Named .txt: the content decides.
    let file = dir.path().join("autovu-export.txt");
    std::fs::copy(fixture("genetec/reads.xml"), &file).unwrap();
    let (code, summary, err) = run(&data, &["--user", "demo.investigator", "import", file.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let count = |key: &str| summary[key].as_u64().unwrap();
    assert_eq!(
        ["reads_accepted", "reads_duplicate", "reads_rejected", "images_stored", "images_rejected", "cameras_added"]
            .map(count),
        [3, 0, 2, 2, 2, 2],
        "{summary:#}"
    );
    let errors: Vec<(&str, u64)> = summary["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["file"].as_str().unwrap(), e["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [("autovu-export.txt", 24), ("autovu-export.txt", 35), ("autovu-export.txt", 46), ("autovu-export.txt", 56)]
    );
    assert_eq!(summary["bundle"], file.to_str().unwrap());

    let unknown = dir.path().join("notes.csv");
    std::fs::write(&unknown, "vehicle,colour\nAB12CDE,red\n").unwrap();
    let (code, json, err) = run(&data, &["--user", "demo.investigator", "import", unknown.to_str().unwrap(), "--json"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(json["error"], "bundle_refused");
    let message = json["message"].as_str().unwrap();
    assert!(message.contains("notes.csv") && message.contains("Genetec AutoVu XML read export"), "{message}");
}
