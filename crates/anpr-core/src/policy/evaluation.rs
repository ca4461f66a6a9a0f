//! Camera performance standards (NASPLE 8.7), the samples an evaluation needs (8.14.2, 8.14.3),
//! how verdicts combine, and the 30 days to put a failure right (7.4.7). The scorer
//! (`crate::evaluation`) counts; this file decides.

use super::Refusal;
use anpr_types::{Condition, Direction, EvaluationDue, Remediation, SystemType, Verdict};
use chrono::{Days, Months, NaiveDate};

/// Every system type must read 95% of captured VRMs correctly (8.7.1 to 8.7.6).
pub const READ_STANDARD_PERCENT: u32 = 95;
/// A capture assessment needs 250 visible vehicles per lane... (8.14.2)
pub const CAPTURE_SAMPLE_VEHICLES: u64 = 250;
/// ...or a period of at least 2 hours (8.14.2).
pub const CAPTURE_SAMPLE_MS: i64 = 2 * 60 * 60 * 1000;
/// A read assessment needs 250 captured vehicles (8.14.3).
pub const READ_SAMPLE_CAPTURED: u64 = 250;
/// Performance below standard is corrected and reassessed within 30 days (7.4.7).
pub const REMEDIATION_DAYS: u64 = 30;

/// How a camera is deployed, as far as 8.7 sets its capture standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deployment {
    Static,
    Moveable,
    MultiLane(Direction),
    Cctv,
    Mobile { moving: bool },
    Covert,
}

/// A deployment that 8.7 gives no standard for as described.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeploymentError {
    #[error("a multi_lane system needs its direction (towards or away): NASPLE 8.7.3 sets 98% towards, 90% away")]
    DirectionNeeded,
    #[error("only a mobile system is deployed in a moving vehicle (NASPLE 8.7.5), not a {0} one")]
    MovingNotMobile(SystemType),
}

/// A capture standard and the clause that sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureStandard {
    pub percent: u32,
    pub clause: &'static str,
}

impl Deployment {
    /// `direction` matters only to multi-lane systems (8.7.3) and `moving` only to mobile ones
    /// (8.7.5); a direction given for another type is allowed and has no effect.
    pub fn new(system: SystemType, direction: Option<Direction>, moving: bool) -> Result<Self, DeploymentError> {
        if moving && system != SystemType::Mobile {
            return Err(DeploymentError::MovingNotMobile(system));
        }
        Ok(match system {
            SystemType::Static => Deployment::Static,
            SystemType::Moveable => Deployment::Moveable,
            SystemType::MultiLane => Deployment::MultiLane(direction.ok_or(DeploymentError::DirectionNeeded)?),
            SystemType::Cctv => Deployment::Cctv,
            SystemType::Mobile => Deployment::Mobile { moving },
            SystemType::Covert => Deployment::Covert,
        })
    }

    pub fn system_type(self) -> SystemType {
        match self {
            Deployment::Static => SystemType::Static,
            Deployment::Moveable => SystemType::Moveable,
            Deployment::MultiLane(_) => SystemType::MultiLane,
            Deployment::Cctv => SystemType::Cctv,
            Deployment::Mobile { .. } => SystemType::Mobile,
            Deployment::Covert => SystemType::Covert,
        }
    }

    /// The share of visible VRMs the system must capture (8.7; rules.md section 2).
    pub fn capture_standard(self) -> CaptureStandard {
        let (percent, clause) = match self {
            Deployment::Static => (98, "8.7.1"),
            Deployment::Moveable => (98, "8.7.2"),
            Deployment::MultiLane(Direction::Towards) => (98, "8.7.3"),
            Deployment::MultiLane(Direction::Away) => (90, "8.7.3"),
            Deployment::Cctv => (85, "8.7.4"),
            Deployment::Mobile { moving: false } => (98, "8.7.5"),
            Deployment::Mobile { moving: true } => (80, "8.7.5"),
            Deployment::Covert => (98, "8.7.6"),
        };
        CaptureStandard { percent, clause }
    }
}

/// Whether `hits` of `total` reaches `percent`, in whole numbers so that exactly 98% passes 98%.
pub fn meets(hits: u64, total: u64, percent: u32) -> bool {
    u128::from(hits) * 100 >= u128::from(total) * u128::from(percent)
}

/// One lane's capture verdict (8.14.2): too few visible vehicles over too short a period says
/// nothing either way.
pub fn capture_verdict(visible: u64, captured: u64, period_ms: i64, standard: CaptureStandard) -> Verdict {
    let sample = visible >= CAPTURE_SAMPLE_VEHICLES || period_ms >= CAPTURE_SAMPLE_MS;
    if visible == 0 || !sample {
        Verdict::InsufficientSample
    } else if meets(captured, visible, standard.percent) {
        Verdict::Pass
    } else {
        Verdict::Fail
    }
}

/// The read verdict over all lanes (8.14.3).
pub fn read_verdict(captured: u64, correct: u64) -> Verdict {
    if captured < READ_SAMPLE_CAPTURED {
        Verdict::InsufficientSample
    } else if meets(correct, captured, READ_STANDARD_PERCENT) {
        Verdict::Pass
    } else {
        Verdict::Fail
    }
}

/// Any failure fails; otherwise any insufficient sample leaves the whole undecided.
pub fn combine(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    verdicts.into_iter().fold(Verdict::Pass, |worst, v| match (worst, v) {
        (Verdict::Fail, _) | (_, Verdict::Fail) => Verdict::Fail,
        (Verdict::InsufficientSample, _) | (_, Verdict::InsufficientSample) => Verdict::InsufficientSample,
        _ => Verdict::Pass,
    })
}

/// A failing evaluation must be put right and reassessed within 30 days (7.4.7).
pub fn remediation_due(evaluated_on: NaiveDate, verdict: Verdict) -> Option<NaiveDate> {
    (verdict == Verdict::Fail).then(|| evaluated_on.checked_add_days(Days::new(REMEDIATION_DAYS))).flatten()
}

/// The additional check of a camera without supporting imagery needs 50 consecutive vehicles (8.14.4).
pub const CHECK_SAMPLE_VEHICLES: u64 = 50;
/// The read rate is reviewed at least annually (8.14.4) ...
pub const REVIEW_MONTHS: u32 = 12;
/// ... and cameras without supporting imagery are checked at least every 6 months (8.14.4).
pub const CHECK_MONTHS: u32 = 6;
/// Reads taken from the store for an evaluation lie within its video's period widened by this
/// much either way (room for the camera's clock to be out), and no further (9.3.3).
pub const READ_LOG_MARGIN_MS: i64 = 15 * 60 * 1000;

/// Taking a camera's reads from the store to score an evaluation is access to ANPR data, which
/// 9.3.3 allows for Annex B purposes or for audit; checking a camera against the data standards
/// is audit of the system (8.14.4 asks that NAS functionality be used to monitor compliance).
/// So it is allowed, without an investigation, only for the evaluated camera and only for the
/// period its video covers (plus the margin): anything wider would be a search.
pub fn read_log_period(video_from: i64, video_to: i64, from: i64, to: i64) -> Result<(), Refusal> {
    let (lo, hi) = (video_from - READ_LOG_MARGIN_MS, video_to + READ_LOG_MARGIN_MS);
    if from > to {
        return Err(Refusal::new("9.3.3", "the period ends before it starts", None));
    }
    if from < lo || to > hi {
        return Err(Refusal::new(
            "9.3.3",
            "reads are taken from the store for an evaluation only for the evaluated camera over the period its \
             video covers: any wider access is a search for an Annex B purpose",
            Some(format!(
                "a period within the video's, widened by at most {} minutes either way",
                READ_LOG_MARGIN_MS / 60_000
            )),
        ));
    }
    Ok(())
}

/// A six-monthly check must cover at least 50 consecutive vehicles (8.14.4).
pub fn check_sample(visible: u64) -> Result<(), Refusal> {
    if visible >= CHECK_SAMPLE_VEHICLES {
        return Ok(());
    }
    Err(Refusal::new(
        "8.14.4",
        format!(
            "a six-monthly check needs at least {CHECK_SAMPLE_VEHICLES} consecutive vehicles; {visible} with a visible plate are marked"
        ),
        Some(format!("mark at least {CHECK_SAMPLE_VEHICLES} consecutive vehicles")),
    ))
}

/// One scored or unscored evaluation of a camera, as the schedule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub id: i64,
    pub condition: Condition,
    pub evaluated_on: NaiveDate,
    /// The latest scoring's verdict; `None` while unscored.
    pub verdict: Option<Verdict>,
    pub covert_exemption: bool,
}

/// The 30 days of 7.4.7: open while the camera's latest decided evaluation (pass or fail, in
/// date order) is a failure; a later pass closes it. Overdue after the due date: the camera's
/// feed must then cease until corrected.
pub fn remediation(log: &[Logged], today: NaiveDate) -> Option<Remediation> {
    let last = log
        .iter()
        .filter(|e| matches!(e.verdict, Some(Verdict::Pass | Verdict::Fail)))
        .max_by_key(|e| (e.evaluated_on, e.id))?;
    let due = remediation_due(last.evaluated_on, last.verdict?)?;
    Some(Remediation {
        evaluation: last.id,
        failed_on: last.evaluated_on.to_string(),
        due: due.to_string(),
        overdue: today > due,
    })
}

fn due_item(what: String, clause: &str, due: Option<NaiveDate>, today: NaiveDate) -> EvaluationDue {
    EvaluationDue {
        what,
        clause: clause.to_owned(),
        due: due.map(|d| d.to_string()),
        overdue: due.is_some_and(|d| today > d),
    }
}

/// What a camera's evaluation log says is due (8.14.1, 8.14.3, 8.14.4, 7.4.7). A covert
/// exemption on its latest evaluation (8.14.5) waives the schedule.
pub fn due(log: &[Logged], has_imagery: bool, today: NaiveDate) -> Vec<EvaluationDue> {
    let latest = log.iter().max_by_key(|e| (e.evaluated_on, e.id));
    if latest.is_some_and(|e| e.covert_exemption) {
        return Vec::new();
    }
    let decided: Vec<&Logged> =
        log.iter().filter(|e| matches!(e.verdict, Some(Verdict::Pass | Verdict::Fail))).collect();
    let Some(last) = decided.iter().map(|e| e.evaluated_on).max() else {
        return vec![due_item(
            "an evaluation with a full sample (at installation or re-deployment)".into(),
            "8.14.1",
            None,
            today,
        )];
    };
    let mut due = Vec::new();
    if let Some(r) = remediation(log, today) {
        let what = if r.overdue {
            "reassessment after a failure: overdue, the camera's feed must cease until corrected"
        } else {
            "correction and reassessment after a failure"
        };
        due.push(due_item(what.into(), "7.4.7", r.due.parse().ok(), today));
    }
    if !decided.iter().any(|e| e.condition == Condition::Night) {
        due.push(due_item("a night-time assessment".into(), "8.14.3", None, today));
    }
    if decided.iter().all(|e| e.condition == Condition::Night) {
        due.push(due_item("a daylight assessment".into(), "8.14.3", None, today));
    }
    due.push(due_item(
        "the annual read rate review".into(),
        "8.14.4",
        last.checked_add_months(Months::new(REVIEW_MONTHS)),
        today,
    ));
    if !has_imagery {
        due.push(due_item(
            format!("the six-monthly check of a camera without supporting imagery (at least {CHECK_SAMPLE_VEHICLES} vehicles)"),
            "8.14.4",
            last.checked_add_months(Months::new(CHECK_MONTHS)),
            today,
        ));
    }
    due
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn logged(id: i64, condition: Condition, on: &str, verdict: Option<Verdict>) -> Logged {
        Logged { id, condition, evaluated_on: day(on), verdict, covert_exemption: false }
    }

    #[test]
    fn a_failure_is_due_30_days_on_and_a_later_pass_closes_it_7_4_7() {
        let failed = [logged(1, Condition::Day, "2026-01-10", Some(Verdict::Fail))];
        let open = remediation(&failed, day("2026-02-09")).unwrap();
        assert_eq!((open.due.as_str(), open.overdue), ("2026-02-09", false));
        assert!(remediation(&failed, day("2026-02-10")).unwrap().overdue);
        let passed = [failed[0].clone(), logged(2, Condition::Day, "2026-01-20", Some(Verdict::Pass))];
        assert_eq!(remediation(&passed, day("2026-03-01")), None);
        // An undecided (insufficient) reassessment does not close it.
        let undecided = [failed[0].clone(), logged(2, Condition::Day, "2026-01-20", Some(Verdict::InsufficientSample))];
        assert!(remediation(&undecided, day("2026-03-01")).unwrap().overdue);
    }

    #[test]
    fn schedule_asks_for_night_daylight_annual_and_six_monthly_8_14() {
        let today = day("2026-06-01");
        let clauses = |log: &[Logged], imagery| -> Vec<String> {
            due(log, imagery, today)
                .into_iter()
                .map(|d| format!("{} {}", d.clause, d.due.unwrap_or_default()))
                .collect()
        };
        assert_eq!(clauses(&[], true), ["8.14.1 "]);
        let day_only = [logged(1, Condition::Day, "2026-01-10", Some(Verdict::Pass))];
        assert_eq!(clauses(&day_only, true), ["8.14.3 ", "8.14.4 2027-01-10"]);
        let both = [day_only[0].clone(), logged(2, Condition::Night, "2026-02-01", Some(Verdict::Pass))];
        assert_eq!(clauses(&both, false), ["8.14.4 2027-02-01", "8.14.4 2026-08-01"]);
        let mut exempt = logged(3, Condition::Day, "2026-03-01", None);
        exempt.covert_exemption = true;
        assert!(due(&[exempt], true, today).is_empty());
    }

    #[test]
    fn store_reads_only_for_the_video_period_9_3_3() {
        let m = READ_LOG_MARGIN_MS;
        assert!(read_log_period(1_000_000, 2_000_000, 1_000_000 - m, 2_000_000 + m).is_ok());
        assert_eq!(read_log_period(1_000_000, 2_000_000, 1_000_000 - m - 1, 2_000_000).unwrap_err().clause, "9.3.3");
        assert_eq!(check_sample(49).unwrap_err().clause, "8.14.4");
    }

    #[test]
    fn standards_per_system_type_8_7() {
        let percent = |s, d, m| Deployment::new(s, d, m).unwrap().capture_standard().percent;
        assert_eq!(percent(SystemType::Static, None, false), 98);
        assert_eq!(percent(SystemType::MultiLane, Some(Direction::Away), false), 90);
        assert_eq!(percent(SystemType::Cctv, None, false), 85);
        assert_eq!(percent(SystemType::Mobile, None, true), 80);
        assert_eq!(Deployment::new(SystemType::MultiLane, None, false), Err(DeploymentError::DirectionNeeded));
        assert!(Deployment::new(SystemType::Static, None, true).is_err());
    }

    #[test]
    fn exactly_the_standard_passes() {
        assert!(meets(245, 250, 98) && !meets(244, 250, 98));
    }
}
