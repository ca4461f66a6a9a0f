//! `anpr analyse journey|convoy|stakeout|cloned|list` (docs/analysis.md) on a demo store: the
//! planted convoy and cloned plate are found, `--json` gives one document on stdout, human text
//! goes to stderr, a refusal exits 3 with its clause and is audited with the analysis asked for.
#![allow(clippy::unwrap_used)]

mod common;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use common::run;
use serde_json::Value;
use std::path::Path;

const SCOPE: &[&str] = &[
    "--user",
    "demo.investigator",
    "--investigation",
    "NS-MAJ-0003",
    "--purpose",
    "investigation",
    "--justification",
    "vehicles seen with the victim's van",
];

fn analyse(data: &Path, kind: &str, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["analyse", kind];
    args.extend_from_slice(SCOPE);
    args.extend_from_slice(extra);
    run(data, &args)
}

fn ok(data: &Path, kind: &str, extra: &[&str]) -> Value {
    let mut args = extra.to_vec();
    args.push("--json");
    let (code, json, err) = analyse(data, kind, &args);
    assert_eq!(code, 0, "{kind} {extra:?}: {err}");
    assert_eq!(json["findings"]["kind"], kind, "{json}");
    assert!(json["grant"]["clause"].is_string() && json["truncated"].is_boolean(), "{json}");
    json
}

fn shifted(time: &str, minutes: i64) -> String {
    let t = DateTime::parse_from_rfc3339(time).unwrap().to_utc() + Duration::minutes(minutes);
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[test]
fn every_analysis_runs_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, demo, err) = run(&data, &["demo", "--reads", "3000", "--seed", "99", "--no-images", "--json"]);
    assert_eq!(code, 0, "{err}");
    let leader = demo["demo"]["convoy_pair"][0].as_str().unwrap().to_owned();
    let follower = demo["demo"]["convoy_pair"][1].as_str().unwrap().to_owned();
    let cloned = demo["demo"]["cloned_vrm"].as_str().unwrap().to_owned();

    // Journey: time order, with what a map and a timeline need.
    let journey = ok(&data, "journey", &["--vrm", &leader]);
    let reads = journey["findings"]["reads"].as_array().unwrap();
    assert!(reads.len() >= 2, "{journey}");
    assert_eq!(journey["findings"]["total"].as_u64().unwrap(), reads.len() as u64);
    let times: Vec<&str> = reads.iter().map(|r| r["read_time"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert_eq!(journey["findings"]["first_seen"]["time"], times[0]);
    for key in ["latitude", "longitude", "camera_id", "camera_name", "general_area", "read_time_uk", "plate_image"] {
        assert!(reads[0].get(key).is_some(), "journey read lacks {key}: {}", reads[0]);
    }

    // Convoy: the follower travels with the leader.
    let convoy = ok(&data, "convoy", &["--vrm", &leader, "--window", "5", "--min-together", "2"]);
    let companions = convoy["findings"]["companions"].as_array().unwrap();
    assert_eq!(companions[0]["vrm"], follower.as_str(), "{convoy}");
    assert!(companions[0]["shared"][0]["seconds_apart"].is_number());

    // Cloned: the planted clone, seen in two towns minutes apart.
    let clones = ok(&data, "cloned", &["--max-speed", "200"]);
    let pairs = clones["findings"]["pairs"].as_array().unwrap();
    assert!(pairs.iter().any(|p| p["vrm"] == cloned.as_str()), "{clones}");
    assert!(pairs[0]["distance_km"].as_f64().unwrap() >= 1.0 && pairs[0]["later"]["latitude"].is_number());

    // Stakeout: two of the leader's sightings, each camera within ten minutes either side.
    let place = |r: &Value| {
        let t = r["read_time"].as_str().unwrap();
        format!("{}@{}..{}", r["camera_id"].as_str().unwrap(), shifted(t, -10), shifted(t, 10))
    };
    let (first, last) = (place(&reads[0]), place(&reads[reads.len() - 1]));
    let stakeout = ok(&data, "stakeout", &["--place", &first, "--place", &last]);
    let vehicles = stakeout["findings"]["vehicles"].as_array().unwrap();
    assert!(
        vehicles.iter().any(|v| v["vrm"] == leader.as_str() && v["places"] == serde_json::json!([0, 1])),
        "{stakeout}"
    );

    // List: pasted, and from a CSV file with a header.
    let listed = format!("{leader},{follower},ZZ99 ZZZ");
    let list = ok(&data, "list", &["--vrms", &listed]);
    let hits: Vec<&str> =
        list["findings"]["hits"].as_array().unwrap().iter().map(|h| h["vrm"].as_str().unwrap()).collect();
    assert_eq!(hits, [leader.as_str(), follower.as_str()]);
    assert_eq!(list["findings"]["not_seen"], serde_json::json!(["ZZ99ZZZ"]));
    let file = dir.path().join("vrms.csv");
    std::fs::write(&file, format!("VRM,note\n{cloned},seen at the scene\nZZ99ZZZ,none\n")).unwrap();
    let list = ok(&data, "list", &["--vrm-file", file.to_str().unwrap()]);
    assert_eq!(list["findings"]["hits"][0]["vrm"], cloned.as_str(), "{list}");

    // Human output goes to stderr; stdout stays empty.
    let (code, json, err) = analyse(&data, "journey", &["--vrm", &leader]);
    assert_eq!((code, json), (0, Value::Null));
    assert!(err.contains(&leader) && err.contains("first seen"), "{err}");

    // Bad parameters: exit 1, nothing audited; usage: exit 2.
    let (code, json, _) = analyse(&data, "convoy", &["--vrm", &leader, "--window", "0", "--json"]);
    assert_eq!((code, json["error"].as_str()), (1, Some("invalid")), "{json}");
    let (code, _, _) = analyse(&data, "stakeout", &["--place", "CAM1", "--json"]);
    assert_eq!(code, 2);

    // Beyond Annex C for Priority and Volume: exit 3 with the clause, audited as a refused search.
    let from = (Utc::now() - Duration::days(120)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut args = vec!["analyse", "convoy", "--vrm", &leader, "--from", &from, "--json"];
    args.extend_from_slice(SCOPE);
    let pv = args.iter().position(|a| *a == "NS-MAJ-0003").unwrap();
    args[pv] = "NS-PV-0001";
    let (code, refused, _) = run(&data, &args);
    assert_eq!((code, refused["clause"].as_str()), (3, Some("Annex C")), "{refused}");
    let (code, audit, err) = run(&data, &["--user", "demo.auditor", "audit", "export", "--json"]);
    assert_eq!(code, 0, "{err}");
    let searches: Vec<(String, Value)> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "search")
        .map(|e| {
            let details: Value = serde_json::from_str(e["details"].as_str().unwrap()).unwrap();
            (e["outcome"].as_str().unwrap().to_owned(), details["request"]["analysis"].clone())
        })
        .collect();
    let kinds: Vec<(&str, &str)> = searches.iter().map(|(o, k)| (o.as_str(), k.as_str().unwrap_or("-"))).collect();
    assert_eq!(
        kinds,
        [
            ("success", "journey"),
            ("success", "convoy"),
            ("success", "cloned"),
            ("success", "stakeout"),
            ("success", "list"),
            ("success", "list"),
            ("success", "journey"),
            ("refused", "convoy"),
        ]
    );
}
