//! The evaluation log (NASPLE 8.14.6) on a real store with the demo kit's real video, truth and
//! read log: marks saved as they are made survive reopening the store, the clock offset is
//! recovered from the marks and reads alone, a stored evaluation scores exactly as
//! `score_files` does, a failure's 30 days (7.4.7) run out on a test clock, the overview says
//! what each camera has due, and only the Evaluate privilege may do any of it.
#![allow(clippy::unwrap_used)]

mod common;

use anpr_core::Error;
use anpr_core::Session;
use anpr_core::demo::{EvalKitOptions, EvalKitSummary, write_eval_kit};
use anpr_core::evaluation::charts::{self, ChartKind};
use anpr_core::evaluation::{EvaluationParams, parse_truth, score_files};
use anpr_core::policy::evaluation::Deployment;
use anpr_core::types::{
    BandShape, Condition, EvaluationMark, EvaluationReason, LaneBand, MarkInput, NewEvaluation, PassParams,
    RestrictionChange, SystemType, Verdict,
};
use anpr_core::video::{Video, propose_passes};
use chrono::{Duration, NaiveDate};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One kit for the whole file (making it encodes a few thousand frames), in cargo's scratch
/// folder for integration tests, remade on each run.
fn kit() -> (&'static Path, &'static EvalKitSummary) {
    static KIT: OnceLock<(PathBuf, EvalKitSummary)> = OnceLock::new();
    let (dir, summary) = KIT.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("evaluation_log-kit");
        if out.exists() {
            std::fs::remove_dir_all(&out).unwrap();
        }
        let summary = write_eval_kit(&out, &EvalKitOptions::new(1, common::now()), &mut |_| {}).unwrap();
        (out, summary)
    });
    (dir, summary)
}

fn new_evaluation(camera_id: &str, condition: Condition, on: &str, reaction_ms: u32) -> NewEvaluation {
    NewEvaluation {
        camera_id: camera_id.into(),
        system_type: SystemType::Static,
        direction: None,
        moving: false,
        lanes: 1,
        condition,
        evaluated_on: on.into(),
        engineer: "A. Engineer".into(),
        reason: EvaluationReason::Installation,
        covert_exemption: None,
        notes: String::new(),
        video_path: kit().0.join("video.mp4").display().to_string(),
        clock_start: None,
        reaction_ms,
    }
}

/// An evaluation of the kit's camera with every truth.csv vehicle marked and the kit's read log.
async fn marked(session: &Session, condition: Condition, on: &str) -> i64 {
    let (dir, summary) = kit();
    let created = session.create_evaluation(&new_evaluation(&summary.camera_id, condition, on, 0)).await.unwrap();
    let truth = parse_truth(&std::fs::read(dir.join("truth.csv")).unwrap(), "truth.csv").unwrap();
    let start = summary.clock_start.timestamp_millis();
    for v in &truth {
        let mark = MarkInput {
            lane: v.lane.unwrap_or(1),
            video_ms: v.time_ms - start,
            live: false,
            vrm: v.vrm.clone().unwrap_or_default(),
            visible: v.visible,
            condition: v.condition,
        };
        session.add_mark(created.id, &mark).await.unwrap();
    }
    session.import_read_log(created.id, &dir.join("reads.csv")).await.unwrap();
    created.id
}

#[tokio::test]
async fn marks_autosave_the_offset_is_found_and_scoring_equals_score_files() {
    let (dir, kit) = kit();
    let store = common::store().await;
    let engineer = store.login("demo.engineer").await;
    let id = marked(&engineer, Condition::Day, "2026-11-19").await;

    // Autosave: every mark is in the store without any "save"; reopening finds them all.
    let before = engineer.evaluation(id).await.unwrap();
    assert_eq!(before.summary.clock_source, "file");
    assert_eq!(before.summary.clock_start, kit.clock_start.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    assert_eq!(before.marks.len(), kit.vehicles);
    let data = store.ws.data_dir().to_owned();
    store.ws.clone().close().await;
    let reopened = common::reopen(&data, store.clock.clone()).await;
    let engineer = reopened.login("demo.engineer", anpr_core::setup::DEMO_PASSWORD).await.unwrap();
    let after = engineer.evaluation(id).await.unwrap();
    assert_eq!(after.marks, before.marks);
    assert_eq!(after.summary.reads as usize, kit.reads);

    // The offset that matches most vehicles is the kit's, within one frame (10 fps).
    let started = std::time::Instant::now();
    let estimate = engineer.estimate_offset(id, None).await.unwrap();
    eprintln!(
        "offset estimate {estimate:?} in {:.2} s; kit's {} s",
        started.elapsed().as_secs_f64(),
        kit.camera_clock_offset_s
    );
    assert!(
        (estimate.offset_s - kit.camera_clock_offset_s).abs() <= 0.1,
        "{estimate:?} vs {}",
        kit.camera_clock_offset_s
    );
    assert!(estimate.matched > estimate.matched_now, "offset 0 should match fewer: {estimate:?}");
    engineer.set_evaluation_offset(id, estimate.offset_s).await.unwrap();

    // Scoring the stored evaluation is scoring the files.
    let report = engineer.score_evaluation(id).await.unwrap();
    let params = EvaluationParams {
        camera_id: kit.camera_id.clone(),
        deployment: Deployment::Static,
        offset_s: estimate.offset_s,
        window_s: 2.0,
        evaluated_on: Some(NaiveDate::from_ymd_opt(2026, 11, 19).unwrap()),
    };
    let expected = score_files(&dir.join("truth.csv"), &dir.join("reads.csv"), &params).unwrap();
    assert_eq!(report, expected);
    assert_eq!(report.verdict, Verdict::Pass);
    let stored = engineer.evaluation(id).await.unwrap();
    assert_eq!(stored.report.as_ref(), Some(&report));
    assert_eq!(stored.summary.verdict, Some(Verdict::Pass));

    // The screen's charts are the report's (plotters PNGs) for the marks and reads as scored.
    let truth = parse_truth(&std::fs::read(dir.join("truth.csv")).unwrap(), "truth.csv").unwrap();
    let rates = engineer.evaluation_chart(id, ChartKind::Rates).await.unwrap();
    let expected =
        charts::rates_chart(&charts::outcomes(&truth, &report), report.capture_standard, report.read_standard);
    assert_eq!(rates, expected.unwrap().png);
    let confusions = engineer.evaluation_chart(id, ChartKind::Confusions).await.unwrap();
    assert_eq!(confusions, charts::confusions_chart(&report.confusion_counts).unwrap().png);
    assert!(image::load_from_memory(&confusions).is_ok());
}

#[tokio::test]
async fn marks_take_off_the_reaction_time_when_live_and_edit_and_delete() {
    let store = common::store().await;
    let engineer = store.login("demo.engineer").await;
    let id =
        engineer.create_evaluation(&new_evaluation("FIELD-9", Condition::Dusk, "2026-11-19", 400)).await.unwrap().id;
    let summary = engineer.evaluation(id).await.unwrap().summary;
    assert!(!summary.registered, "entered in the field");
    let mark = |video_ms, live, vrm: &str| MarkInput {
        lane: 1,
        video_ms,
        live,
        vrm: vrm.into(),
        visible: true,
        condition: None,
    };
    let marks = engineer.add_mark(id, &mark(5_000, true, "ab12 cde")).await.unwrap();
    assert_eq!((marks[0].video_ms, marks[0].vrm.as_str()), (4_600, "AB12 CDE"));
    let marks = engineer.add_mark(id, &mark(1_000, false, "")).await.unwrap();
    // Renumbered in order of crossing.
    assert_eq!(marks.iter().map(|m| (m.vehicle, m.video_ms)).collect::<Vec<_>>(), [(1, 1_000), (2, 4_600)]);
    let first = marks[0].id;
    // An edit sets the time as given (the engineer placed it on the frame).
    let marks = engineer.update_mark(id, first, &MarkInput { visible: false, ..mark(6_000, true, "") }).await.unwrap();
    assert_eq!(marks.iter().map(|m| (m.video_ms, m.visible)).collect::<Vec<_>>(), [(4_600, true), (6_000, false)]);
    let marks = engineer.delete_mark(id, first).await.unwrap();
    assert_eq!(marks.len(), 1);
    let err = engineer.delete_mark(id, first).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err}");
    // Lane and time are checked against the evaluation.
    assert!(matches!(
        engineer.add_mark(id, &MarkInput { lane: 2, ..mark(1, false, "") }).await,
        Err(Error::Invalid(_))
    ));
    assert!(matches!(engineer.add_mark(id, &mark(10_000_000, false, "")).await, Err(Error::Invalid(_))));
}

#[tokio::test]
async fn a_failure_runs_30_days_then_is_overdue_and_the_overview_says_what_is_due() {
    let (_, kit) = kit();
    let store = common::store().await;
    let engineer = store.login("demo.engineer").await;

    // Scored with the clocks not aligned (offset 0), most reads fall outside the window: fail.
    let day = marked(&engineer, Condition::Day, "2026-11-19").await;
    let failed = engineer.score_evaluation(day).await.unwrap();
    assert_eq!(failed.verdict, Verdict::Fail);
    assert_eq!(failed.remediation_due.as_deref(), Some("2026-12-19"));

    let status = |all: Vec<anpr_core::types::CameraEvaluationStatus>| {
        all.into_iter().find(|c| c.camera_id == kit.camera_id).unwrap()
    };
    let now = status(engineer.evaluation_overview().await.unwrap());
    let remediation = now.remediation.clone().unwrap();
    assert_eq!((remediation.evaluation, remediation.due.as_str(), remediation.overdue), (day, "2026-12-19", false));
    assert!(now.due.iter().any(|d| d.clause == "7.4.7" && !d.overdue));
    assert!(now.due.iter().any(|d| d.clause == "8.14.3" && d.what.contains("night")));
    assert_eq!(
        now.last.iter().map(|l| (l.condition, l.verdict)).collect::<Vec<_>>(),
        [(Condition::Day, Some(Verdict::Fail))]
    );

    // The 30 days run out (test clock: 19 December is the last day).
    store.clock.set(common::now() + Duration::days(29));
    let on_the_day = status(engineer.evaluation_overview().await.unwrap());
    assert!(!on_the_day.remediation.unwrap().overdue);
    store.clock.set(common::now() + Duration::days(30));
    let late = status(engineer.evaluation_overview().await.unwrap());
    assert!(late.remediation.unwrap().overdue);
    let cease = late.due.iter().find(|d| d.clause == "7.4.7").unwrap();
    assert!(cease.overdue && cease.what.contains("feed must cease"), "{cease:?}");

    // A passing night reassessment closes it; the overview shows the last one per condition.
    let night = marked(&engineer, Condition::Night, "2026-12-20").await;
    let estimate = engineer.estimate_offset(night, None).await.unwrap();
    engineer.set_evaluation_offset(night, estimate.offset_s).await.unwrap();
    assert_eq!(engineer.score_evaluation(night).await.unwrap().verdict, Verdict::Pass);
    let fixed = status(engineer.evaluation_overview().await.unwrap());
    assert_eq!(fixed.remediation, None);
    assert_eq!(
        fixed.last.iter().map(|l| (l.condition, l.evaluation, l.verdict)).collect::<Vec<_>>(),
        [(Condition::Day, day, Some(Verdict::Fail)), (Condition::Night, night, Some(Verdict::Pass))]
    );
    let annual = fixed.due.iter().find(|d| d.clause == "8.14.4").unwrap();
    assert_eq!(annual.due.as_deref(), Some("2027-12-20"));
    assert_eq!(fixed.due.len(), 1, "{:?}", fixed.due);

    // The log keeps every evaluation of the camera, newest first (8.14.6).
    let log = engineer.evaluations(Some(&kit.camera_id)).await.unwrap();
    assert_eq!(log.iter().map(|e| e.id).collect::<Vec<_>>(), [night, day]);
}

#[tokio::test]
async fn reads_from_the_store_only_for_the_camera_and_video_period_and_never_restricted_ones() {
    let (_, kit) = kit();
    let store = common::store().await;
    let at = |seconds: i64| (kit.clock_start + Duration::seconds(seconds)).to_rfc3339();
    let bundle = common::Bundle::new(store.dir.path(), "bundle");
    bundle
        .cameras(&[
            &format!("{},Bypass,static,52.1,-1.2,Ashbury,,Bypass,Northshire Constabulary,false,1,false", kit.camera_id),
            "OTHER,Elsewhere,static,52.2,-1.3,Ashbury,,High St,Northshire Constabulary,false,1,false",
        ])
        .reads(&[
            &format!("R1,AB12CDE,{},{},52.1,-1.2,1,,,,", at(10), kit.camera_id),
            &format!("R2,-,{},{},52.1,-1.2,1,,,,", at(-600), kit.camera_id),
            // Before the margin: not this evaluation's.
            &format!("R3,XY12ZZZ,{},{},52.1,-1.2,1,,,,", at(-3600), kit.camera_id),
            &format!("R4,AB12CDE,{},OTHER,52.2,-1.3,1,,,,", at(10)),
        ]);
    let summary = store.import(&bundle.dir).await.unwrap();
    assert_eq!(summary.reads_accepted, 4, "{summary:?}");

    let engineer = store.login("demo.engineer").await;
    let id =
        engineer.create_evaluation(&new_evaluation(&kit.camera_id, Condition::Day, "2026-11-19", 0)).await.unwrap().id;
    let taken = engineer.read_log_from_store(id, None, None).await.unwrap();
    assert!(taken.registered);
    assert_eq!(taken.reads, 2, "R1 and R2 only");
    assert!(taken.read_log_source.unwrap().starts_with("store "));

    let wide = engineer.read_log_from_store(id, Some(kit.clock_start - Duration::hours(2)), None).await.unwrap_err();
    let Error::Refused(refusal) = wide else { panic!("{wide}") };
    assert_eq!(refusal.clause, "9.3.3");

    let admin = store.login("demo.admin").await;
    let change = RestrictionChange {
        camera_id: kit.camera_id.clone(),
        username: None,
        authorised_by: "Supt Example".into(),
        reference: "RA-1".into(),
    };
    admin.set_camera_restricted(&change, true).await.unwrap();
    let hidden = engineer.read_log_from_store(id, None, None).await.unwrap_err();
    let Error::Refused(refusal) = hidden else { panic!("{hidden}") };
    assert_eq!(refusal.clause, "8.8");
}

#[tokio::test]
async fn only_the_evaluate_privilege_may_and_refusals_are_audited_9_3_6_2() {
    let (_, kit) = kit();
    let store = common::store().await;
    let engineer = store.login("demo.engineer").await;
    let id =
        engineer.create_evaluation(&new_evaluation(&kit.camera_id, Condition::Day, "2026-11-19", 0)).await.unwrap().id;
    let investigator = store.login("demo.investigator").await;
    let refusals = [
        investigator.create_evaluation(&new_evaluation(&kit.camera_id, Condition::Day, "2026-11-19", 0)).await.err(),
        investigator.evaluations(None).await.err(),
        investigator.evaluation(id).await.err(),
        investigator
            .add_mark(
                id,
                &MarkInput { lane: 1, video_ms: 0, live: false, vrm: String::new(), visible: true, condition: None },
            )
            .await
            .err(),
        investigator.score_evaluation(id).await.err(),
        investigator.evaluation_overview().await.err(),
        investigator.open_evaluation_video(id).await.err(),
        investigator.evaluation_chart(id, ChartKind::Rates).await.err(),
    ];
    for refusal in refusals {
        let Some(Error::Refused(r)) = refusal else { panic!("not refused: {refusal:?}") };
        assert_eq!(r.clause, "9.3.6.2");
        assert!(r.needs.unwrap().contains("engineer"));
    }
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit WHERE user = 'demo.investigator' AND action LIKE 'evaluation.%' AND outcome = 'refused'",
    )
    .fetch_one(store.ws.pool())
    .await
    .unwrap();
    assert_eq!(audited, 8);
    assert_eq!(engineer.evaluation(id).await.unwrap().marks.len(), 0);
}

#[tokio::test]
async fn a_truth_file_imports_as_the_marks_made_by_hand_and_only_once() {
    let (dir, kit) = kit();
    let store = common::store().await;
    let engineer = store.login("demo.engineer").await;
    let by_hand = marked(&engineer, Condition::Day, "2026-11-19").await;
    let new = new_evaluation(&kit.camera_id, Condition::Day, "2026-11-19", 0);
    let imported = engineer.create_evaluation(&new).await.unwrap().id;
    let marks = engineer.import_truth(imported, &dir.join("truth.csv")).await.unwrap();
    let without_ids =
        |marks: Vec<EvaluationMark>| marks.into_iter().map(|m| EvaluationMark { id: 0, ..m }).collect::<Vec<_>>();
    assert_eq!(marks.len(), kit.vehicles);
    assert_eq!(without_ids(marks), without_ids(engineer.evaluation(by_hand).await.unwrap().marks));

    // A second import would count every vehicle twice.
    let again = engineer.import_truth(imported, &dir.join("truth.csv")).await;
    assert!(matches!(&again, Err(Error::Invalid(m)) if m.contains("already has marks")), "{again:?}");
    assert_eq!(engineer.evaluation(imported).await.unwrap().marks.len(), kit.vehicles);
}

/// Assisted marking through the session: the same proposals as the video module gives for the
/// same band, progress to the last frame, audited; a lane the evaluation lacks is refused, and
/// so is anyone without the Evaluate privilege.
#[tokio::test]
async fn passes_are_proposed_over_the_evaluation_video_and_audited() {
    let (dir, kit) = kit();
    let store = common::store().await;
    let engineer = store.login("demo.engineer").await;
    let new = new_evaluation(&kit.camera_id, Condition::Day, "2026-11-19", 0);
    let id = engineer.create_evaluation(&new).await.unwrap().id;
    // The kit's read line (tests/passes.rs measures the detector's recall with it).
    let band =
        LaneBand { lane: 1, shape: BandShape::Line { from: (140.0, 250.0), to: (500.0, 250.0), thickness: 8.0 } };
    let last = std::sync::Arc::new(std::sync::Mutex::new(None));
    let seen = last.clone();
    let passes = engineer
        .propose_evaluation_passes(id, vec![band], PassParams::default(), move |p| *seen.lock().unwrap() = Some(p))
        .await
        .unwrap();
    let mut video = Video::open(&dir.join("video.mp4")).unwrap();
    let expected = propose_passes(&mut video, &[band], &PassParams::default(), &mut |_| {}).unwrap();
    assert_eq!(passes, expected);
    assert!(passes.len() >= kit.vehicles * 9 / 10, "{} passes for {} vehicles", passes.len(), kit.vehicles);
    let last = last.lock().unwrap().unwrap();
    assert_eq!((last.done, last.total), (video.frame_count(), video.frame_count()));
    let audited: String =
        sqlx::query_scalar("SELECT details FROM audit WHERE action = 'evaluation.passes' AND outcome = 'success'")
            .fetch_one(store.ws.pool())
            .await
            .unwrap();
    assert!(audited.contains(&format!("\"proposed\":{}", passes.len())), "{audited}");

    let lane_2 = LaneBand { lane: 2, ..band };
    let wrong = engineer.propose_evaluation_passes(id, vec![lane_2], PassParams::default(), |_| {}).await;
    assert!(matches!(&wrong, Err(Error::Invalid(m)) if m.contains("lane 2")), "{wrong:?}");
    let investigator = store.login("demo.investigator").await;
    let refused = investigator.propose_evaluation_passes(id, vec![band], PassParams::default(), |_| {}).await;
    assert!(matches!(refused, Err(Error::Refused(_))), "{refused:?}");
}
