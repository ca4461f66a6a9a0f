//! How long reads stay on the workstation (NASPLE 8.9.4, 9.5.1, 9.8). A workstation is a
//! system outside the NAS: what it holds goes 7 days after entry unless a review retains it;
//! nothing stays past 12 months from capture unless retained under CPIA for an investigation.

use super::Refusal;
use anpr_types::Role;
use chrono::{DateTime, Duration, Utc};

/// Days a read stays after entry unless retained under CPIA or MOPI (8.9.4, 9.8).
pub const ENTRY_DAYS: i64 = 7;
/// A read's metadata goes on day 366 after capture, i.e. once 365 whole days have passed
/// (9.5.1); its images the day after.
pub const CAPTURE_DAYS: i64 = 365;

pub const RULES: &[&str] = &[
    "Reads are deleted 7 days after they were entered on this workstation, unless a review retained them under CPIA (relevant to a named investigation) or MOPI (NASPLE 8.9.4, 9.8).",
    "Nothing is kept past 12 months from capture unless retained under CPIA: the read's record goes on day 366, its images the day after (NASPLE 9.5.1). MOPI retention does not extend this.",
    "Reads retained under CPIA are then searchable only for the investigation that retained them (NASPLE 9.5.1, Annex C).",
    "Retention runs when the application starts and every hour; each run is audited with its counts.",
];

/// Reads entered at or before this instant are due under the 7-day rule.
pub fn entered_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::days(ENTRY_DAYS)
}

/// Reads captured at or before this instant are due under the 12-month rule.
pub fn captured_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::days(CAPTURE_DAYS)
}

/// When the images of a read captured at `read_time` go, once the read has gone by the
/// 12-month rule: the day after its metadata (9.5.1 footnote).
pub fn images_due(read_time: DateTime<Utc>) -> DateTime<Utc> {
    read_time + Duration::days(CAPTURE_DAYS + 1)
}

/// Whether `role` may apply the rules as of `as_of`. As of now (or a past time, which deletes
/// less) anyone may; as of a later time only an administrator, since that deletes reads before
/// the rules would (a planned run, or a demonstration).
pub fn may_run_as_of(role: Role, as_of: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), Refusal> {
    if as_of > now && role != Role::Administrator {
        return Err(Refusal::new(
            "8.9.4, 9.8",
            "a retention run as of a later time than now would delete reads before the rules do",
            Some("a run as of now (no --now), or an administrator account for a planned run ahead of time".into()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_are_whole_days_9_5_1_and_9_8() {
        let now = DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z").unwrap().to_utc();
        assert_eq!(entered_cutoff(now).to_rfc3339(), "2026-11-17T12:00:00+00:00");
        assert_eq!(captured_cutoff(now).to_rfc3339(), "2025-11-24T12:00:00+00:00");
        assert_eq!(images_due(captured_cutoff(now)), now + Duration::days(1));
    }

    #[test]
    fn only_an_administrator_runs_retention_ahead_of_time_8_9_4() {
        let now = DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z").unwrap().to_utc();
        let later = now + Duration::days(8);
        assert!(may_run_as_of(Role::Investigator, now, now).is_ok());
        assert!(may_run_as_of(Role::Investigator, now - Duration::days(1), now).is_ok());
        assert_eq!(may_run_as_of(Role::Investigator, later, now).unwrap_err().clause, "8.9.4, 9.8");
        assert!(may_run_as_of(Role::Administrator, later, now).is_ok());
    }
}
