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

/// Why an evaluation was carried out (8.14.1, 8.14.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationReason {
    Installation,
    Redeployment,
    AnnualReview,
    /// The additional check of a camera without supporting imagery (>= 50 vehicles, 8.14.4).
    SixMonthlyCheck,
}

text_enum!(EvaluationReason {
    Installation = "installation",
    Redeployment = "redeployment",
    AnnualReview = "annual_review",
    SixMonthlyCheck = "six_monthly_check",
});

/// A new evaluation record, as the engineer enters it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvaluation {
    /// From the register, or entered in the field for a camera not (yet) in it.
    pub camera_id: String,
    pub system_type: SystemType,
    pub direction: Option<Direction>,
    pub moving: bool,
    pub lanes: u32,
    pub condition: Condition,
    /// YYYY-MM-DD.
    pub evaluated_on: String,
    pub engineer: String,
    pub reason: EvaluationReason,
    /// Why testing a covert camera would compromise it (8.14.5), when that is the case.
    pub covert_exemption: Option<String>,
    pub notes: String,
    /// The recording of the evaluation (MP4, H.264), on this machine.
    pub video_path: String,
    /// RFC 3339; when empty, the start time the file records.
    pub clock_start: Option<String>,
    /// Subtracted from a mark made at a key press, milliseconds.
    pub reaction_ms: u32,
}

/// An evaluation in the log (8.14.6), with its latest scoring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationSummary {
    pub id: i64,
    pub camera_id: String,
    /// Whether the camera is in the register.
    pub registered: bool,
    pub system_type: SystemType,
    pub direction: Option<Direction>,
    pub moving: bool,
    pub lanes: u32,
    pub condition: Condition,
    pub evaluated_on: String,
    pub engineer: String,
    pub reason: EvaluationReason,
    pub covert_exemption: Option<String>,
    pub notes: String,
    pub video_path: String,
    pub video_sha256: String,
    pub video_frames: u64,
    pub video_fps: f64,
    pub video_ms: i64,
    /// RFC 3339 UTC, and where it came from: `file` or `entered`.
    pub clock_start: String,
    pub clock_source: String,
    pub reaction_ms: u32,
    pub offset_s: f64,
    pub window_s: f64,
    pub marks: u64,
    pub reads: u64,
    pub read_log_source: Option<String>,
    pub created_by: String,
    pub created_uk: String,
    /// The latest scoring's verdict, if scored.
    pub verdict: Option<Verdict>,
    pub remediation_due: Option<String>,
    pub scored_uk: Option<String>,
}

/// A vehicle marked crossing the read line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationMark {
    pub id: i64,
    /// 1, 2, 3 ... in order of crossing (the truth's vehicle number).
    pub vehicle: u64,
    pub lane: u32,
    /// From the video's first frame.
    pub video_ms: i64,
    /// On the video's clock, RFC 3339 UTC with milliseconds.
    pub time: String,
    /// As the human reads it; empty when unreadable.
    pub vrm: String,
    pub visible: bool,
    pub condition: Option<Condition>,
}

/// A mark as made or edited. `video_ms` is where the video stood; a new mark made `live` (at
/// a key press) has the evaluation's reaction-time compensation taken off it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkInput {
    pub lane: u32,
    pub video_ms: i64,
    pub live: bool,
    pub vrm: String,
    pub visible: bool,
    pub condition: Option<Condition>,
}

/// The evaluation with its marks and latest report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationDetail {
    pub summary: EvaluationSummary,
    pub marks: Vec<EvaluationMark>,
    pub report: Option<EvaluationReport>,
}

/// The clock offset that matches most marked vehicles to reads, for the engineer to confirm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OffsetEstimate {
    /// Camera clock minus video clock, seconds.
    pub offset_s: f64,
    /// Vehicles matched at this offset, of the marked ones.
    pub matched: u64,
    pub vehicles: u64,
    /// Matched vehicles whose read VRM agrees exactly.
    pub exact: u64,
    /// The offsets searched: from, to, step (seconds).
    pub searched: [f64; 3],
    /// Matched at the offset in use now, for comparison.
    pub matched_now: u64,
}

/// What is due for a camera's evaluations (8.14, 7.4.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationDue {
    /// What is needed, in the engineer's words.
    pub what: String,
    pub clause: String,
    /// YYYY-MM-DD, or `None` when due now (never done).
    pub due: Option<String>,
    pub overdue: bool,
}

/// The last evaluation of a camera in one condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionLast {
    pub condition: Condition,
    pub evaluation: i64,
    pub evaluated_on: String,
    pub verdict: Option<Verdict>,
}

/// A failing camera's 30 days (7.4.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remediation {
    pub evaluation: i64,
    pub failed_on: String,
    pub due: String,
    /// Past the due date without a passing reassessment: the feed must cease until corrected.
    pub overdue: bool,
}

/// One camera in the evaluation overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CameraEvaluationStatus {
    pub camera_id: String,
    /// The register's name; empty for a camera only entered in the field.
    pub name: String,
    pub registered: bool,
    pub has_imagery: bool,
    pub evaluations: u64,
    pub last: Vec<ConditionLast>,
    pub remediation: Option<Remediation>,
    pub due: Vec<EvaluationDue>,
    /// An 8.14.5 covert exemption is on record for the camera.
    pub covert_exempt: bool,
}

/// The evaluation's video as the desktop opened it for marking; frames come through the image
/// protocol at `anpr-image://localhost/video/<evaluation>/<frame>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationVideo {
    pub evaluation: i64,
    pub frames: u64,
    pub fps: f64,
    pub width: u32,
    pub height: u32,
    pub duration_ms: i64,
}
