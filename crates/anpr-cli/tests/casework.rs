//! `anpr search`, `access check`, `investigation`, `authority` and `retention run` as cli.md
//! promises them: real processes on a real demo store.
#![allow(clippy::unwrap_used)]

mod common;
use chrono::{Duration, SecondsFormat, Utc};
use common::{demo_store, run, search_pv};
use serde_json::Value;

fn ago(days: i64) -> String {
    (Utc::now() - Duration::days(days)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn audit_entries(data: &std::path::Path) -> Vec<Value> {
    let (code, json, err) = run(data, &["--user", "demo.auditor", "audit", "export", "--json"]);
    assert_eq!(code, 0, "{err}");
    json["entries"].as_array().unwrap().clone()
}

#[test]
fn access_check_answers_annex_c_with_exit_codes_0_and_3() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("empty");
    let check = |extra: &[&str]| {
        let (from, to) = (ago(120), ago(0));
        let mut args = vec!["access", "check", "--category", "priority_volume", "--from", &from, "--to", &to, "--json"];
        args.extend_from_slice(extra);
        run(&data, &args)
    };
    // Annex C: Priority and Volume over 90 days needs an Inspector's written authority with a reason.
    let (code, json, _) = check(&["--purpose", "investigation"]);
    assert_eq!(code, 3);
    assert_eq!(json["allowed"], false);
    assert_eq!(json["clause"], "Annex C");
    assert!(json["needs"].as_str().unwrap().contains("Inspector"), "{json}");
    let (code, json, _) = check(&["--purpose", "investigation", "--authority", "inspector", "--reason", "b"]);
    assert_eq!((code, &json["allowed"], &json["needs"]), (0, &Value::Bool(true), &Value::Null), "{json}");
    // Code of Ethics needs a Superintendent.
    let (code, _, _) = check(&["--purpose", "code_of_ethics", "--authority", "inspector"]);
    assert_eq!(code, 3);
    let (code, _, _) = check(&["--purpose", "code_of_ethics", "--authority", "superintendent"]);
    assert_eq!(code, 0);
    // Nothing older than 12 months (9.5.1).
    let (from, to) = (ago(400), ago(0));
    let (code, json, _) = run(
        &data,
        &[
            "access",
            "check",
            "--purpose",
            "investigation",
            "--category",
            "major",
            "--from",
            &from,
            "--to",
            &to,
            "--json",
        ],
    );
    assert_eq!(code, 3);
    assert!(json["clause"].as_str().unwrap().contains("9.5.1"), "{json}");
}

#[test]
fn search_is_category_bounded_refusals_exit_3_and_are_audited_and_authority_unlocks_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_store(dir.path(), "3000");
    let (code, list, err) = run(&data, &["--user", "demo.investigator", "investigation", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let categories: Vec<&str> =
        list["investigations"].as_array().unwrap().iter().map(|i| i["category"].as_str().unwrap()).collect();
    for category in ["priority_volume", "serious", "major", "national_security", "counter_terrorism"] {
        assert!(categories.contains(&category), "no demo investigation of category {category}: {categories:?}");
    }

    let search = |extra: &[&str]| search_pv(&data, "suspect van seen leaving the scene", extra);
    let (code, found, err) = search(&["--vrm", "*"]);
    assert_eq!(code, 0, "{err}");
    let reads = found["reads"].as_array().unwrap();
    assert!(!reads.is_empty() && found["total"].as_u64().unwrap() >= reads.len() as u64);
    let oldest = reads.iter().map(|r| r["read_time"].as_str().unwrap()).min().unwrap();
    assert!(oldest >= ago(91).as_str(), "a read older than 90 days reached a P&V search: {oldest}");
    for key in ["read_id", "vrm", "read_time", "camera_id", "general_area", "plate_image_sha256"] {
        assert!(reads[0].get(key).is_some(), "search JSON lacks {key}: {}", reads[0]);
    }

    let from = ago(120);
    let (code, refused, _) = search(&["--from", &from]);
    assert_eq!(code, 3);
    assert_eq!(refused["clause"], "Annex C");
    let refused_entry = audit_entries(&data)
        .into_iter()
        .rev()
        .find(|e| e["action"] == "search" && e["outcome"] == "refused")
        .expect("the refused search is in the audit trail");
    assert_eq!(refused_entry["justification"], "suspect van seen leaving the scene");
    assert_eq!(refused_entry["user"], "demo.investigator");

    let to = ago(0);
    let request = [
        "--user",
        "demo.investigator",
        "authority",
        "request",
        "--investigation",
        "NS-PV-0001",
        "--from",
        &from,
        "--to",
        &to,
        "--reason-code",
        "a",
        "--reason",
        "offence reported four months late",
        "--json",
    ];
    let (code, pending, err) = run(&data, &request);
    assert_eq!(code, 0, "{err}");
    let reference = pending["reference"].as_str().unwrap().to_owned();
    assert_eq!(pending["status"], "pending");
    // An unranked account cannot give it; an Inspector can.
    let decide =
        |user: &str| run(&data, &["--user", user, "authority", "approve", &reference, "--note", "agreed", "--json"]);
    assert_eq!(decide("demo.investigator").0, 3);
    let (code, approved, err) = decide("demo.inspector");
    assert_eq!(code, 0, "{err}");
    assert_eq!((approved["status"].as_str(), approved["decided_rank"].as_str()), (Some("approved"), Some("inspector")));

    let (code, extended, err) = search(&["--from", &from, "--to", &to, "--authority-ref", &reference]);
    assert_eq!(code, 0, "{err}");
    assert!(extended["total"].as_u64().unwrap() > found["total"].as_u64().unwrap(), "{}", extended["grant"]);
    let cited = audit_entries(&data).into_iter().rev().find(|e| e["action"] == "search" && e["outcome"] == "success");
    assert_eq!(cited.unwrap()["authority"], reference.as_str());
}

#[test]
fn retention_run_reports_deletions_by_rule_as_of_now() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_store(dir.path(), "2000");
    let (code, first, err) = run(&data, &["--user", "demo.investigator", "retention", "run", "--json"]);
    assert_eq!(code, 0, "{err}");
    // The demo spans 400 days: reads captured over 12 months ago go now, except those the
    // Major investigation retained under CPIA (9.5.1); nothing was entered 7 days ago yet.
    assert!(first["twelve_month_rule"].as_u64().unwrap() > 0, "{first}");
    assert_eq!(first["seven_day_rule"], 0);
    assert!(first["kept_retained"].as_u64().unwrap() > 0, "{first}");
    // Eight days on, everything not retained has gone by the 7-day rule (9.8).
    let later = (Utc::now() + Duration::days(8)).to_rfc3339();
    // Only an administrator may run it ahead of time (it deletes before the rules would).
    let (code, refused, _) =
        run(&data, &["--user", "demo.investigator", "retention", "run", "--now", &later, "--json"]);
    assert_eq!((code, refused["clause"].as_str()), (3, Some("8.9.4, 9.8")), "{refused}");
    let (code, second, err) = run(&data, &["--user", "demo.admin", "retention", "run", "--now", &later, "--json"]);
    assert_eq!(code, 0, "{err}");
    let (_, status, _) = run(&data, &["--user", "demo.investigator", "retention", "status", "--json"]);
    let retained = status["retained"].as_array().unwrap().len() as u64;
    let removed = first["twelve_month_rule"].as_u64().unwrap()
        + second["seven_day_rule"].as_u64().unwrap()
        + second["twelve_month_rule"].as_u64().unwrap();
    assert_eq!(removed + retained, 2000, "first {first}, second {second}, {retained} retained");
    let runs: Vec<String> = audit_entries(&data)
        .into_iter()
        .filter(|e| e["action"] == "retention.run")
        .map(|e| e["outcome"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(runs, ["success", "refused", "success"]);
}

/// `anpr search --fuzzy` (cli.md, docs/vrm-search.md): misreads of the VRM by OCR confusions
/// are found, closest first, each with its substitutions and whether it fits a UK layout; one
/// character more or fewer only with --fuzzy-indel; the search is audited as fuzzy.
#[test]
fn fuzzy_search_finds_misreads_and_reports_their_substitutions() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_store(dir.path(), "1");
    let bundle = dir.path().join("misreads");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::write(
        bundle.join("cameras.csv"),
        "camera_id,name,system_type,latitude,longitude,general_area,postcode,road,controller,restricted,lanes,has_imagery\n\
         FZ1,Fuzz Lane,static,52.1,-1.2,Ashbury,,Fuzz Lane,Northshire Constabulary,false,1,false\n",
    )
    .unwrap();
    let reads: Vec<String> =
        [("F1", "AB12 CDE", 1), ("F2", "A812 CDE", 2), ("F3", "AB12 C0E", 3), ("F4", "A8I2 CDE", 4)]
            .iter()
            .chain(&[("F5", "AB12 CD", 5), ("F6", "XY51 ABC", 6)])
            .map(|(id, vrm, days)| format!("{id},{vrm},{},FZ1,,,1,towards,90,,", ago(*days)))
            .collect();
    std::fs::write(
        bundle.join("reads.csv"),
        format!(
            "read_id,vrm,read_time,camera_id,latitude,longitude,lane,direction,confidence,plate_image,overview_image\n{}\n",
            reads.join("\n")
        ),
    )
    .unwrap();
    let (code, summary, err) =
        run(&data, &["--user", "demo.investigator", "import", bundle.to_str().unwrap(), "--json"]);
    assert_eq!((code, &summary["reads_accepted"]), (0, &Value::from(6)), "{err}");

    let search = |extra: &[&str]| {
        let mut args = vec!["--camera", "FZ1"];
        args.extend_from_slice(extra);
        search_pv(&data, "partial plate from a witness", &args)
    };
    let (code, exact, err) = search(&["--vrm", "AB12CDE"]);
    assert_eq!((code, &exact["total"]), (0, &Value::from(1)), "{err}");

    let (code, fuzzy, err) = search(&["--vrm", "ab12 cde", "--fuzzy"]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<(&str, u64, Vec<&str>, bool)> = fuzzy["reads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let subs = r["match"]["substitutions"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
            (r["read_id"].as_str().unwrap(), r["match"]["cost"].as_u64().unwrap(), subs, r["likely_misread"] == true)
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("F1", 0, vec![], false),
            // A digit where the current layout needs a letter: closest; A812CDE fits the prefix
            // layout, AB12C0E no layout at all.
            ("F2", 1, vec!["8->B at 2"], false),
            ("F3", 1, vec!["0->D at 6"], true),
            ("F4", 2, vec!["8->B at 2", "I->1 at 3"], true),
        ],
        "{fuzzy:#}"
    );
    assert_eq!(fuzzy["total"], 4);
    for key in ["read_id", "vrm", "read_time", "camera_id", "general_area", "plate_image_sha256"] {
        assert!(fuzzy["reads"][0].get(key).is_some(), "fuzzy search JSON lacks {key}");
    }
    let (code, indel, err) = search(&["--vrm", "AB12CDE", "--fuzzy", "--fuzzy-indel"]);
    assert_eq!((code, &indel["total"]), (0, &Value::from(5)), "{err}");
    assert_eq!(indel["reads"][4]["read_id"], "F5");
    assert_eq!(indel["reads"][4]["match"]["substitutions"][0], "-E at 7");

    let entry = audit_entries(&data).into_iter().rev().find(|e| e["action"] == "search").unwrap();
    let details: Value = serde_json::from_str(entry["details"].as_str().unwrap()).unwrap();
    assert_eq!(
        (&details["request"]["fuzzy"], &details["request"]["fuzzy_indel"]),
        (&Value::Bool(true), &Value::Bool(true))
    );
    // A fuzzy search needs a full VRM.
    let (code, _, err) = search(&["--vrm", "AB1?CDE", "--fuzzy"]);
    assert_ne!(code, 0);
    assert!(err.contains("full VRM"), "{err}");
}
