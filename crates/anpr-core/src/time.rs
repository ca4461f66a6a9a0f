//! Times are UTC inside; people see UK local time with daylight saving applied (NASPLE 7.4.3).

use chrono::{DateTime, Utc};
use chrono_tz::Europe::London;

/// `24/11/2026 06:59:12 GMT` (or `BST` in summer).
pub fn uk(t: DateTime<Utc>) -> String {
    t.with_timezone(&London).format("%d/%m/%Y %H:%M:%S %Z").to_string()
}

#[cfg(test)]
mod tests {
    use super::uk;
    use chrono::DateTime;

    #[test]
    fn shows_uk_local_time_with_daylight_saving_7_4_3() {
        let winter = DateTime::parse_from_rfc3339("2026-11-24T06:59:12Z").unwrap().to_utc();
        let summer = DateTime::parse_from_rfc3339("2026-07-01T12:00:00Z").unwrap().to_utc();
        assert_eq!(uk(winter), "24/11/2026 06:59:12 GMT");
        assert_eq!(uk(summer), "01/07/2026 13:00:00 BST");
    }
}
