//! Capture/read evaluation of a camera (NASPLE 8.14): the report `anpr eval score` prints and
//! the evaluation screen shows. The scoring itself is defined in the shared spec evaluation.md.

use crate::SystemType;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How a standard is judged (evaluation.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// Fewer vehicles than 8.14.2 or 8.14.3 asks for: no judgement either way.
    InsufficientSample,
}

text_enum!(Verdict { Pass = "pass", Fail = "fail", InsufficientSample = "insufficient_sample" });

/// Travel relative to the camera; multi-lane standards differ by it (8.7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Towards,
    Away,
}

text_enum!(Direction { Towards = "towards", Away = "away" });

/// The light a vehicle passed in; 8.14.3 asks for daylight and night-time assessments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Day,
    Night,
    Dawn,
    Dusk,
    Overcast,
}

text_enum!(Condition { Day = "day", Night = "night", Dawn = "dawn", Dusk = "dusk", Overcast = "overcast" });

/// The scored evaluation (the `--json` form of evaluation.md, plus the detail behind its counts).
/// Rates and interval bounds are rounded to 4 decimal places; verdicts are decided on the exact
/// counts before rounding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationReport {
    pub camera_id: String,
    pub system_type: SystemType,
    /// The direction of travel of a multi-lane system (8.7.3); `None` for other types.
    pub direction: Option<Direction>,
    /// A mobile system deployed in a moving vehicle (8.7.5).
    pub moving: bool,
    pub window_s: f64,
    pub offset_s: f64,
    /// First and last ground-truth vehicle, RFC 3339 UTC: the period of 8.14.2's 2-hour rule.
    pub period_from: String,
    pub period_to: String,
    pub period_hours: f64,
    /// Reads of the evaluated camera in the read log.
    pub reads: u64,
    /// Ground-truth vehicles, visible or not.
    pub vehicles: u64,
    pub visible: u64,
    pub captured: u64,
    pub correct: u64,
    /// `None` when no vehicle was visible.
    pub capture_rate: Option<f64>,
    /// 95% Wilson score interval of the capture rate.
    pub capture_ci: Option<[f64; 2]>,
    /// `None` when nothing was captured.
    pub read_rate: Option<f64>,
    pub read_ci: Option<[f64; 2]>,
    pub capture_standard: f64,
    /// The 8.7 clause the capture standard comes from.
    pub capture_clause: String,
    pub read_standard: f64,
    /// Whether the Wilson lower bound clears the standard (a stronger claim than the verdict).
    pub capture_lower_bound_clears: bool,
    pub read_lower_bound_clears: bool,
    pub capture_verdict: Verdict,
    pub read_verdict: Verdict,
    pub verdict: Verdict,
    /// Further reads in the window of a matched vehicle (listed in `duplicate_reads`).
    pub duplicates: u64,
    /// Reads matching no vehicle (listed in `unmatched`).
    pub unmatched_reads: u64,
    pub lanes: Vec<LaneResult>,
    pub misreads: Vec<Misread>,
    /// Character confusions over all misreads, most frequent first.
    pub confusion_counts: Vec<ConfusionCount>,
    /// Visible vehicles no read was matched to.
    pub missed: Vec<u64>,
    /// Visible vehicles captured by a "not read" (a capture, but not correct).
    pub not_read: Vec<u64>,
    /// Vehicles whose plate was not visible: reported, excluded from the rates.
    pub invisible: Vec<u64>,
    pub duplicate_reads: Vec<LoggedRead>,
    pub unmatched: Vec<LoggedRead>,
    /// The date the evaluation was carried out (YYYY-MM-DD).
    pub evaluated_on: String,
    /// 30 days after a failing evaluation (7.4.7), else `None`.
    pub remediation_due: Option<String>,
}

/// One lane's figures (8.14.2 applies the capture rule to each lane).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaneResult {
    pub lane: u32,
    pub vehicles: u64,
    pub visible: u64,
    pub captured: u64,
    pub correct: u64,
    pub capture_rate: Option<f64>,
    pub capture_ci: Option<[f64; 2]>,
    pub read_rate: Option<f64>,
    pub read_ci: Option<[f64; 2]>,
    pub capture_lower_bound_clears: bool,
    /// The lane's capture verdict.
    pub verdict: Verdict,
}

/// A captured vehicle read wrongly, with the characters confused (`D->0`; `D->` a character
/// dropped, `->D` one added).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Misread {
    pub vehicle: u64,
    /// Normalised (uppercase, no spaces); empty when the human could not read the plate.
    pub truth: String,
    pub read: String,
    pub read_id: String,
    pub confusions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionCount {
    pub confusion: String,
    pub count: u64,
}

/// A read reported as a duplicate or as matching no vehicle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedRead {
    pub read_id: String,
    /// RFC 3339 UTC with milliseconds, on the camera's clock.
    pub read_time: String,
    /// As read; empty for "not read".
    pub vrm: String,
    pub lane: Option<u32>,
    /// For a duplicate, the matched vehicle in whose window it fell.
    pub vehicle: Option<u64>,
}
