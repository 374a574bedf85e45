//! `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// How long to wait from `now`: the seconds as given, or until the HTTP date (an IMF-fixdate
/// such as `Wed, 21 Oct 2015 07:28:00 GMT`; a date already past is no wait). `None` when the
/// value is neither.
pub(super) fn parse(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (date.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn seconds_are_taken_as_they_are() {
        assert_eq!(parse(" 120 ", now()), Some(Duration::from_secs(120)));
    }

    #[test]
    fn an_http_date_is_the_time_until_it() {
        assert_eq!(
            parse("Wed, 21 Oct 2015 07:28:45 GMT", now()),
            Some(Duration::from_secs(45))
        );
    }

    #[test]
    fn a_past_date_is_no_wait_and_nonsense_is_none() {
        assert_eq!(
            parse("Wed, 21 Oct 2015 07:27:00 GMT", now()),
            Some(Duration::ZERO)
        );
        assert_eq!(parse("soon", now()), None);
    }
}
