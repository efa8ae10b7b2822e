//! The server's clock: every time it records comes from here, never from a
//! client. Audit times never go backwards: a step is stamped no earlier
//! than the newest entry (a clock set back cannot reorder the log).

use clearance_core::audit::Entry;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

/// `now_ms` as RFC 3339 in whole seconds (as the audit log writes times),
/// no earlier than `last`'s time.
pub fn stamp(now_ms: i64, last: Option<&Entry>) -> String {
    let text = clearance_core::format_rfc3339(now_ms.div_euclid(1000) * 1000);
    let at = format!("{}Z", text.get(..19).unwrap_or(&text));
    match last {
        Some(entry) if entry.at > at => entry.at.clone(),
        _ => at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_whole_seconds_and_never_earlier_than_the_last_entry() {
        assert_eq!(stamp(1_764_583_200_999, None), "2025-12-01T10:00:00Z");
        let later = clearance_core::audit::next(None, "2030-01-01T00:00:00Z", "a", "b", "c", serde_json::Value::Null);
        assert_eq!(stamp(1_764_583_200_999, Some(&later)), "2030-01-01T00:00:00Z");
        let earlier = clearance_core::audit::next(None, "2020-01-01T00:00:00Z", "a", "b", "c", serde_json::Value::Null);
        assert_eq!(stamp(1_764_583_200_999, Some(&earlier)), "2025-12-01T10:00:00Z");
    }
}
