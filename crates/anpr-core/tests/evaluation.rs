//! Capture/read evaluation scoring (shared spec evaluation.md; NASPLE 8.7, 8.14.2, 8.14.3,
//! 7.4.7) on real truth.csv and reads.csv files. Every expected number is worked out by hand
//! from the spec, or (Wilson intervals) computed independently outside this code; the
//! assignment is checked against brute force over every one-to-one assignment.
#![allow(clippy::unwrap_used)]

use anpr_core::evaluation::truth::TruthVehicle;
use anpr_core::evaluation::{EvaluationError, EvaluationParams, match_reads, rates, score_files};
use anpr_core::import::rows::ReadRow;
use anpr_core::policy::evaluation::Deployment;
use anpr_core::types::{Direction, EvaluationReport, Verdict};
use chrono::{DateTime, Duration, NaiveDate, SecondsFormat};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const CAMERA: &str = "CAM-1";

/// The video's clock: seconds after 10:00 UTC on 20 November 2026.
fn at(seconds: f64) -> String {
    let start = DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z").unwrap().to_utc();
    (start + Duration::milliseconds((seconds * 1000.0).round() as i64)).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A ground-truth vehicle: number, seconds, lane, VRM as the human wrote it, visible.
struct V(u64, f64, Option<u32>, &'static str, bool);
/// A read: id, VRM as read, seconds on the camera's clock, lane.
struct R(&'static str, &'static str, f64, Option<u32>);

fn truth_csv(vehicles: &[V]) -> String {
    let mut csv = String::from("vehicle,time,lane,vrm,visible\n");
    for V(n, s, lane, vrm, visible) in vehicles {
        let lane = lane.map(|l| l.to_string()).unwrap_or_default();
        csv.push_str(&format!("{n},{},{lane},{vrm},{visible}\n", at(*s)));
    }
    csv
}

fn reads_csv(reads: &[R]) -> String {
    reads_csv_of(reads.iter().map(|r| (r, CAMERA)))
}

fn reads_csv_of<'a>(reads: impl Iterator<Item = (&'a R, &'a str)>) -> String {
    let mut csv = String::from("read_id,vrm,read_time,camera_id,lane\n");
    for (R(id, vrm, s, lane), camera) in reads {
        let lane = lane.map(|l| l.to_string()).unwrap_or_default();
        csv.push_str(&format!("{id},{vrm},{},{camera},{lane}\n", at(*s)));
    }
    csv
}

fn params(deployment: Deployment) -> EvaluationParams {
    EvaluationParams { camera_id: CAMERA.into(), deployment, offset_s: 0.0, window_s: 2.0, evaluated_on: None }
}

fn score_with(truth: &str, reads: &str, params: &EvaluationParams) -> Result<EvaluationReport, EvaluationError> {
    let dir = tempfile::tempdir().unwrap();
    let (t, r) = (dir.path().join("truth.csv"), dir.path().join("reads.csv"));
    std::fs::write(&t, truth).unwrap();
    std::fs::write(&r, reads).unwrap();
    score_files(&t, &r, params)
}

fn score(vehicles: &[V], reads: &[R]) -> EvaluationReport {
    score_with(&truth_csv(vehicles), &reads_csv(reads), &params(Deployment::Static)).unwrap()
}

#[test]
fn window_edges_are_inclusive() {
    let report = score(
        &[V(1, 0.0, None, "AB12CDE", true), V(2, 100.0, None, "CD34EFG", true), V(3, 200.0, None, "EF56GHJ", true)],
        &[R("r1", "AB12CDE", 2.0, None), R("r2", "CD34EFG", 102.001, None), R("r3", "EF56GHJ", 198.0, None)],
    );
    assert_eq!((report.visible, report.captured, report.correct), (3, 2, 2));
    assert_eq!(report.missed, [2]);
    assert_eq!(report.unmatched_reads, 1);
    assert_eq!(report.unmatched[0].read_id, "r2");
    assert_eq!(report.unmatched[0].read_time, at(102.001));
    assert_eq!(report.unmatched[0].vrm, "CD34EFG");
}

#[test]
fn lanes_must_agree_where_both_give_one() {
    let report = score(
        &[
            V(1, 0.0, Some(1), "AB12CDE", true),
            V(2, 50.0, Some(2), "CD34EFG", true),
            V(3, 100.0, None, "EF56GHJ", true),
        ],
        // r1 is in lane 2 while the vehicle was in lane 1; r2 gives no lane; r3 any lane.
        &[R("r1", "AB12CDE", 0.1, Some(2)), R("r2", "CD34EFG", 50.1, None), R("r3", "EF56GHJ", 100.1, Some(3))],
    );
    assert_eq!(report.missed, [1]);
    assert_eq!(report.captured, 2);
    assert_eq!(report.unmatched.iter().map(|r| r.read_id.as_str()).collect::<Vec<_>>(), ["r1"]);
    assert_eq!(report.unmatched[0].lane, Some(2));
    let lanes: Vec<(u32, u64, u64)> = report.lanes.iter().map(|l| (l.lane, l.visible, l.captured)).collect();
    // A vehicle without a lane is counted in lane 1.
    assert_eq!(lanes, [(1, 2, 1), (2, 1, 1)]);
}

#[test]
fn a_not_read_capture_is_a_capture_but_not_correct() {
    let report = score(
        &[V(1, 0.0, None, "AB12CDE", true), V(2, 10.0, None, "CD34EFG", true), V(3, 20.0, None, "EF56GHJ", true)],
        &[R("r1", "", 0.0, None), R("r2", "-", 10.0, None), R("r3", "EF56GHJ", 20.0, None)],
    );
    assert_eq!((report.captured, report.correct), (3, 1));
    assert_eq!(report.not_read, [1, 2]);
    assert!(report.misreads.is_empty());
    assert_eq!(report.capture_rate, Some(1.0));
    assert_eq!(report.read_rate, Some(0.3333));
}

#[test]
fn invisible_vehicles_are_reported_but_excluded() {
    let report = score(
        &[V(1, 0.0, None, "AB12CDE", true), V(2, 10.0, None, "", false), V(3, 20.0, None, "EF56GHJ", false)],
        &[R("r1", "AB12CDE", 0.0, None)],
    );
    assert_eq!((report.vehicles, report.visible, report.captured, report.correct), (3, 1, 1, 1));
    assert_eq!(report.invisible, [2, 3]);
    assert!(report.missed.is_empty(), "an invisible vehicle is not missed");
    assert_eq!(report.capture_rate, Some(1.0));
    assert_eq!(report.lanes[0].vehicles, 3);
    assert_eq!(report.lanes[0].visible, 1);
}

#[test]
fn further_reads_of_a_matched_vehicle_are_duplicates() {
    let report = score(
        &[V(1, 0.0, None, "AB12CDE", true), V(2, 30.0, None, "CD34EFG", true)],
        &[
            R("r1", "AB12CDE", 0.2, None),
            R("r1b", "AB12CDE", 1.1, None),
            R("r1c", "AB12C0E", -1.5, None),
            R("r2", "CD34EFG", 30.0, None),
            R("far", "ZZ99ZZZ", 60.0, None),
        ],
    );
    assert_eq!((report.captured, report.correct), (2, 2), "the exact, nearest read is the one matched");
    assert_eq!(report.duplicates, 2);
    let duplicates: Vec<(&str, Option<u64>)> =
        report.duplicate_reads.iter().map(|r| (r.read_id.as_str(), r.vehicle)).collect();
    assert_eq!(duplicates, [("r1b", Some(1)), ("r1c", Some(1))]);
    assert_eq!(report.unmatched_reads, 1);
    assert_eq!((report.unmatched[0].read_id.as_str(), report.unmatched[0].vrm.as_str()), ("far", "ZZ99ZZZ"));
    assert!(report.misreads.is_empty(), "a duplicate's VRM does not make a misread");
}

#[test]
fn only_the_evaluated_cameras_reads_count() {
    let vehicles = [V(1, 0.0, None, "AB12CDE", true), V(2, 10.0, None, "CD34EFG", true)];
    let reads = [R("a", "AB12CDE", 0.0, None), R("b", "CD34EFG", 10.0, None), R("c", "XX11XXX", 40.0, None)];
    let csv = reads_csv_of(reads.iter().zip([CAMERA, "OTHER", "OTHER"]));
    let report = score_with(&truth_csv(&vehicles), &csv, &params(Deployment::Static)).unwrap();
    assert_eq!((report.reads, report.captured, report.unmatched_reads), (1, 1, 0));
    assert_eq!(report.missed, [2]);
}

#[test]
fn the_clock_offset_is_taken_off_read_times() {
    let vehicles = [V(1, 0.0, None, "AB12CDE", true), V(2, 10.0, None, "CD34EFG", true)];
    // The camera's clock is 30.5 s ahead of the video's.
    let reads = [R("r1", "AB12CDE", 30.5, None), R("r2", "CD34EFG", 40.5, None)];
    let (truth, log) = (truth_csv(&vehicles), reads_csv(&reads));
    let without = score_with(&truth, &log, &params(Deployment::Static)).unwrap();
    assert_eq!((without.captured, without.unmatched_reads), (0, 2));
    let with = score_with(&truth, &log, &EvaluationParams { offset_s: 30.5, ..params(Deployment::Static) }).unwrap();
    assert_eq!((with.captured, with.correct, with.unmatched_reads), (2, 2, 0));
    assert_eq!(with.offset_s, 30.5);
    // Behind by 29 s: a negative offset.
    let behind = [R("r1", "AB12CDE", -29.0, None), R("r2", "CD34EFG", -19.0, None)];
    let report =
        score_with(&truth, &reads_csv(&behind), &EvaluationParams { offset_s: -29.0, ..params(Deployment::Static) })
            .unwrap();
    assert_eq!(report.captured, 2);
}

#[test]
fn the_assignment_beats_greedy_nearest_time() {
    // Greedy by nearest time gives r1 to vehicle 1 (1.0 s), leaving vehicle 2 nothing and r2
    // a duplicate: one capture. The optimal assignment captures both (1.5 s each).
    let report = score(
        &[V(1, 0.0, None, "AB12CDE", true), V(2, 2.5, None, "CD34EFG", true)],
        &[R("r1", "CD34EFG", 1.0, None), R("r2", "AB12CDE", -1.5, None)],
    );
    assert_eq!((report.captured, report.correct, report.duplicates, report.unmatched_reads), (2, 2, 0, 0));
    assert!(report.missed.is_empty());
}

#[test]
fn exact_agreements_outrank_time() {
    // Nearest in time pairs each vehicle with the other's plate (0.2 s each, no agreement);
    // two exact agreements come first (0.8 s each).
    let report = score(
        &[V(1, 0.0, None, "AB12CDE", true), V(2, 1.0, None, "CD34EFG", true)],
        &[R("r1", "CD34EFG", 0.2, None), R("r2", "AB12CDE", 0.8, None)],
    );
    assert_eq!((report.captured, report.correct), (2, 2));
    assert!(report.misreads.is_empty());
}

#[test]
fn vrms_agree_after_normalisation() {
    let report = score(
        &[V(1, 0.0, None, "ab12 cde", true), V(2, 10.0, None, "CD34 EFG", true)],
        &[R("r1", "AB12CDE", 0.0, None), R("r2", "cd 34efg", 10.0, None)],
    );
    assert_eq!(report.correct, 2);
}

#[test]
fn misreads_list_both_vrms_and_their_confusions() {
    let report = score(
        &[
            V(1, 0.0, None, "AB12CDE", true),
            V(2, 10.0, None, "OB12CDE", true),
            V(3, 20.0, None, "AB12CDO", true),
            V(4, 30.0, None, "AB12CDE", true),
        ],
        &[
            R("r1", "AB12C0E", 0.0, None),
            R("r2", "0B12CDE", 10.0, None),
            R("r3", "AB12CD0", 20.0, None),
            R("r4", "AB12CE", 30.0, None),
        ],
    );
    assert_eq!(report.correct, 0);
    let misread = &report.misreads[0];
    assert_eq!((misread.vehicle, misread.truth.as_str(), misread.read.as_str()), (1, "AB12CDE", "AB12C0E"));
    assert_eq!(misread.confusions, ["D->0"]);
    assert_eq!(report.misreads[3].confusions, ["D->"]);
    let counts: Vec<(&str, u64)> = report.confusion_counts.iter().map(|c| (c.confusion.as_str(), c.count)).collect();
    assert_eq!(counts, [("O->0", 2), ("D->", 1), ("D->0", 1)]);
}

#[test]
fn wilson_intervals_match_independent_values() {
    // Computed with Python's statistics.NormalDist (z = inv_cdf(0.975)) and the Wilson formula,
    // outside this code base.
    let cases = [
        (251, 255, 0.9603686336426978, 0.9938834445419757),
        (240, 251, 0.923242415595114, 0.9753554854674595),
        (245, 250, 0.9540443568684314, 0.9914276756159417),
        (9, 10, 0.5958499732047616, 0.982123786904927),
        (10, 10, 0.7224672001371109, 1.0),
        (1, 2, 0.09453120573423074, 0.9054687942657693),
    ];
    for (hits, total, lo, hi) in cases {
        let [l, h] = rates::wilson(hits, total).unwrap();
        assert!((l - lo).abs() < 1e-12 && (h - hi).abs() < 1e-12, "{hits}/{total}: {l} {h}");
    }
    let [l, h] = rates::wilson(0, 10).unwrap();
    assert!(l.abs() < 1e-12 && (h - 0.27753279986288915).abs() < 1e-12);
}

/// `n` visible vehicles in `lane`, `spacing` seconds apart from `start`; the first `captured`
/// read, of which the first `correct` correctly.
fn traffic(lane: u32, n: u64, start: f64, spacing: f64, captured: u64, correct: u64) -> (String, String) {
    let (mut truth, mut reads) = (String::new(), String::new());
    for i in 0..n {
        let time = at(start + i as f64 * spacing);
        let vrm = format!("L{lane}V{i:04}");
        truth.push_str(&format!("{},{time},{lane},{vrm},true\n", lane as u64 * 100_000 + i + 1));
        if i < captured {
            let read = if i < correct { vrm } else { format!("L{lane}X{i:04}") };
            reads.push_str(&format!("L{lane}-{i},{read},{time},{CAMERA},{lane}\n"));
        }
    }
    (truth, reads)
}

fn score_traffic(lanes: &[(String, String)], deployment: Deployment) -> EvaluationReport {
    let truth = format!("vehicle,time,lane,vrm,visible\n{}", lanes.iter().map(|l| l.0.as_str()).collect::<String>());
    let reads =
        format!("read_id,vrm,read_time,camera_id,lane\n{}", lanes.iter().map(|l| l.1.as_str()).collect::<String>());
    score_with(&truth, &reads, &params(deployment)).unwrap()
}

#[test]
fn a_good_evaluation_passes_with_no_remediation() {
    // 260 visible over 2590 s; 255 captured (98.08% >= 98%), all read correctly.
    let report = score_traffic(&[traffic(1, 260, 0.0, 10.0, 255, 255)], Deployment::Static);
    assert_eq!((report.visible, report.captured, report.correct), (260, 255, 255));
    assert_eq!(report.capture_rate, Some(0.9808));
    assert_eq!(
        (report.capture_verdict, report.read_verdict, report.verdict),
        (Verdict::Pass, Verdict::Pass, Verdict::Pass)
    );
    assert_eq!(report.capture_standard, 0.98);
    assert_eq!(report.capture_clause, "8.7.1");
    assert!(!report.capture_lower_bound_clears, "the lower bound of 255/260 is below 98%");
    assert_eq!(report.remediation_due, None);
    assert_eq!(report.missed.len(), 5);
}

#[test]
fn exactly_the_standard_passes_and_just_under_fails() {
    // 250 visible, 245 captured = 98% exactly: pass. 244 = 97.6%: fail.
    let pass = score_traffic(&[traffic(1, 250, 0.0, 10.0, 245, 245)], Deployment::Static);
    assert_eq!(pass.capture_verdict, Verdict::Pass);
    let fail = score_traffic(&[traffic(1, 250, 0.0, 10.0, 244, 244)], Deployment::Static);
    assert_eq!(fail.capture_verdict, Verdict::Fail);
}

#[test]
fn a_failing_evaluation_is_due_for_remediation_in_30_days() {
    // 260 visible, 250 captured (96.15%) fails 98%; 240 of 250 correct (96%) passes 95%.
    let report = score_traffic(&[traffic(1, 260, 0.0, 10.0, 250, 240)], Deployment::Static);
    assert_eq!(
        (report.capture_verdict, report.read_verdict, report.verdict),
        (Verdict::Fail, Verdict::Pass, Verdict::Fail)
    );
    assert_eq!(report.read_rate, Some(0.96));
    assert_eq!(report.misreads.len(), 10);
    // The evaluation date defaults to the (UK) day of the last vehicle: 20 November 2026.
    assert_eq!(report.evaluated_on, "2026-11-20");
    assert_eq!(report.remediation_due.as_deref(), Some("2026-12-20"));
    // A read failure alone fails too: 237 of 250 = 94.8%.
    let report = score_traffic(&[traffic(1, 255, 0.0, 10.0, 250, 237)], Deployment::Static);
    assert_eq!(
        (report.capture_verdict, report.read_verdict, report.verdict),
        (Verdict::Pass, Verdict::Fail, Verdict::Fail)
    );
}

#[test]
fn the_evaluation_date_can_be_given() {
    let (truth, reads) = traffic(1, 10, 0.0, 10.0, 1, 1);
    let p = EvaluationParams {
        evaluated_on: Some(NaiveDate::from_ymd_opt(2027, 2, 10).unwrap()),
        ..params(Deployment::Static)
    };
    let report = score_with(
        &format!("vehicle,time,lane,vrm,visible\n{truth}"),
        &format!("read_id,vrm,read_time,camera_id,lane\n{reads}"),
        &p,
    )
    .unwrap();
    // Ten vehicles over 90 s: too few for either rule, so no verdict and nothing due.
    assert_eq!(report.verdict, Verdict::InsufficientSample);
    assert_eq!(report.evaluated_on, "2027-02-10");
    assert_eq!(report.remediation_due, None);
}

#[test]
fn too_few_vehicles_in_under_two_hours_is_an_insufficient_sample() {
    // 249 visible over 41 minutes, all captured and read.
    let report = score_traffic(&[traffic(1, 249, 0.0, 10.0, 249, 249)], Deployment::Static);
    assert_eq!(report.lanes[0].verdict, Verdict::InsufficientSample);
    assert_eq!(report.capture_verdict, Verdict::InsufficientSample);
    assert_eq!(report.read_verdict, Verdict::InsufficientSample, "249 captured < 250 (8.14.3)");
    assert_eq!(report.verdict, Verdict::InsufficientSample);
}

#[test]
fn two_hours_is_a_sufficient_capture_sample_with_fewer_vehicles() {
    // 101 vehicles 72 s apart: exactly 2 hours first to last. 97 captured = 96.04%: a failure.
    let report = score_traffic(&[traffic(1, 101, 0.0, 72.0, 97, 97)], Deployment::Static);
    assert_eq!(report.period_hours, 2.0);
    assert_eq!(report.capture_verdict, Verdict::Fail);
    assert_eq!(report.read_verdict, Verdict::InsufficientSample);
    assert_eq!(report.verdict, Verdict::Fail, "a failing capture fails even with too few reads");
    // One second short of two hours: no capture verdict.
    let short = score_traffic(&[traffic(1, 101, 0.0, 71.99, 97, 97)], Deployment::Static);
    assert_eq!(short.capture_verdict, Verdict::InsufficientSample);
    // Over two hours and every one captured: the capture passes, the whole is still undecided.
    let pass = score_traffic(&[traffic(1, 101, 0.0, 72.0, 101, 101)], Deployment::Static);
    assert_eq!((pass.capture_verdict, pass.verdict), (Verdict::Pass, Verdict::InsufficientSample));
}

#[test]
fn multi_lane_verdicts_combine_lane_by_lane() {
    let towards = Deployment::MultiLane(Direction::Towards);
    let away = Deployment::MultiLane(Direction::Away);
    // Lane 1: 260 visible, all captured. Lane 2: 100 visible over 16.5 minutes (insufficient).
    let report = score_traffic(&[traffic(1, 260, 0.0, 10.0, 260, 260), traffic(2, 100, 3.0, 10.0, 100, 100)], towards);
    let verdicts: Vec<(u32, Verdict)> = report.lanes.iter().map(|l| (l.lane, l.verdict)).collect();
    assert_eq!(verdicts, [(1, Verdict::Pass), (2, Verdict::InsufficientSample)]);
    assert_eq!(report.capture_verdict, Verdict::InsufficientSample);
    assert_eq!(report.read_verdict, Verdict::Pass, "360 captured, all correct, over all lanes");
    assert_eq!(report.verdict, Verdict::InsufficientSample);
    assert_eq!(report.direction, Some(Direction::Towards));

    // Lane 2 now 260 visible with 240 captured (92.3%): fails towards (98%), passes away (90%).
    let lanes = [traffic(1, 260, 0.0, 10.0, 260, 260), traffic(2, 260, 3.0, 10.0, 240, 240)];
    let report = score_traffic(&lanes, towards);
    let verdicts: Vec<Verdict> = report.lanes.iter().map(|l| l.verdict).collect();
    assert_eq!(verdicts, [Verdict::Pass, Verdict::Fail]);
    assert_eq!((report.capture_verdict, report.verdict), (Verdict::Fail, Verdict::Fail));
    assert_eq!(report.lanes[1].capture_rate, Some(0.9231));
    let report = score_traffic(&lanes, away);
    assert_eq!((report.capture_verdict, report.verdict), (Verdict::Pass, Verdict::Pass));
    assert_eq!((report.capture_standard, report.capture_clause.as_str()), (0.9, "8.7.3"));

    // A failing lane outweighs an insufficient one.
    let lanes = [traffic(1, 260, 0.0, 10.0, 240, 240), traffic(2, 10, 3.0, 10.0, 10, 10)];
    let report = score_traffic(&lanes, towards);
    assert_eq!((report.capture_verdict, report.verdict), (Verdict::Fail, Verdict::Fail));
}

#[test]
fn the_report_has_the_json_shape_of_the_spec() {
    let report = score_traffic(&[traffic(1, 260, 0.0, 10.0, 250, 240)], Deployment::Static);
    let json = serde_json::to_value(&report).unwrap();
    for field in [
        "camera_id",
        "system_type",
        "window_s",
        "offset_s",
        "vehicles",
        "visible",
        "captured",
        "correct",
        "capture_rate",
        "capture_ci",
        "read_rate",
        "read_ci",
        "capture_standard",
        "read_standard",
        "capture_verdict",
        "read_verdict",
        "verdict",
        "duplicates",
        "unmatched_reads",
        "lanes",
        "misreads",
        "missed",
        "remediation_due",
    ] {
        assert!(json.get(field).is_some(), "{field} missing");
    }
    assert_eq!(json["system_type"], "static");
    assert_eq!(json["verdict"], "fail");
    // 250/260: Wilson [0.930661, 0.978977] computed independently, rounded to 4 places.
    assert_eq!(json["capture_ci"], serde_json::json!([0.9307, 0.979]));
    let lane = &json["lanes"][0];
    for field in ["lane", "visible", "captured", "correct", "capture_rate", "read_rate", "verdict"] {
        assert!(lane.get(field).is_some(), "lanes[].{field} missing");
    }
    let misread = &json["misreads"][0];
    assert_eq!(misread["vehicle"], 100_241);
    assert_eq!(misread["confusions"], serde_json::json!(["V->X"]));
}

#[test]
fn bad_truth_rows_are_reported_with_their_line_numbers() {
    let truth = format!(
        "vehicle,time,lane,vrm,visible,condition\n1,{},1,AB12CDE,true,day\n2,yesterday,1,CD34EFG,true,\n3,{},0,EF56GHJ,maybe,\n1,{},1,AB12CDE,true,twilight\n",
        at(0.0),
        at(10.0),
        at(20.0)
    );
    let err = score_with(&truth, &reads_csv(&[]), &params(Deployment::Static)).unwrap_err();
    let (file, problems) = err.problems().unwrap();
    assert!(file.ends_with("truth.csv"));
    let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [3, 4, 5]);
    assert!(problems[0].reason.contains("time"), "{}", problems[0].reason);
    assert!(problems[1].reason.contains("lane"), "{}", problems[1].reason);
    assert!(problems[2].reason.contains("condition"), "{}", problems[2].reason);
    assert!(err.to_string().contains("line 3: time is not an RFC 3339 time"), "{err}");

    let repeated = format!("vehicle,time,vrm,visible\n1,{},A,true\n1,{},B,true\n", at(0.0), at(1.0));
    let err = score_with(&repeated, &reads_csv(&[]), &params(Deployment::Static)).unwrap_err();
    assert!(err.to_string().contains("line 3: vehicle 1 is also on line 2"), "{err}");

    let err = score_with("vehicle,time,lane\n", &reads_csv(&[]), &params(Deployment::Static)).unwrap_err();
    assert!(matches!(&err, EvaluationError::MissingColumns { columns, .. } if columns == &["vrm", "visible"]), "{err}");
    let err = score_with("vehicle,time,vrm,visible\n", &reads_csv(&[]), &params(Deployment::Static)).unwrap_err();
    assert!(matches!(err, EvaluationError::NoVehicles { .. }), "{err}");
}

#[test]
fn bad_read_rows_are_reported_with_their_line_numbers() {
    let reads = format!("read_id,vrm,read_time,camera_id\nr1,AB12CDE,{},{CAMERA}\nr2,CD34EFG,noon,{CAMERA}\n", at(0.0));
    let err =
        score_with(&truth_csv(&[V(1, 0.0, None, "AB12CDE", true)]), &reads, &params(Deployment::Static)).unwrap_err();
    let (file, problems) = err.problems().unwrap();
    assert!(file.ends_with("reads.csv"));
    assert_eq!(problems[0].line, 3);
    assert!(problems[0].reason.contains("read_time"));
}

#[test]
fn windows_and_offsets_out_of_range_are_refused() {
    let truth = truth_csv(&[V(1, 0.0, None, "AB12CDE", true)]);
    for p in [
        EvaluationParams { window_s: -1.0, ..params(Deployment::Static) },
        EvaluationParams { window_s: f64::NAN, ..params(Deployment::Static) },
        EvaluationParams { offset_s: 1e12, ..params(Deployment::Static) },
    ] {
        assert!(matches!(score_with(&truth, &reads_csv(&[]), &p), Err(EvaluationError::Parameter(_))));
    }
}

// ---- the assignment against brute force ----

fn vehicle(n: u64, ms: i64, lane: Option<u32>, vrm: Option<&str>) -> TruthVehicle {
    TruthVehicle { vehicle: n, time_ms: ms, lane, vrm: vrm.map(str::to_owned), visible: true, condition: None }
}

fn read(id: usize, ms: i64, lane: Option<i64>, vrm: Option<&str>) -> ReadRow {
    ReadRow {
        read_id: format!("r{id}"),
        vrm_as_read: vrm.unwrap_or_default().to_owned(),
        vrm: vrm.map(str::to_owned),
        read_time_ms: ms,
        camera_id: CAMERA.into(),
        latitude: None,
        longitude: None,
        lane,
        direction: None,
        confidence: None,
        plate_image: None,
        overview_image: None,
    }
}

/// The spec's rule written again, plainly: `|dt|` when the read may match the vehicle.
fn may_match(v: &TruthVehicle, r: &ReadRow, window: i64, offset: i64) -> Option<i64> {
    let dt = (r.read_time_ms - offset - v.time_ms).abs();
    let lanes = match (v.lane, r.lane) {
        (Some(a), Some(b)) => i64::from(a) == b,
        _ => true,
    };
    (dt <= window && lanes).then_some(dt)
}

/// (matched, exact, -total dt): larger is better.
type Score = (usize, usize, i64);

fn brute_force(truth: &[TruthVehicle], reads: &[ReadRow], window: i64, offset: i64) -> Score {
    fn go(i: usize, used: &mut Vec<bool>, t: &[TruthVehicle], r: &[ReadRow], w: i64, o: i64, acc: Score) -> Score {
        if i == t.len() {
            return acc;
        }
        let mut best = go(i + 1, used, t, r, w, o, acc);
        for j in 0..r.len() {
            if used[j] {
                continue;
            }
            if let Some(dt) = may_match(&t[i], &r[j], w, o) {
                used[j] = true;
                let exact = usize::from(t[i].vrm.is_some() && t[i].vrm == r[j].vrm);
                best = best.max(go(i + 1, used, t, r, w, o, (acc.0 + 1, acc.1 + exact, acc.2 - dt)));
                used[j] = false;
            }
        }
        best
    }
    go(0, &mut vec![false; reads.len()], truth, reads, window, offset, (0, 0, 0))
}

#[test]
fn the_assignment_is_optimal_against_brute_force() {
    let mut rng = ChaCha8Rng::seed_from_u64(8_14);
    let plates = [None, Some("AAA"), Some("BBB"), Some("CCC")];
    let lanes = [None, Some(1), Some(2)];
    for case in 0..1500 {
        let window = [0, 500, 1000, 2000][rng.random_range(0..4)];
        let offset = [0, 700, -300][rng.random_range(0..3)];
        let truth: Vec<TruthVehicle> = (0..rng.random_range(0..=6))
            .map(|n| {
                let ms = rng.random_range(0..40) * 100;
                vehicle(n + 1, ms, lanes[rng.random_range(0..3)].map(|l| l as u32), plates[rng.random_range(0..4)])
            })
            .collect();
        let reads: Vec<ReadRow> = (0..rng.random_range(0..=6))
            .map(|i| {
                let ms = rng.random_range(0..40) * 100 + offset + [0, 0, 50][rng.random_range(0..3)];
                read(i, ms, lanes[rng.random_range(0..3)], plates[rng.random_range(0..4)])
            })
            .collect();
        let matching = match_reads(&truth, &reads, window, offset);

        let mut used = vec![false; reads.len()];
        let mut got: Score = (0, 0, 0);
        let mut matched_vehicle = vec![false; truth.len()];
        for &(v, r) in &matching.pairs {
            assert!(!used[r] && !matched_vehicle[v], "case {case}: not one-to-one");
            (used[r], matched_vehicle[v]) = (true, true);
            let dt = may_match(&truth[v], &reads[r], window, offset).expect("pair outside the rules");
            got = (got.0 + 1, got.1 + usize::from(truth[v].vrm.is_some() && truth[v].vrm == reads[r].vrm), got.2 - dt);
        }
        assert_eq!(got, brute_force(&truth, &reads, window, offset), "case {case}");

        // Every other read is a duplicate of a matched vehicle in its window, or in none.
        let mut others: Vec<usize> =
            matching.duplicates.iter().map(|d| d.0).chain(matching.unmatched.clone()).collect();
        others.sort_unstable();
        assert_eq!(others, (0..reads.len()).filter(|r| !used[*r]).collect::<Vec<_>>(), "case {case}");
        for &(r, v) in &matching.duplicates {
            assert!(matched_vehicle[v] && may_match(&truth[v], &reads[r], window, offset).is_some(), "case {case}");
        }
        for &r in &matching.unmatched {
            assert!(truth.iter().all(|v| may_match(v, &reads[r], window, offset).is_none()), "case {case}");
        }
    }
}

#[test]
fn a_busy_evaluation_scores_quickly() {
    // Four vehicles a second in one lane for an hour with a wide window: one long chain of
    // overlapping windows, which a dense assignment over everything could not afford.
    let truth: Vec<TruthVehicle> = (0..14_400).map(|i| vehicle(i + 1, i as i64 * 250, None, Some("AAA"))).collect();
    let reads: Vec<ReadRow> =
        (0..14_400).filter(|i| i % 50 != 0).map(|i| read(i, i as i64 * 250 + 120, None, Some("AAA"))).collect();
    let started = std::time::Instant::now();
    let matching = match_reads(&truth, &reads, 2000, 0);
    assert_eq!(matching.pairs.len(), reads.len());
    assert!(started.elapsed().as_secs() < 20, "took {:?}", started.elapsed());
}
