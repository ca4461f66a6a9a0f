//! Text for the screen: numbers, names of roles and ranks, login messages. Pure functions, tested
//! on the host.

use anpr_types::{ApiError, Rank, Role};

/// `1234567` -> `1,234,567` (UK digit grouping).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Investigator => "Investigator",
        Role::EvidenceOfficer => "Evidence officer",
        Role::Engineer => "Engineer",
        Role::Administrator => "Administrator",
        Role::Auditor => "Auditor",
    }
}

pub fn rank_label(rank: Rank) -> &'static str {
    match rank {
        Rank::None => "No rank",
        Rank::Inspector => "Inspector",
        Rank::Superintendent => "Superintendent",
    }
}

/// The login screen's message for a failed login.
pub fn login_failure(err: &ApiError) -> String {
    match (err.code.as_str(), err.remaining_attempts) {
        ("authentication_failed", Some(n)) => format!(
            "Wrong password: {n} attempt{} left before the account locks (NASPLE Appendix A 12)",
            if n == 1 { "" } else { "s" }
        ),
        ("authentication_failed", None) => "Unknown user name or wrong password".to_owned(),
        _ => sentence(&err.message),
    }
}

/// First letter upper-case, for messages that start mid-sentence in the core.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The reader's confidence, 0..100 (bundle-format.md): `87.4` -> `87%`.
pub fn confidence(value: Option<f64>) -> String {
    match value {
        None => "—".to_owned(),
        Some(v) => format!("{v:.0}%"),
    }
}

/// `12345` bytes -> `12.1 KB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KB", "MB", "GB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{n} bytes") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// RFC 3339 UTC `2026-11-24T06:59:12Z` -> `24/11/2026 06:59 UTC`; anything else as it is.
pub fn utc_short(rfc3339: &str) -> String {
    let b = rfc3339.as_bytes();
    if b.len() >= 16 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' {
        format!("{}/{}/{} {} UTC", &rfc3339[8..10], &rfc3339[5..7], &rfc3339[0..4], &rfc3339[11..16])
    } else {
        rfc3339.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: &str, remaining: Option<u32>) -> ApiError {
        ApiError {
            code: code.into(),
            message: "the account is locked".into(),
            clause: None,
            needs: None,
            remaining_attempts: remaining,
            files: vec![],
        }
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn wrong_password_names_attempts_left() {
        assert_eq!(
            login_failure(&err("authentication_failed", Some(3))),
            "Wrong password: 3 attempts left before the account locks (NASPLE Appendix A 12)"
        );
        assert!(login_failure(&err("authentication_failed", Some(1))).contains("1 attempt left"));
        assert_eq!(login_failure(&err("account_locked", None)), "The account is locked");
    }

    #[test]
    fn confidence_and_bytes() {
        assert_eq!(confidence(Some(87.4)), "87%");
        assert_eq!(confidence(Some(100.0)), "100%");
        assert_eq!(confidence(None), "—");
        assert_eq!(bytes(512), "512 bytes");
        assert_eq!(bytes(2048), "2.0 KB");
    }

    #[test]
    fn utc_is_shortened() {
        assert_eq!(utc_short("2026-11-24T06:59:12Z"), "24/11/2026 06:59 UTC");
        assert_eq!(utc_short("never"), "never");
    }
}
