//! Account life-cycle rules: lockout and expiry (NASPLE Appendix A 12), temporary passwords
//! (Appendix A 13), suspension after 90 days unused (9.3.2).

use chrono::{DateTime, Duration, Utc};

/// Failed logins that lock an account until an administrator unlocks it (Appendix A 12).
pub const MAX_FAILED_LOGINS: u32 = 5;
/// A password expires a year after it was set (Appendix A 12).
pub const PASSWORD_LIFETIME_DAYS: i64 = 365;
/// An account not used for this long is suspended (9.3.2).
pub const INACTIVITY_SUSPENSION_DAYS: i64 = 90;

pub fn password_expires(set_at: DateTime<Utc>) -> DateTime<Utc> {
    set_at + Duration::days(PASSWORD_LIFETIME_DAYS)
}

pub fn password_expired(set_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= password_expires(set_at)
}

/// Unused for 90 days: measured from the last login, or from creation for a never-used account.
pub fn inactive(last_used: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - last_used >= Duration::days(INACTIVITY_SUSPENSION_DAYS)
}

/// Attempts left after `failed` consecutive failures.
pub fn attempts_left(failed: u32) -> u32 {
    MAX_FAILED_LOGINS.saturating_sub(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_one_year_appendix_a_12() {
        let set = DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z").unwrap().to_utc();
        assert!(!password_expired(set, set + Duration::days(364)));
        assert!(password_expired(set, set + Duration::days(365)));
    }

    #[test]
    fn suspension_after_90_days_unused_9_3_2() {
        let used = DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z").unwrap().to_utc();
        assert!(!inactive(used, used + Duration::days(89)));
        assert!(inactive(used, used + Duration::days(90)));
    }
}
