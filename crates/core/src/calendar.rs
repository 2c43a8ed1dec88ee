//! The organisation's calendar: the fiscal year (April to March) and the periods a worker's
//! figures cover, all in local days.
//!
//! A record's day is the calendar day of its own timestamp, at the UTC offset the phone had
//! when it was saved ([`crate::Record::local_date`]): a contact logged at 23:30 on the 31st
//! of March belongs to the fiscal year it was logged in, wherever the server runs and
//! whatever the offset is on the day the report is printed. Nothing here reads a clock:
//! callers pass "today" and "now".

use chrono::{DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate};

/// The first day of the fiscal year (April to March, the organisation's habit) `day` is in.
pub fn fiscal_year_start(day: NaiveDate) -> NaiveDate {
    let year = if day.month() >= 4 {
        day.year()
    } else {
        day.year() - 1
    };
    NaiveDate::from_ymd_opt(year, 4, 1).unwrap_or(day)
}

/// The fiscal year `day` is in, as its first and last days (1 April – 31 March).
pub fn fiscal_year(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = fiscal_year_start(day);
    let end = start
        .checked_add_months(Months::new(12))
        .and_then(|next| next.pred_opt())
        .unwrap_or(day);
    (start, end)
}

/// The same day a year earlier (29 February becomes the 28th).
pub fn year_before(day: NaiveDate) -> NaiveDate {
    day.checked_sub_months(Months::new(12)).unwrap_or(day)
}

/// How long a shift is, for « Mes chiffres »: the worker's last twelve hours.
pub const SHIFT: Duration = Duration::hours(12);

/// Whether `at` falls in the shift ending `now`. Instants are compared, not wall-clock
/// times: a shift across a daylight-saving change lasts twelve real hours, and a record
/// saved at another UTC offset (before the change) is placed by its instant.
pub fn in_shift(at: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> bool {
    at <= now && at >= now - SHIFT
}

/// The periods of « Mes chiffres » that end today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Today,
    /// Monday to today.
    Week,
    /// The first of the month to today.
    Month,
    /// 1 January to today.
    Year,
}

impl Period {
    /// The period's first and last days, both inclusive.
    pub fn days(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let first = match self {
            Period::Today => today,
            Period::Week => {
                today - Duration::days(i64::from(today.weekday().num_days_from_monday()))
            }
            Period::Month => today.with_day(1).unwrap_or(today),
            Period::Year => today.with_ordinal(1).unwrap_or(today),
        };
        (first, today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::draft;
    use crate::{Record, Report, ReportFilter, Taxonomy};
    use proptest::prelude::*;
    use uuid::Uuid;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn the_fiscal_year_runs_from_april_to_march() {
        assert_eq!(fiscal_year(d(2026, 3, 31)), (d(2025, 4, 1), d(2026, 3, 31)));
        assert_eq!(fiscal_year(d(2026, 4, 1)), (d(2026, 4, 1), d(2027, 3, 31)));
        assert_eq!(fiscal_year(d(2027, 1, 1)), (d(2026, 4, 1), d(2027, 3, 31)));
        assert_eq!(fiscal_year(d(2028, 2, 29)), (d(2027, 4, 1), d(2028, 3, 31)));
        assert_eq!(year_before(d(2028, 2, 29)), d(2027, 2, 28));
    }

    #[test]
    fn periods_end_today_and_start_where_the_calendar_says() {
        // Thursday 3 December 2026.
        let today = d(2026, 12, 3);
        assert_eq!(Period::Today.days(today), (today, today));
        assert_eq!(Period::Week.days(today), (d(2026, 11, 30), today));
        assert_eq!(Period::Month.days(today), (d(2026, 12, 1), today));
        assert_eq!(Period::Year.days(today), (d(2026, 1, 1), today));
        // A Monday starts its own week; 1 January its own month and year.
        assert_eq!(Period::Week.days(d(2026, 11, 30)).0, d(2026, 11, 30));
        assert_eq!(
            Period::Year.days(d(2027, 1, 1)),
            (d(2027, 1, 1), d(2027, 1, 1))
        );
        assert_eq!(Period::Month.days(d(2028, 2, 29)).0, d(2028, 2, 1));
    }

    #[test]
    fn a_shift_is_twelve_real_hours_across_a_clock_change() {
        // Québec springs forward at 02:00 on 8 March 2026 (−05:00 → −04:00): at 08:00
        // daylight time, twelve hours back is 19:00 standard time the day before.
        let now = at("2026-03-08T08:00:00-04:00");
        assert!(in_shift(at("2026-03-07T19:00:00-05:00"), now));
        assert!(!in_shift(at("2026-03-07T18:59:59-05:00"), now));
        assert!(in_shift(at("2026-03-08T03:30:00-04:00"), now));
        assert!(!in_shift(at("2026-03-08T08:00:01-04:00"), now));
        // 1 November 2026: 01:30 happens twice; both are in a shift ending at 02:30 EST.
        let now = at("2026-11-01T02:30:00-05:00");
        assert!(in_shift(at("2026-11-01T01:30:00-04:00"), now));
        assert!(in_shift(at("2026-11-01T01:30:00-05:00"), now));
        // Twelve hours before 02:30 EST is 15:30 daylight time the day before.
        assert!(in_shift(at("2026-10-31T15:30:00-04:00"), now));
        assert!(!in_shift(at("2026-10-31T15:29:00-04:00"), now));
    }

    /// The instant's local day at that offset, computed without chrono's date-time types.
    fn oracle_day(utc_secs: i64, offset_secs: i32) -> NaiveDate {
        let days = (utc_secs + i64::from(offset_secs)).div_euclid(86_400);
        d(1970, 1, 1) + Duration::days(days)
    }

    proptest! {
        /// The phone writes a record with its own offset; the server reads it with
        /// chrono's parser, the phone reads it back with its own (`time.rs`). All three,
        /// and the report on either side, agree on its local day and fiscal year.
        #[test]
        fn phone_and_server_agree_on_a_records_day_and_fiscal_year(
            // 1990 to 2100.
            utc_secs in 631_152_000i64..4_102_444_800,
            // Every offset in use, in quarter hours: −12:00 to +14:00.
            quarters in -48i32..=56,
            millis in 0u32..1000,
        ) {
            let offset = FixedOffset::east_opt(quarters * 900).unwrap();
            let instant = DateTime::from_timestamp(utc_secs, millis * 1_000_000).unwrap();
            let on_phone = instant.with_timezone(&offset);
            let contact = draft()
                .finish(Uuid::from_u128(1), on_phone, &Taxonomy::builtin())
                .unwrap();
            let json = serde_json::to_string(&Record::Contact(contact)).unwrap();

            let expected = oracle_day(utc_secs, quarters * 900);
            let on_server: Record = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(on_server.local_date(), expected);
            let text = serde_json::from_str::<serde_json::Value>(&json).unwrap()["occurred_at"]
                .as_str()
                .unwrap()
                .to_owned();
            let read_back = crate::time::parse_datetime(&text).unwrap();
            prop_assert_eq!(read_back, on_phone);
            prop_assert_eq!(read_back.date_naive(), expected);
            prop_assert_eq!(fiscal_year(read_back.date_naive()), fiscal_year(expected));

            // The report counts it on that day and in that fiscal year, and not next door.
            let count = |from: NaiveDate, to: NaiveDate| {
                Report::compute_without_cross_tables(
                    [&on_server],
                    &ReportFilter { from, to, programs: None },
                )
                .interventions
            };
            prop_assert_eq!(count(expected, expected), 1);
            prop_assert_eq!(count(expected.pred_opt().unwrap(), expected.pred_opt().unwrap()), 0);
            prop_assert_eq!(count(expected.succ_opt().unwrap(), expected.succ_opt().unwrap()), 0);
            let (first, last) = fiscal_year(expected);
            prop_assert_eq!(count(first, last), 1);
            prop_assert_eq!(count(year_before(first), first.pred_opt().unwrap()), 0);
        }
    }
}
