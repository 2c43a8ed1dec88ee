//! The organisation's clock: Québec's time zone, from the IANA database compiled in.
//!
//! Records carry their own UTC offset (the phone's, when saved), so reports never need a
//! time zone. Two things do: spreadsheets of past years whose times have no offset
//! (`csv_import`), and the instant a period ends, to tell whether a phone synced after it
//! (`/completeness`). And the server's start fills the reports of the months before today's
//! (`report_cache`).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Timelike};
use jiff::tz::TimeZone;

/// Québec's clock: the IANA database's zone of Montréal (`America/Montreal` is a link to
/// it), compiled in.
static QUEBEC: TimeZone = jiff::tz::get!("America/Toronto");

/// A date and time on Québec's clock as an instant with its offset, from the time-zone
/// database. When the clock moves, a time it skips (02:00 to 03:00 on the second Sunday of
/// March) is read as the same time an hour later, with the daylight offset (02:30 →
/// 03:30−04:00), as a clock not yet moved forward shows it; a time it shows twice (01:00
/// to 02:00 on the first Sunday of November) is the first one, in daylight time (−04:00).
/// `None` outside the years the database covers.
pub fn quebec_time(date: NaiveDate, time: NaiveTime) -> Option<DateTime<FixedOffset>> {
    let small = |n: u32| i8::try_from(n).ok();
    let civil = jiff::civil::DateTime::new(
        i16::try_from(date.year()).ok()?,
        small(date.month())?,
        small(date.day())?,
        small(time.hour())?,
        small(time.minute())?,
        small(time.second())?,
        0,
    )
    .ok()?;
    let instant = QUEBEC.to_ambiguous_timestamp(civil).compatible().ok()?;
    let offset = FixedOffset::east_opt(QUEBEC.to_offset(instant).seconds())?;
    Some(DateTime::from_timestamp(instant.as_second(), 0)?.with_timezone(&offset))
}

/// Today on Québec's clock, from the machine's clock.
pub fn today() -> NaiveDate {
    let date = QUEBEC.to_datetime(jiff::Timestamp::now()).date();
    NaiveDate::from_ymd_opt(
        i32::from(date.year()),
        u32::from(date.month().unsigned_abs()),
        u32::from(date.day().unsigned_abs()),
    )
    .unwrap_or_default()
}

/// Midnight starting `day` on Québec's clock, in ms since the epoch (a day the database
/// does not cover: midnight UTC−5).
pub fn start_of_day_ms(day: NaiveDate) -> i64 {
    quebec_time(day, NaiveTime::MIN)
        .map(|t| t.timestamp_millis())
        .unwrap_or_else(|| {
            day.and_time(NaiveTime::MIN).and_utc().timestamp_millis() + 5 * 3_600_000
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn a_day_starts_at_midnight_on_quebecs_clock_in_both_seasons() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            start_of_day_ms(day("2026-04-01")),
            ms("2026-04-01T00:00:00-04:00")
        );
        assert_eq!(
            start_of_day_ms(day("2027-01-01")),
            ms("2027-01-01T00:00:00-05:00")
        );
        // The days the clocks change start at midnight of the offset before the change.
        assert_eq!(
            start_of_day_ms(day("2026-03-08")),
            ms("2026-03-08T00:00:00-05:00")
        );
        assert_eq!(
            start_of_day_ms(day("2026-11-01")),
            ms("2026-11-01T00:00:00-04:00")
        );
    }
}
