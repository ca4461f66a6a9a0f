//! Times are UTC inside; people see UK local time with daylight saving applied (NASPLE 7.4.3).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::London;

/// `24/11/2026 06:59:12 GMT` (or `BST` in summer).
pub fn uk(t: DateTime<Utc>) -> String {
    t.with_timezone(&London).format("%d/%m/%Y %H:%M:%S %Z").to_string()
}

/// A time as people type it: RFC 3339, `YYYY-MM-DD` (midnight UK local time, cli.md) or
/// `YYYY-MM-DDTHH:MM[:SS]` (UK local time, what a form's `datetime-local` gives).
pub fn parse(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.to_utc());
    }
    let local = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))
        .ok_or_else(|| {
            format!("{text:?} is not a time: use RFC 3339, YYYY-MM-DD or YYYY-MM-DDTHH:MM (UK local time)")
        })?;
    // In the autumn's repeated hour the earlier instant is meant; in the spring's missing hour
    // there is none, and the user is told.
    London
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.to_utc())
        .ok_or_else(|| format!("{text} does not exist in UK local time (the clocks went forward)"))
}

#[cfg(test)]
mod tests {
    use super::{parse, uk};
    use chrono::DateTime;

    #[test]
    fn shows_uk_local_time_with_daylight_saving_7_4_3() {
        let winter = DateTime::parse_from_rfc3339("2026-11-24T06:59:12Z").unwrap().to_utc();
        let summer = DateTime::parse_from_rfc3339("2026-07-01T12:00:00Z").unwrap().to_utc();
        assert_eq!(uk(winter), "24/11/2026 06:59:12 GMT");
        assert_eq!(uk(summer), "01/07/2026 13:00:00 BST");
    }

    #[test]
    fn parses_what_people_type_in_uk_local_time_7_4_3() {
        let at = |s: &str| parse(s).map(|t| t.to_rfc3339());
        assert_eq!(at("2026-07-01"), Ok("2026-06-30T23:00:00+00:00".into()));
        assert_eq!(at("2026-11-24T09:30"), Ok("2026-11-24T09:30:00+00:00".into()));
        assert_eq!(at("2026-07-01T09:30"), Ok("2026-07-01T08:30:00+00:00".into()));
        assert_eq!(at("2026-07-01T09:30:00+02:00"), Ok("2026-07-01T07:30:00+00:00".into()));
        assert!(parse("2026-03-29T01:30").is_err(), "01:30 on the spring change does not exist");
        assert!(parse("yesterday").is_err());
    }
}
