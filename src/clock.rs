//! The clock: every time prov writes (a capture's time, a revision's supersession, a report's
//! date) comes from here. `SOURCE_DATE_EPOCH` (whole seconds since 1970, as in reproducible
//! builds) overrides the system clock, so tests and reproducible reports are byte-identical.
//! Times are RFC 3339 in UTC, to the second, between 1970 and the end of year 9999: TOML's
//! date-time (and RFC 3339) has four-digit years, so a time outside that range is refused
//! (`SOURCE_DATE_EPOCH`) or replaced by the system clock (a file's odd modification time).

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 9999-12-31T23:59:59Z, the last second RFC 3339 can write.
pub const MAX_EPOCH: u64 = 253_402_300_799;

/// Parse a `SOURCE_DATE_EPOCH` value: whole seconds from 0 to [`MAX_EPOCH`].
pub fn parse_epoch(value: &str) -> Option<u64> {
    value.trim().parse::<u64>().ok().filter(|&s| s <= MAX_EPOCH)
}

/// SOURCE_DATE_EPOCH, when set and valid (the binary refuses to run with an invalid one).
fn source_date_epoch() -> Option<SystemTime> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .as_deref()
        .and_then(parse_epoch)
        .map(|secs| UNIX_EPOCH + Duration::from_secs(secs))
}

/// SOURCE_DATE_EPOCH as RFC 3339, when set: the only time a report shows.
pub fn source_date_epoch_rfc3339() -> Option<String> {
    source_date_epoch().and_then(rfc3339)
}

/// Now (or SOURCE_DATE_EPOCH), as RFC 3339 in UTC, to the second.
pub fn now_rfc3339() -> String {
    source_date_epoch()
        .and_then(rfc3339)
        .or_else(|| rfc3339(SystemTime::now()))
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}

/// When a file was written (or SOURCE_DATE_EPOCH), as RFC 3339: the time of a capture. A
/// modification time before 1970 or after 9999 (a file touched by hand) is no time at all:
/// the capture is then dated now.
pub fn file_time_rfc3339(path: &Path) -> String {
    if source_date_epoch().is_some() {
        return now_rfc3339();
    }
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(rfc3339)
        .unwrap_or_else(now_rfc3339)
}

/// `t` as RFC 3339, when it lies between 1970 and the end of 9999.
fn rfc3339(t: SystemTime) -> Option<String> {
    let secs = t.duration_since(UNIX_EPOCH).ok()?.as_secs();
    (secs <= MAX_EPOCH).then(|| humantime::format_rfc3339_seconds(t).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_is_what_rfc3339_can_write() {
        assert_eq!(parse_epoch("0"), Some(0));
        assert_eq!(parse_epoch(" 1700000000 "), Some(1_700_000_000));
        assert_eq!(parse_epoch("253402300799"), Some(MAX_EPOCH));
        assert_eq!(parse_epoch("253402300800"), None);
        assert_eq!(parse_epoch("18446744073709551615"), None);
        assert_eq!(parse_epoch("-1"), None);
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(MAX_EPOCH)).as_deref(),
            Some("9999-12-31T23:59:59Z")
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(MAX_EPOCH + 1)),
            None
        );
        assert_eq!(rfc3339(UNIX_EPOCH - Duration::from_secs(1)), None);
    }
}
