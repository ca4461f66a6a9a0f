//! Camera performance standards (NASPLE 8.7), the samples an evaluation needs (8.14.2, 8.14.3),
//! how verdicts combine, and the 30 days to put a failure right (7.4.7). The scorer
//! (`crate::evaluation`) counts; this file decides.

use anpr_types::{Direction, SystemType, Verdict};
use chrono::{Days, NaiveDate};

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

#[cfg(test)]
mod tests {
    use super::*;

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
