//! Capture/read evaluation of a camera (NASPLE 8.14), scored exactly as the shared spec
//! evaluation.md defines it: the engineer's ground truth from video against the camera's read
//! log, matched one-to-one ([`matching`]), counted into capture and read rates with 95% Wilson
//! intervals ([`rates`]), and judged against the standards in [`crate::policy::evaluation`].
//!
//! Scoring itself reads two local files and touches no store, so it needs no session. The
//! evaluation log ([`record`]: records, marks, read logs, scorings, remediation, what is due)
//! keeps evaluations in the store through [`crate::Session`]; [`offset`] estimates the clock
//! offset between video and camera.

pub mod assist;
pub mod charts;
pub mod matching;
pub mod offset;
pub mod rates;
pub mod record;
pub mod report;
pub mod truth;

use crate::import::rows::ReadRow;
use crate::policy::evaluation::{self as policy, Deployment, DeploymentError};
use anpr_types::{ConfusionCount, EvaluationReport, LaneResult, LoggedRead, Misread};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Europe::London;
use rates::{round4, wilson};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;
use truth::TruthVehicle;

pub use matching::{Matching, match_reads};
pub use truth::{parse_reads, parse_truth};

/// The matching window when none is given (evaluation.md).
pub const DEFAULT_WINDOW_S: f64 = 2.0;
/// Windows wider than an hour are not a matching of passes any more.
pub const MAX_WINDOW_S: f64 = 3600.0;
/// A clock more than a year out is a wrong file, not an offset.
pub const MAX_OFFSET_S: f64 = 366.0 * 86_400.0;

/// One bad line of an input file (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub line: u64,
    pub reason: String,
}

/// Why an evaluation could not be scored.
#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    #[error("{file}: {}", lines(problems))]
    Rows { file: String, problems: Vec<RowProblem> },
    #[error("{file} lacks required column(s): {}", columns.join(", "))]
    MissingColumns { file: String, columns: Vec<String> },
    #[error("{file}: unreadable header: {reason}")]
    Header { file: String, reason: String },
    #[error("{file} lists no vehicles")]
    NoVehicles { file: String },
    #[error("reading {file}: {source}")]
    Io { file: String, source: std::io::Error },
    #[error(transparent)]
    Deployment(#[from] DeploymentError),
    #[error("{0}")]
    Parameter(String),
}

/// At most 20 problems spelled out, so one bad file does not flood a terminal.
fn lines(problems: &[RowProblem]) -> String {
    const SHOWN: usize = 20;
    let mut text = format!("{} bad row(s)", problems.len());
    for p in problems.iter().take(SHOWN) {
        text.push_str(&format!("\n  {p}"));
    }
    if problems.len() > SHOWN {
        text.push_str(&format!("\n  ... and {} more", problems.len() - SHOWN));
    }
    text
}

impl EvaluationError {
    /// The file at fault and its bad lines, for a face that lists them.
    pub fn problems(&self) -> Option<(&str, &[RowProblem])> {
        match self {
            EvaluationError::Rows { file, problems } => Some((file, problems)),
            _ => None,
        }
    }
}

/// What is being evaluated and how reads are lined up with the video.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationParams {
    pub camera_id: String,
    pub deployment: Deployment,
    /// Camera clock minus video clock, seconds: a read at `t` is compared with truth at `t - offset`.
    pub offset_s: f64,
    pub window_s: f64,
    /// The date the evaluation was carried out, from which 7.4.7's 30 days run; `None` takes the
    /// UK date of the last ground-truth vehicle (when the evaluation was complete).
    pub evaluated_on: Option<NaiveDate>,
}

impl EvaluationParams {
    fn checked_ms(&self) -> Result<(i64, i64), EvaluationError> {
        if !(self.window_s.is_finite() && (0.0..=MAX_WINDOW_S).contains(&self.window_s)) {
            return Err(EvaluationError::Parameter(format!(
                "the matching window must be between 0 and {MAX_WINDOW_S} seconds, not {}",
                self.window_s
            )));
        }
        if !(self.offset_s.is_finite() && self.offset_s.abs() <= MAX_OFFSET_S) {
            return Err(EvaluationError::Parameter(format!(
                "the clock offset must be within a year ({MAX_OFFSET_S} seconds), not {}",
                self.offset_s
            )));
        }
        // Both are bounded above, so the conversions cannot overflow.
        Ok(((self.window_s * 1000.0).round() as i64, (self.offset_s * 1000.0).round() as i64))
    }
}

/// Reads both files and scores them.
pub fn score_files(truth: &Path, reads: &Path, params: &EvaluationParams) -> Result<EvaluationReport, EvaluationError> {
    let load = |path: &Path| {
        std::fs::read(path).map_err(|source| EvaluationError::Io { file: path.display().to_string(), source })
    };
    let vehicles = parse_truth(&load(truth)?, &truth.display().to_string())?;
    let log = parse_reads(&load(reads)?, &reads.display().to_string())?;
    score(&vehicles, &log, params)
}

/// Counts for one group of vehicles (a lane, or all of them).
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    vehicles: u64,
    visible: u64,
    captured: u64,
    correct: u64,
}

/// A tally's capture and read rates with their Wilson intervals, rounded for the report.
struct Rates {
    capture_rate: Option<f64>,
    capture_ci: Option<[f64; 2]>,
    read_rate: Option<f64>,
    read_ci: Option<[f64; 2]>,
}

impl Tally {
    fn rates(&self) -> Rates {
        Rates {
            capture_rate: rates::rate(self.captured, self.visible).map(round4),
            capture_ci: rounded(wilson(self.captured, self.visible)),
            read_rate: rates::rate(self.correct, self.captured).map(round4),
            read_ci: rounded(wilson(self.correct, self.captured)),
        }
    }
}

fn rounded(ci: Option<[f64; 2]>) -> Option<[f64; 2]> {
    ci.map(|[lo, hi]| [round4(lo), round4(hi)])
}

/// Whether the (unrounded) Wilson lower bound reaches the standard.
fn lower_bound_clears(hits: u64, total: u64, percent: u32) -> bool {
    wilson(hits, total).is_some_and(|[lo, _]| lo >= f64::from(percent) / 100.0)
}

fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn logged(read: &ReadRow, vehicle: Option<&TruthVehicle>) -> LoggedRead {
    LoggedRead {
        read_id: read.read_id.clone(),
        read_time: rfc3339(read.read_time_ms),
        vrm: read.vrm_as_read.clone(),
        lane: read.lane.and_then(|l| u32::try_from(l).ok()),
        vehicle: vehicle.map(|v| v.vehicle),
    }
}

/// Scores `truth` against the read log `reads` (any cameras; only `params.camera_id`'s count).
pub fn score(
    truth: &[TruthVehicle],
    reads: &[ReadRow],
    params: &EvaluationParams,
) -> Result<EvaluationReport, EvaluationError> {
    let (window_ms, offset_ms) = params.checked_ms()?;
    let (Some(first), Some(last)) = (truth.iter().map(|v| v.time_ms).min(), truth.iter().map(|v| v.time_ms).max())
    else {
        return Err(EvaluationError::NoVehicles { file: "the ground truth".into() });
    };
    let camera = params.camera_id.trim();
    let reads: Vec<ReadRow> = reads.iter().filter(|r| r.camera_id == camera).cloned().collect();
    let matching = match_reads(truth, &reads, window_ms, offset_ms);
    let read_of: HashMap<usize, &ReadRow> = matching.pairs.iter().map(|&(v, r)| (v, &reads[r])).collect();

    // Vehicles in number order for every list; lanes in number order (no lane counts as lane 1).
    let mut order: Vec<usize> = (0..truth.len()).collect();
    order.sort_by_key(|&v| truth[v].vehicle);
    let mut all = Tally::default();
    let mut lanes: BTreeMap<u32, Tally> = BTreeMap::new();
    let (mut missed, mut not_read, mut invisible, mut misreads) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut confusion_counts: BTreeMap<String, u64> = BTreeMap::new();
    for &v in &order {
        let vehicle = &truth[v];
        let lane = lanes.entry(vehicle.lane.unwrap_or(1)).or_default();
        lane.vehicles += 1;
        all.vehicles += 1;
        if !vehicle.visible {
            invisible.push(vehicle.vehicle);
            continue;
        }
        lane.visible += 1;
        all.visible += 1;
        let Some(read) = read_of.get(&v) else {
            missed.push(vehicle.vehicle);
            continue;
        };
        lane.captured += 1;
        all.captured += 1;
        match &read.vrm {
            None => not_read.push(vehicle.vehicle),
            Some(vrm) if vehicle.vrm.as_ref() == Some(vrm) => {
                lane.correct += 1;
                all.correct += 1;
            }
            Some(vrm) => {
                let truth_vrm = vehicle.vrm.clone().unwrap_or_default();
                let confusions = rates::confusions(&truth_vrm, vrm);
                for c in &confusions {
                    *confusion_counts.entry(c.clone()).or_default() += 1;
                }
                misreads.push(Misread {
                    vehicle: vehicle.vehicle,
                    truth: truth_vrm,
                    read: vrm.clone(),
                    read_id: read.read_id.clone(),
                    confusions,
                });
            }
        }
    }

    let standard = params.deployment.capture_standard();
    let period_ms = last - first;
    let lanes: Vec<LaneResult> = lanes
        .into_iter()
        .map(|(lane, t)| {
            let Rates { capture_rate, capture_ci, read_rate, read_ci } = t.rates();
            LaneResult {
                lane,
                vehicles: t.vehicles,
                visible: t.visible,
                captured: t.captured,
                correct: t.correct,
                capture_rate,
                capture_ci,
                read_rate,
                read_ci,
                capture_lower_bound_clears: lower_bound_clears(t.captured, t.visible, standard.percent),
                verdict: policy::capture_verdict(t.visible, t.captured, period_ms, standard),
            }
        })
        .collect();
    let capture_verdict = policy::combine(lanes.iter().map(|l| l.verdict));
    let read_verdict = policy::read_verdict(all.captured, all.correct);
    let verdict = policy::combine(lanes.iter().map(|l| l.verdict).chain([read_verdict]));
    let evaluated_on = params.evaluated_on.unwrap_or_else(|| {
        DateTime::<Utc>::from_timestamp_millis(last).unwrap_or_default().with_timezone(&London).date_naive()
    });

    let mut confusion_counts: Vec<ConfusionCount> =
        confusion_counts.into_iter().map(|(confusion, count)| ConfusionCount { confusion, count }).collect();
    confusion_counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.confusion.cmp(&b.confusion)));

    let overall = all.rates();
    Ok(EvaluationReport {
        camera_id: camera.to_owned(),
        system_type: params.deployment.system_type(),
        direction: match params.deployment {
            Deployment::MultiLane(d) => Some(d),
            _ => None,
        },
        moving: params.deployment == Deployment::Mobile { moving: true },
        window_s: params.window_s,
        offset_s: params.offset_s,
        period_from: rfc3339(first),
        period_to: rfc3339(last),
        period_hours: round4(period_ms as f64 / 3_600_000.0),
        reads: reads.len() as u64,
        vehicles: all.vehicles,
        visible: all.visible,
        captured: all.captured,
        correct: all.correct,
        capture_rate: overall.capture_rate,
        capture_ci: overall.capture_ci,
        read_rate: overall.read_rate,
        read_ci: overall.read_ci,
        capture_standard: f64::from(standard.percent) / 100.0,
        capture_clause: standard.clause.to_owned(),
        read_standard: f64::from(policy::READ_STANDARD_PERCENT) / 100.0,
        capture_lower_bound_clears: lower_bound_clears(all.captured, all.visible, standard.percent),
        read_lower_bound_clears: lower_bound_clears(all.correct, all.captured, policy::READ_STANDARD_PERCENT),
        capture_verdict,
        read_verdict,
        verdict,
        duplicates: matching.duplicates.len() as u64,
        unmatched_reads: matching.unmatched.len() as u64,
        lanes,
        misreads,
        confusion_counts,
        missed,
        not_read,
        invisible,
        duplicate_reads: matching.duplicates.iter().map(|&(r, v)| logged(&reads[r], Some(&truth[v]))).collect(),
        unmatched: matching.unmatched.iter().map(|&r| logged(&reads[r], None)).collect(),
        evaluated_on: evaluated_on.to_string(),
        remediation_due: policy::remediation_due(evaluated_on, verdict).map(|d| d.to_string()),
    })
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}
