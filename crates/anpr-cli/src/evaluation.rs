//! `anpr eval score`: scores a capture/read evaluation from two local files (evaluation.md);
//! `anpr eval report` also writes the PDF evaluation report. Both read no store and record
//! nothing, so they need no data directory and no login. `anpr eval log` and
//! `anpr eval overview` read the evaluation log (8.14.6) in the store.

use crate::Cli;
use crate::commands::Cx;
use crate::output::{AlreadyReported, emit};
use anpr_core::evaluation::report::{ReportDetails, ReportError, interval, percent, report_files, verdict_words};
use anpr_core::evaluation::{self, DEFAULT_WINDOW_S, EvaluationError, EvaluationParams};
use anpr_core::policy::evaluation::Deployment;
use anpr_core::types::{CameraEvaluationStatus, Condition, Direction, EvaluationReport, EvaluationSummary, SystemType};
use anpr_core::{Clock, SystemClock};
use chrono::NaiveDate;
use clap::{Args, CommandFactory, Subcommand};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Score a camera's read log against the ground truth from video (NASPLE 8.14): capture
    /// and read rates with 95% Wilson intervals, verdicts against the 8.7 standards. Works on
    /// local files only: no data directory and no --user needed. Exit 0 whatever the verdict;
    /// 1 for a bad file (with line numbers); 2 for a usage error.
    Score(ScoreArgs),
    /// Score as `eval score` does and write the PDF evaluation report (--out): the figures per
    /// lane and overall with their intervals, the sample rules, the verdict, the charts, and
    /// the missed vehicles and misreads (with video frames when --video is given). Exit codes
    /// as `eval score`; 1 also when the report cannot be written.
    Report(ReportArgs),
    /// The evaluation log of a camera (NASPLE 8.14.6): every evaluation recorded, newest first,
    /// with its latest verdict and any remediation date (7.4.7). Needs --user (engineer).
    Log {
        /// The camera (camera_id); all cameras when left out.
        #[arg(long)]
        camera: Option<String>,
    },
    /// Every camera's last evaluation per condition, any failure's remediation (7.4.7; overdue:
    /// the feed must cease) and what is due (8.14.1, 8.14.3, 8.14.4). Needs --user (engineer).
    Overview,
}

impl EvalCommand {
    /// Whether the command reads the store (and so needs a data directory and a login).
    pub fn needs_store(&self) -> bool {
        matches!(self, EvalCommand::Log { .. } | EvalCommand::Overview)
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    score: ScoreArgs,
    /// The PDF to write (replaced if it exists).
    #[arg(long, value_name = "FILE.pdf")]
    out: PathBuf,
    /// The engineer who carried out the evaluation.
    #[arg(long)]
    engineer: String,
    /// Why: installation, re-deployment, annual review, 6-monthly check (free text).
    #[arg(long)]
    reason: String,
    /// day, night, dawn, dusk or overcast; default: the conditions marked in truth.csv.
    #[arg(long)]
    condition: Option<Condition>,
    /// The camera's name or site as the engineer knows it.
    #[arg(long)]
    camera_name: Option<String>,
    /// A covert camera's exemption note (NASPLE 8.14.5).
    #[arg(long)]
    exemption: Option<String>,
    /// The evaluation video (MP4/H.264): a frame at each missed and misread vehicle's truth time.
    #[arg(long)]
    video: Option<PathBuf>,
}

/// `eval report --json`: the scoring (as `eval score --json`) with the PDF written.
#[derive(Debug, Serialize)]
struct ReportSummary<'a> {
    pdf: String,
    pdf_bytes: usize,
    pdf_sha256: String,
    engineer: &'a str,
    reason: &'a str,
    condition: Option<Condition>,
    #[serde(flatten)]
    evaluation: &'a EvaluationReport,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Ground truth: vehicle,time,lane,vrm,visible[,condition] (evaluation.md).
    #[arg(long)]
    truth: PathBuf,
    /// The read log, in the bundle's reads.csv format; only --camera's reads count.
    #[arg(long)]
    reads: PathBuf,
    /// The camera evaluated (camera_id in reads.csv).
    #[arg(long)]
    camera: String,
    /// static, moveable, multi_lane, cctv, mobile or covert (NASPLE 8.7).
    #[arg(long, value_parser = system_type)]
    system_type: SystemType,
    /// Travel relative to the camera; needed for multi_lane (98% towards, 90% away, 8.7.3).
    #[arg(long)]
    direction: Option<Direction>,
    /// A mobile system in a moving vehicle (80% capture standard, 8.7.5).
    #[arg(long)]
    moving: bool,
    /// Camera clock minus video clock, in seconds: a read at t is compared with truth at t - X.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true, value_name = "X")]
    offset_s: f64,
    /// Matching window in seconds (edges included).
    #[arg(long, default_value_t = DEFAULT_WINDOW_S, allow_negative_numbers = true, value_name = "W")]
    window_s: f64,
    /// The date of the evaluation (YYYY-MM-DD), from which 7.4.7's 30 days to remediate run.
    /// Default: the UK date of the last ground-truth vehicle.
    #[arg(long)]
    date: Option<NaiveDate>,
}

/// `multi-lane` is accepted as well as the bundle's `multi_lane`.
fn system_type(text: &str) -> Result<SystemType, String> {
    text.replace('-', "_").parse()
}

/// The evaluation log commands, against the store.
pub async fn eval_store(cx: &Cx, command: EvalCommand) -> anyhow::Result<()> {
    let session = cx.login().await?;
    match command {
        EvalCommand::Log { camera } => {
            let log = session.evaluations(camera.as_deref()).await?;
            emit(cx.json, &serde_json::json!({ "evaluations": log }), || log_text(&log))
        }
        EvalCommand::Overview => {
            let cameras = session.evaluation_overview().await?;
            emit(cx.json, &serde_json::json!({ "cameras": cameras }), || overview_text(&cameras))
        }
        EvalCommand::Score(_) | EvalCommand::Report(_) => unreachable!("scored without the store"),
    }
}

fn log_text(log: &[EvaluationSummary]) -> String {
    if log.is_empty() {
        return "no evaluations recorded".into();
    }
    let mut out = vec![format!(
        "{:>4} {:12} {:10} {:9} {:17} {:>5} {:>5} {:19} {}",
        "id", "camera", "date", "condition", "reason", "marks", "reads", "verdict", "engineer"
    )];
    for e in log {
        let verdict = match (e.verdict, &e.remediation_due) {
            (Some(v), Some(due)) => format!("{} (remedy by {due})", verdict_words(v)),
            (Some(v), None) => verdict_words(v).to_owned(),
            (None, _) => "not scored".into(),
        };
        out.push(format!(
            "{:>4} {:12} {:10} {:9} {:17} {:>5} {:>5} {:19} {}",
            e.id, e.camera_id, e.evaluated_on, e.condition, e.reason, e.marks, e.reads, verdict, e.engineer
        ));
    }
    out.join("\n")
}

fn overview_text(cameras: &[CameraEvaluationStatus]) -> String {
    let mut out = Vec::new();
    for c in cameras {
        let last: Vec<String> = c
            .last
            .iter()
            .map(|l| format!("{} {} {}", l.condition, l.evaluated_on, l.verdict.map_or("not scored", verdict_words)))
            .collect();
        let last = if last.is_empty() { "never evaluated".to_owned() } else { last.join("; ") };
        out.push(format!("{} {}: {last}", c.camera_id, c.name));
        if c.covert_exempt {
            out.push("  covert: testing waived (NASPLE 8.14.5)".into());
        }
        for d in &c.due {
            let when = d.due.as_deref().map_or("now".to_owned(), |due| format!("by {due}"));
            let flag = if d.overdue { " OVERDUE" } else { "" };
            out.push(format!("  due {when}{flag}: {} (NASPLE {})", d.what, d.clause));
        }
    }
    out.join("\n")
}

pub fn eval(command: EvalCommand, json: bool) -> anyhow::Result<()> {
    match command {
        EvalCommand::Score(args) => score(args, json),
        EvalCommand::Report(args) => report(args, json),
        EvalCommand::Log { .. } | EvalCommand::Overview => unreachable!("the store's commands go to eval_store"),
    }
}

/// The scoring parameters, or a usage error (exit 2) when the flags contradict each other.
fn params(args: &ScoreArgs) -> EvaluationParams {
    let deployment = match Deployment::new(args.system_type, args.direction, args.moving) {
        Ok(d) => d,
        // Shown the way clap shows its own errors.
        Err(e) => Cli::command().error(clap::error::ErrorKind::ArgumentConflict, e).exit(),
    };
    if args.direction.is_some() && args.system_type != SystemType::MultiLane {
        eprintln!("note: --direction sets the standard only for multi_lane systems; ignored");
    }
    EvaluationParams {
        camera_id: args.camera.clone(),
        deployment,
        offset_s: args.offset_s,
        window_s: args.window_s,
        evaluated_on: args.date,
    }
}

/// A scoring failure: a bad parameter is a usage error (exit 2), a bad file exits 1.
fn scoring_failed(error: &EvaluationError, json: bool) -> anyhow::Error {
    if let EvaluationError::Parameter(reason) = error {
        Cli::command().error(clap::error::ErrorKind::ValueValidation, reason).exit()
    }
    bad_input(error, json)
}

fn score(args: ScoreArgs, json: bool) -> anyhow::Result<()> {
    let params = params(&args);
    let report = evaluation::score_files(&args.truth, &args.reads, &params).map_err(|e| scoring_failed(&e, json))?;
    emit(json, &report, || human(&report))
}

fn report(args: ReportArgs, json: bool) -> anyhow::Result<()> {
    let params = params(&args.score);
    let details = ReportDetails {
        camera_name: args.camera_name,
        engineer: args.engineer,
        condition: args.condition,
        reason: args.reason,
        exemption: args.exemption,
        generated: SystemClock.now(),
        software: format!("ANPR Workstation {}", env!("CARGO_PKG_VERSION")),
    };
    let s = &args.score;
    let scored = report_files(&s.truth, &s.reads, args.video.as_deref(), &params, &details);
    let (report, pdf) = match scored {
        Ok(done) => done,
        Err(ReportError::Evaluation(e)) => return Err(scoring_failed(&e, json)),
        Err(e) => return Err(e.into()),
    };
    std::fs::write(&args.out, &pdf).map_err(|e| anyhow::anyhow!("writing {}: {e}", args.out.display()))?;
    let summary = ReportSummary {
        pdf: args.out.display().to_string(),
        pdf_bytes: pdf.len(),
        pdf_sha256: hex::encode(Sha256::digest(&pdf)),
        engineer: &details.engineer,
        reason: &details.reason,
        condition: details.condition,
        evaluation: &report,
    };
    emit(json, &summary, || {
        format!(
            "{}\nReport written to {} ({} bytes, SHA-256 {})",
            human(&report),
            summary.pdf,
            pdf.len(),
            summary.pdf_sha256
        )
    })
}

/// Prints a bad file's problems (JSON with every line, or stderr) and exits 1.
fn bad_input(error: &EvaluationError, json: bool) -> anyhow::Error {
    if json {
        let (file, problems) = error.problems().unwrap_or_default();
        let errors: Vec<_> =
            problems.iter().map(|p| serde_json::json!({ "file": file, "line": p.line, "reason": p.reason })).collect();
        println!(
            "{:#}",
            serde_json::json!({ "error": "invalid_input", "message": error.to_string(), "errors": errors })
        );
    }
    eprintln!("error: {error}");
    AlreadyReported(1).into()
}

/// An interval after its rate, or nothing.
fn ci(interval_of: Option<[f64; 2]>) -> String {
    let text = interval(interval_of);
    if text.is_empty() { text } else { format!(" (95% CI {text})") }
}

fn clears(yes: bool) -> &'static str {
    if yes { "lower bound clears the standard" } else { "lower bound below the standard" }
}

fn human(r: &EvaluationReport) -> String {
    let mut out = Vec::new();
    let kind = match (r.direction, r.moving) {
        (Some(d), _) => format!("{} ({d})", r.system_type),
        (None, true) => format!("{} (moving vehicle)", r.system_type),
        (None, false) => r.system_type.to_string(),
    };
    out.push(format!(
        "Camera {}, {kind}: capture standard {:.0}% (NASPLE {}), read standard {:.0}%",
        r.camera_id,
        r.capture_standard * 100.0,
        r.capture_clause,
        r.read_standard * 100.0
    ));
    out.push(format!(
        "Period {} to {} ({:.2} h); window {} s, offset {} s",
        uk(&r.period_from),
        uk(&r.period_to),
        r.period_hours,
        r.window_s,
        r.offset_s
    ));
    out.push(format!(
        "{} vehicles ({} visible, {} not visible); {} reads of this camera",
        r.vehicles,
        r.visible,
        r.invisible.len(),
        r.reads
    ));
    if r.reads == 0 {
        out.push(format!("warning: reads.csv has no reads of camera {:?}", r.camera_id));
    }
    out.push(format!(
        "Capture {}/{} = {}{}: {} ({})",
        r.captured,
        r.visible,
        percent(r.capture_rate),
        ci(r.capture_ci),
        verdict_words(r.capture_verdict),
        clears(r.capture_lower_bound_clears)
    ));
    out.push(format!(
        "Read    {}/{} = {}{}: {} ({})",
        r.correct,
        r.captured,
        percent(r.read_rate),
        ci(r.read_ci),
        verdict_words(r.read_verdict),
        clears(r.read_lower_bound_clears)
    ));
    if r.lanes.len() > 1 {
        for l in &r.lanes {
            out.push(format!(
                "  lane {}: capture {}/{} = {}{}, read {}/{} = {}: {}",
                l.lane,
                l.captured,
                l.visible,
                percent(l.capture_rate),
                ci(l.capture_ci),
                l.correct,
                l.captured,
                percent(l.read_rate),
                verdict_words(l.verdict)
            ));
        }
    }
    out.push(format!("Duplicates {}, unmatched reads {}", r.duplicates, r.unmatched_reads));
    for u in &r.unmatched {
        let vrm = if u.vrm.is_empty() { "(not read)" } else { &u.vrm };
        out.push(format!("  unmatched {} {} {vrm}", u.read_id, u.read_time));
    }
    if !r.missed.is_empty() {
        out.push(format!("Missed vehicles: {}", list(&r.missed)));
    }
    if !r.not_read.is_empty() {
        out.push(format!("Captured but not read: {}", list(&r.not_read)));
    }
    for m in &r.misreads {
        out.push(format!(
            "Misread vehicle {}: {} read as {} ({})",
            m.vehicle,
            m.truth,
            m.read,
            m.confusions.join(", ")
        ));
    }
    if !r.confusion_counts.is_empty() {
        let counts: Vec<String> = r.confusion_counts.iter().map(|c| format!("{} x{}", c.confusion, c.count)).collect();
        out.push(format!("Confusions: {}", counts.join(", ")));
    }
    out.push(match &r.remediation_due {
        Some(due) => format!(
            "Verdict: {}. Put right and reassess by {due} (NASPLE 7.4.7: within 30 days of {})",
            verdict_words(r.verdict),
            r.evaluated_on
        ),
        None => format!("Verdict: {}", verdict_words(r.verdict)),
    });
    out.join("\n")
}

/// A report time as people read it: UK local time (7.4.3).
fn uk(rfc3339: &str) -> String {
    anpr_core::time::parse(rfc3339).map_or_else(|_| rfc3339.to_owned(), anpr_core::time::uk)
}

fn list(numbers: &[u64]) -> String {
    numbers.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}
