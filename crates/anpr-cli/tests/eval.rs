//! `anpr eval score` as scripts run it (shared specs cli.md "eval score", evaluation.md): the real
//! binary on real files in a temporary folder, its JSON and its exit codes.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

mod common;
use common::{anpr, run};

/// `n` visible vehicles 10 s apart from 09:00 UTC on 20 November 2026 in `lane`; the first
/// `captured` read by CAM-1 (on a clock `skew` seconds ahead), the first `correct` correctly.
fn traffic(lane: u32, n: u32, captured: u32, correct: u32, skew: i64) -> (String, String) {
    let (mut truth, mut reads) = (String::new(), String::new());
    for i in 0..n {
        let at = |s: i64| {
            let t = chrono::DateTime::parse_from_rfc3339("2026-11-20T09:00:00Z").unwrap()
                + chrono::Duration::seconds(s + i64::from(i) * 10);
            t.to_rfc3339()
        };
        let vrm = format!("L{lane}AB{i:03}");
        truth.push_str(&format!("{},{},{lane},{vrm},true\n", lane * 1000 + i + 1, at(0)));
        if i < captured {
            let read = if i < correct { vrm.clone() } else { vrm.replace('B', "8") };
            reads.push_str(&format!("L{lane}-{i},{read},{},CAM-1,{lane}\n", at(skew)));
        }
    }
    (truth, reads)
}

/// Writes truth.csv and reads.csv (with one read of another camera) into `dir`.
fn files(dir: &Path, lanes: &[(String, String)]) -> (PathBuf, PathBuf) {
    let truth = dir.join("truth.csv");
    let reads = dir.join("reads.csv");
    let t: String = lanes.iter().map(|l| l.0.as_str()).collect();
    let r: String = lanes.iter().map(|l| l.1.as_str()).collect();
    std::fs::write(&truth, format!("vehicle,time,lane,vrm,visible\n{t}")).unwrap();
    std::fs::write(
        &reads,
        format!("read_id,vrm,read_time,camera_id,lane\n{r}X-1,ZZ99ZZZ,2026-11-20T09:00:00Z,OTHER,1\n"),
    )
    .unwrap();
    (truth, reads)
}

/// `anpr eval <command>` on the two files for camera CAM-1, with `extra` flags.
fn eval(command: &str, dir: &Path, truth: &Path, reads: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let (truth, reads) = (truth.to_str().unwrap(), reads.to_str().unwrap());
    let mut args = vec!["eval", command, "--truth", truth, "--reads", reads, "--camera", "CAM-1"];
    args.extend_from_slice(extra);
    run(&dir.join("data"), &args)
}

fn score(dir: &Path, truth: &Path, reads: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    eval("score", dir, truth, reads, extra)
}

#[test]
fn a_passing_evaluation_prints_the_spec_json_without_touching_a_store() {
    let dir = tempfile::tempdir().unwrap();
    // 260 visible, 256 captured (98.46%), 250 correct (97.66%).
    let (truth, reads) = files(dir.path(), &[traffic(1, 260, 256, 250, 0)]);
    let (code, json, err) = score(dir.path(), &truth, &reads, &["--system-type", "static", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json["camera_id"], "CAM-1");
    assert_eq!(json["system_type"], "static");
    assert_eq!((json["window_s"].as_f64(), json["offset_s"].as_f64()), (Some(2.0), Some(0.0)));
    assert_eq!((json["vehicles"].as_u64(), json["visible"].as_u64()), (Some(260), Some(260)));
    assert_eq!((json["captured"].as_u64(), json["correct"].as_u64()), (Some(256), Some(250)));
    assert_eq!(json["capture_rate"], 0.9846);
    assert_eq!(json["read_rate"], 0.9766);
    assert_eq!(json["capture_ci"].as_array().unwrap().len(), 2);
    assert_eq!((json["capture_standard"].as_f64(), json["read_standard"].as_f64()), (Some(0.98), Some(0.95)));
    assert_eq!(json["capture_verdict"], "pass");
    assert_eq!(json["read_verdict"], "pass");
    assert_eq!(json["verdict"], "pass");
    assert_eq!((json["duplicates"].as_u64(), json["unmatched_reads"].as_u64()), (Some(0), Some(0)));
    assert_eq!(json["lanes"][0]["lane"], 1);
    assert_eq!(json["lanes"][0]["verdict"], "pass");
    assert_eq!(json["missed"], serde_json::json!([1257, 1258, 1259, 1260]));
    assert_eq!(json["misreads"].as_array().unwrap().len(), 6);
    assert_eq!(json["misreads"][0]["confusions"], serde_json::json!(["B->8"]));
    assert_eq!(json["remediation_due"], serde_json::Value::Null);
    assert!(!dir.path().join("data").exists(), "scoring files must not create a data directory");
}

#[test]
fn a_failing_evaluation_exits_0_with_a_remediation_date() {
    let dir = tempfile::tempdir().unwrap();
    // The camera clock runs 3.5 s ahead; lane 2 away from the camera captures 240 of 260.
    let (truth, reads) = files(dir.path(), &[traffic(1, 260, 260, 260, 3), traffic(2, 260, 240, 240, 3)]);
    let base = ["--system-type", "multi-lane", "--offset-s", "3", "--json"];
    let (code, json, err) = score(dir.path(), &truth, &reads, &[&base[..], &["--direction", "towards"]].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!(json["system_type"], "multi_lane");
    assert_eq!(json["lanes"][1]["verdict"], "fail");
    assert_eq!(json["verdict"], "fail");
    assert_eq!(json["remediation_due"], "2026-12-20");
    let (code, json, _) = score(dir.path(), &truth, &reads, &[&base[..], &["--direction", "away"]].concat());
    assert_eq!(code, 0);
    assert_eq!((json["capture_standard"].as_f64(), json["verdict"].as_str()), (Some(0.9), Some("pass")));
    // Without the offset every read is 3 s out and matches nothing.
    let (code, json, _) =
        score(dir.path(), &truth, &reads, &["--system-type", "multi_lane", "--direction", "away", "--json"]);
    assert_eq!(code, 0);
    assert_eq!((json["captured"].as_u64(), json["unmatched_reads"].as_u64()), (Some(0), Some(500)));
    // A negative offset and an explicit evaluation date.
    let (code, json, err) = score(
        dir.path(),
        &truth,
        &reads,
        &["--system-type", "static", "--offset-s", "-1", "--window-s", "0.5", "--date", "2027-01-05", "--json"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!((json["offset_s"].as_f64(), json["window_s"].as_f64()), (Some(-1.0), Some(0.5)));
    assert_eq!(json["remediation_due"], "2027-02-04");
}

#[test]
fn human_output_goes_to_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let (truth, reads) = files(dir.path(), &[traffic(1, 20, 18, 17, 0)]);
    let out = anpr(
        &dir.path().join("data"),
        &[
            "eval",
            "score",
            "--truth",
            truth.to_str().unwrap(),
            "--reads",
            reads.to_str().unwrap(),
            "--camera",
            "CAM-1",
            "--system-type",
            "cctv",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let text = String::from_utf8_lossy(&out.stderr);
    for expected in
        ["capture standard 85% (NASPLE 8.7.4)", "Capture 18/20 = 90.00%", "95% CI", "Missed vehicles: 1019, 1020"]
    {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    assert!(text.contains("Verdict: INSUFFICIENT SAMPLE"), "{text}");
}

#[test]
fn bad_files_exit_1_with_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (_, reads) = files(dir.path(), &[traffic(1, 3, 3, 3, 0)]);
    let truth = dir.path().join("bad-truth.csv");
    std::fs::write(
        &truth,
        "vehicle,time,lane,vrm,visible\n1,2026-11-20T09:00:00Z,1,AB12CDE,true\n2,09:00,1,CD34EFG,true\n3,2026-11-20T09:00:20Z,1,EF56GHJ,perhaps\n",
    )
    .unwrap();
    let (code, json, err) = score(dir.path(), &truth, &reads, &["--system-type", "static", "--json"]);
    assert_eq!(code, 1, "{err}");
    let lines: Vec<u64> = json["errors"].as_array().unwrap().iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [3, 4]);
    assert!(json["errors"][1]["reason"].as_str().unwrap().contains("visible"));
    assert!(err.contains("line 3: time"), "{err}");

    let missing = dir.path().join("nothing.csv");
    let (code, _, err) = score(dir.path(), &missing, &reads, &["--system-type", "static"]);
    assert_eq!(code, 1);
    assert!(err.contains("nothing.csv"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (truth, reads) = files(dir.path(), &[traffic(1, 3, 3, 3, 0)]);
    for (extra, says) in [
        (&["--system-type", "multi_lane"][..], "direction"),
        (&["--system-type", "static", "--moving"][..], "moving"),
        (&["--system-type", "tripod"][..], "tripod"),
        (&["--system-type", "static", "--window-s", "-1"][..], "window"),
        (&["--system-type", "static", "--direction", "sideways"][..], "sideways"),
    ] {
        let (code, json, err) = score(dir.path(), &truth, &reads, extra);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert_eq!(json, serde_json::Value::Null);
        assert!(err.contains(says), "{extra:?}: {err}");
    }
}

/// `eval report` with the report's own flags after `eval score`'s.
fn report(dir: &Path, truth: &Path, reads: &Path, out: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let out = out.to_str().unwrap();
    let mut args = vec!["--system-type", "multi_lane", "--direction", "towards", "--offset-s", "3", "--out", out];
    args.extend_from_slice(extra);
    eval("report", dir, truth, reads, &args)
}

#[test]
fn eval_report_writes_the_pdf_and_prints_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let (truth, reads) = files(dir.path(), &[traffic(1, 260, 260, 255, 3), traffic(2, 260, 240, 240, 3)]);
    let pdf = dir.path().join("report.pdf");
    let who = ["--engineer", "Erin Engineer", "--reason", "annual review", "--camera-name", "Marham Vale gantry"];
    let (code, json, err) =
        report(dir.path(), &truth, &reads, &pdf, &[&who[..], &["--condition", "day", "--json"]].concat());
    assert_eq!(code, 0, "{err}");
    // The scoring as `eval score --json` gives it, with the PDF's file, size and hash.
    assert_eq!(json["verdict"], "fail");
    assert_eq!(json["lanes"][1]["verdict"], "fail");
    assert_eq!((json["engineer"].as_str(), json["reason"].as_str()), (Some("Erin Engineer"), Some("annual review")));
    assert_eq!(json["condition"], "day");
    let bytes = std::fs::read(&pdf).unwrap();
    assert_eq!(json["pdf"], pdf.to_str().unwrap());
    assert_eq!(json["pdf_bytes"].as_u64(), Some(bytes.len() as u64));
    let sha = <sha2::Sha256 as sha2::Digest>::digest(&bytes);
    assert_eq!(json["pdf_sha256"].as_str(), Some(hex::encode(sha).as_str()));
    assert!(!dir.path().join("data").exists(), "a report from files must not create a data directory");

    let text = std::process::Command::new("pdftotext").args([pdf.to_str().unwrap(), "-"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "OFFICIAL-SENSITIVE",
        "Verdict: FAIL",
        "2026-12-20",
        "Erin Engineer",
        "annual review",
        "CAM-1 (Marham Vale gantry)",
        "multi_lane: capture standard 98% (NASPLE 8.7.3)",
        "Lane 2",
        "8.14.2, lane 2 260 visible vehicles (at least 250 needed)",
    ] {
        assert!(text.contains(expected), "{expected:?} is not in the report: {text}");
    }

    // The report's own flags are required: a usage error.
    let (code, _, err) = report(dir.path(), &truth, &reads, &pdf, &["--reason", "x"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--engineer"), "{err}");
    // A bad truth file: exit 1 and no PDF.
    std::fs::write(&truth, "vehicle,time,vrm,visible\n1,yesterday,AB12CDE,true\n").unwrap();
    let fresh = dir.path().join("none.pdf");
    let (code, json, _) = report(dir.path(), &truth, &reads, &fresh, &[&who[..], &["--json"]].concat());
    assert_eq!(code, 1);
    assert_eq!(json["errors"][0]["line"], 2);
    assert!(!fresh.exists());
}
