//! Text for the screen: numbers, names of roles and ranks, login messages, casework wording, and
//! form values as requests take them. Pure functions, tested on the host.

use anpr_types::{ApiError, Category, Correction, Escalation, LocationLevel, Rank, Role, SystemType};

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

/// "1 exhibit", "3 exhibits".
pub fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
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

/// A `datetime-local` input's value (`YYYY-MM-DDTHH:MM`, UK local time) as a request takes it;
/// seconds are dropped and an empty box is `None` (the core's default).
pub fn form_time(value: &str) -> Option<String> {
    let value = value.trim();
    match value.len() {
        0 => None,
        19.. if value.as_bytes()[16] == b':' => Some(value[..16].to_owned()),
        _ => Some(value.to_owned()),
    }
}

/// The trimmed text, `None` when empty.
pub fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// `"CAM-1, CAM-2,"` -> `["CAM-1", "CAM-2"]`.
pub fn comma_list(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
}

/// A form's validation message naming the required fields left empty, or `None` when all are there.
pub fn missing_fields(fields: &[(&str, &str)]) -> Option<String> {
    let missing: Vec<&str> =
        fields.iter().filter(|(_, value)| value.trim().is_empty()).map(|(name, _)| *name).collect();
    match missing.as_slice() {
        [] => None,
        [one] => Some(format!("Enter the {one}.")),
        [first @ .., last] => Some(format!("Enter the {} and the {last}.", first.join(", the "))),
    }
}

/// The categories an investigation may be put forward to (Annex B); the core decides.
pub fn escalation_targets(from: Category) -> &'static [Category] {
    match from {
        Category::PriorityVolume => &[Category::Serious, Category::Major],
        Category::Serious => &[Category::Major],
        _ => &[],
    }
}

/// The rank that authorises an escalation to `to` (Annex B).
pub fn escalation_rank(to: Category) -> Rank {
    if to == Category::Serious { Rank::Inspector } else { Rank::Superintendent }
}

/// `Priority and Volume -> Serious, authorised by j.smith (Inspector) on 24/11/2026 10:00 GMT: reasons`.
pub fn escalation_text(e: &Escalation) -> String {
    format!(
        "{} → {}, authorised by {} ({}) on {}: {}",
        e.from.label(),
        e.to.label(),
        e.authorised_by,
        rank_label(e.rank),
        e.time_uk,
        e.reasons
    )
}

/// A correction as the detail pane shows it, the original value kept.
pub fn correction_text(c: &Correction) -> String {
    let what = match &c.corrected_vrm {
        Some(vrm) if c.kind != "delete" => format!("corrected to {vrm}"),
        _ => "deleted as incorrect".to_owned(),
    };
    format!("Originally read as {}, {what} by {} on {}: {}", c.original_vrm, c.by, c.time_uk, c.reason)
}

pub fn system_type_label(t: SystemType) -> &'static str {
    match t {
        SystemType::Static => "Static",
        SystemType::Moveable => "Moveable",
        SystemType::MultiLane => "Multi-lane",
        SystemType::Cctv => "CCTV integrated",
        SystemType::Mobile => "Mobile",
        SystemType::Covert => "Covert",
    }
}

/// A location level as 9.4.3.3 numbers it: `2 postcode`.
pub fn level_text(level: LocationLevel) -> String {
    format!("{} {}", level.number(), level.label())
}

/// The level select's options: `1 general area (preferred)` ... `4 precise location`.
pub fn level_options() -> Vec<(String, String)> {
    LocationLevel::ALL
        .iter()
        .map(|l| {
            let note = if *l == LocationLevel::Area { " (preferred, no consent needed)" } else { "" };
            (l.as_str().to_owned(), format!("{}{note}", level_text(*l)))
        })
        .collect()
}

/// What an exhibit's recorded consent allows: `mobile: exempt` or `up to 2 postcode`.
pub fn consented_text(mobile: bool, consented: LocationLevel) -> String {
    if mobile { "mobile: exempt".to_owned() } else { format!("up to {}", level_text(consented)) }
}

/// Whether a camera may be described at `chosen`, and why (9.4.3): level 1 always; above it, a
/// recorded consent up to that level, except for mobile ANPR.
pub fn level_allowance(mobile: bool, consented: LocationLevel, chosen: LocationLevel) -> (bool, String) {
    if mobile {
        (true, "allowed: mobile ANPR is exempt".to_owned())
    } else if chosen == LocationLevel::Area {
        (true, "allowed: level 1 needs no consent".to_owned())
    } else if consented >= chosen {
        (true, format!("allowed: consent recorded up to {}", level_text(consented)))
    } else {
        (
            false,
            format!(
                "needs the controller's consent to level {} (recorded: {})",
                chosen.number(),
                level_text(consented)
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "exhibit"), "1 exhibit");
        assert_eq!(plural(0, "exhibit"), "0 exhibits");
        assert_eq!(plural(20, "exhibit"), "20 exhibits");
    }

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

    #[test]
    fn datetime_local_values_become_request_strings() {
        assert_eq!(form_time(""), None);
        assert_eq!(form_time("  "), None);
        assert_eq!(form_time("2026-11-24T06:59"), Some("2026-11-24T06:59".into()));
        assert_eq!(form_time("2026-11-24T06:59:30"), Some("2026-11-24T06:59".into()));
        assert_eq!(form_time("2026-11-24"), Some("2026-11-24".into()));
    }

    #[test]
    fn form_values() {
        assert_eq!(optional("  AUTH-0001 "), Some("AUTH-0001".into()));
        assert_eq!(optional(" "), None);
        assert_eq!(comma_list(" CAM-1, ,CAM-2,"), vec!["CAM-1".to_owned(), "CAM-2".to_owned()]);
        assert!(comma_list("").is_empty());
        assert_eq!(missing_fields(&[("title", "x"), ("SIO", " ")]), Some("Enter the SIO.".into()));
        assert_eq!(
            missing_fields(&[("reasons", ""), ("community factor", ""), ("offender factor", "")]),
            Some("Enter the reasons, the community factor and the offender factor.".into())
        );
        assert_eq!(missing_fields(&[("title", "x")]), None);
    }

    #[test]
    fn escalation_ladder() {
        assert_eq!(escalation_targets(Category::PriorityVolume), &[Category::Serious, Category::Major]);
        assert_eq!(escalation_targets(Category::Serious), &[Category::Major]);
        assert!(escalation_targets(Category::Major).is_empty());
        assert!(escalation_targets(Category::CounterTerrorism).is_empty());
        assert_eq!(escalation_rank(Category::Serious), Rank::Inspector);
        assert_eq!(escalation_rank(Category::Major), Rank::Superintendent);
        let e = Escalation {
            from: Category::PriorityVolume,
            to: Category::Serious,
            authorised_by: "demo.inspector".into(),
            rank: Rank::Inspector,
            reasons: "weapon used".into(),
            factors: Default::default(),
            time_uk: "24/11/2026 10:00 GMT".into(),
        };
        assert_eq!(
            escalation_text(&e),
            "Priority and Volume → Serious, authorised by demo.inspector (Inspector) on 24/11/2026 10:00 GMT: weapon used"
        );
    }

    #[test]
    fn corrections_keep_the_original() {
        let mut c = Correction {
            read_id: "R1".into(),
            kind: "vrm".into(),
            original_vrm: "AB12CDE".into(),
            corrected_vrm: Some("AB12COE".into()),
            reason: "O misread as D".into(),
            by: "demo.investigator".into(),
            time_uk: "24/11/2026 10:00 GMT".into(),
        };
        assert_eq!(
            correction_text(&c),
            "Originally read as AB12CDE, corrected to AB12COE by demo.investigator on 24/11/2026 10:00 GMT: O misread as D"
        );
        c.kind = "delete".into();
        c.corrected_vrm = None;
        assert!(correction_text(&c).starts_with("Originally read as AB12CDE, deleted as incorrect by"));
    }

    #[test]
    fn location_levels_in_words() {
        use LocationLevel::*;
        assert_eq!(level_text(Postcode), "2 postcode");
        assert_eq!(level_options()[0], ("area".to_owned(), "1 general area (preferred, no consent needed)".to_owned()));
        assert_eq!(level_options()[3], ("precise".to_owned(), "4 precise location".to_owned()));
        assert_eq!(consented_text(true, Precise), "mobile: exempt");
        assert_eq!(consented_text(false, Area), "up to 1 general area");
        assert_eq!(level_allowance(false, Area, Area), (true, "allowed: level 1 needs no consent".to_owned()));
        assert_eq!(level_allowance(true, Precise, Precise), (true, "allowed: mobile ANPR is exempt".to_owned()));
        assert_eq!(level_allowance(false, Road, Postcode), (true, "allowed: consent recorded up to 3 road".to_owned()));
        assert_eq!(
            level_allowance(false, Postcode, Road),
            (false, "needs the controller's consent to level 3 (recorded: 2 postcode)".to_owned())
        );
    }
}
