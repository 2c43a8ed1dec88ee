//! RFC 3339 date-times and `YYYY-MM-DD` dates, read by hand: chrono's general parser
//! (`format::parse`, 13 kB of wasm) stays out of the phone's download.
//!
//! Every valid RFC 3339 date-time reads as chrono reads it (`T` or `t` or a space between
//! date and time, any number of fraction digits of which the first nine count, `Z`, `z` or
//! `±HH:MM`, a leap second `:60`), and so does every date chrono's `Display` and serde
//! write (years outside 0–9999 carry a sign). chrono's parser is laxer about malformed
//! text (one-digit fields, spaces between fields or at the end, `UTC`, offsets without a
//! colon): this one refuses it. The phone only reads text that chrono or a date input wrote, so the
//! phone's data reads the same. The server keeps chrono's parser (the serde attributes
//! using this module apply on wasm only).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};

/// An RFC 3339 date-time (see the module's documentation).
pub fn parse_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    let (date, rest) = date_prefix(s.as_bytes())?;
    let (&sep, rest) = rest.split_first()?;
    if !matches!(sep, b'T' | b't' | b' ') {
        return None;
    }
    let (hour, rest) = two_digits(rest)?;
    let rest = rest.strip_prefix(b":")?;
    let (minute, rest) = two_digits(rest)?;
    let rest = rest.strip_prefix(b":")?;
    let (second, mut rest) = two_digits(rest)?;
    let mut nano = 0;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        for i in 0..9 {
            nano = nano * 10
                + fraction
                    .get(i)
                    .filter(|_| i < digits)
                    .map_or(0, |b| u32::from(b - b'0'));
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (h, _) = two_digits(&[*h1, *h2])?;
            let (m, _) = two_digits(&[*m1, *m2])?;
            if h > 23 || m > 59 {
                return None;
            }
            let secs = (h * 3600 + m * 60) as i32;
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return None,
    };
    // A leap second is the 59th second's second billion nanoseconds, as chrono keeps it.
    let time = match second {
        60 => NaiveTime::from_hms_nano_opt(hour, minute, 59, nano + 1_000_000_000)?,
        _ => NaiveTime::from_hms_nano_opt(hour, minute, second, nano)?,
    };
    date.and_time(time)
        .and_local_timezone(FixedOffset::east_opt(offset)?)
        .single()
}

/// A date, `YYYY-MM-DD` (a year outside 0–9999 with its sign, as chrono writes it).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    match date_prefix(s.as_bytes())? {
        (date, []) => Some(date),
        _ => None,
    }
}

fn date_prefix(s: &[u8]) -> Option<(NaiveDate, &[u8])> {
    let (sign, s) = match s.first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => (0, s),
    };
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    // Unsigned: exactly four digits. Signed: four or more (chrono's `{:+05}`), up to its
    // range of ±262 143.
    if (sign == 0 && digits != 4) || !(4..=6).contains(&digits) {
        return None;
    }
    let year = s[..digits]
        .iter()
        .fold(0i32, |n, b| n * 10 + i32::from(b - b'0'));
    let year = if sign < 0 { -year } else { year };
    let s = s[digits..].strip_prefix(b"-")?;
    let (month, s) = two_digits(s)?;
    let s = s.strip_prefix(b"-")?;
    let (day, s) = two_digits(s)?;
    Some((NaiveDate::from_ymd_opt(year, month, day)?, s))
}

fn two_digits(s: &[u8]) -> Option<(u32, &[u8])> {
    match s {
        [a @ b'0'..=b'9', b @ b'0'..=b'9', rest @ ..] => {
            Some((u32::from(a - b'0') * 10 + u32::from(b - b'0'), rest))
        }
        _ => None,
    }
}

/// `#[serde(deserialize_with = "carnet_core::time::datetime")]`
pub fn datetime<'de, D: serde::Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
    let text: String = serde::Deserialize::deserialize(d)?;
    parse_datetime(&text).ok_or_else(|| serde::de::Error::custom("invalid RFC 3339 date-time"))
}

/// `#[serde(deserialize_with = "carnet_core::time::date")]`
pub fn date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let text: String = serde::Deserialize::deserialize(d)?;
    parse_date(&text).ok_or_else(|| serde::de::Error::custom("invalid date (YYYY-MM-DD)"))
}

/// `#[serde(default, deserialize_with = "carnet_core::time::optional_date")]`
pub fn optional_date<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<NaiveDate>, D::Error> {
    let text: Option<String> = serde::Deserialize::deserialize(d)?;
    text.map(|t| {
        parse_date(&t).ok_or_else(|| serde::de::Error::custom("invalid date (YYYY-MM-DD)"))
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
        s.parse::<DateTime<FixedOffset>>().ok()
    }

    #[test]
    fn reads_rfc3339_as_chrono_does() {
        for s in [
            "2026-11-29T13:30:00Z",
            "2026-11-29T13:30:00z",
            "2026-11-29t13:30:00+00:00",
            "2026-11-29 13:30:00-05:00",
            "2026-11-29T13:30:00.1-05:00",
            "2026-11-29T13:30:00.123+01:00",
            "2026-11-29T13:30:00.123456-04:00",
            "2026-11-29T13:30:00.123456789-04:00",
            "2026-11-29T13:30:00.1234567891234+05:30",
            "2026-11-29T23:59:60.5Z",
            "2026-12-31T23:59:60Z",
            "2024-02-29T00:00:00-23:59",
            "0000-01-01T00:00:00+23:59",
            "9999-12-31T23:59:59-00:00",
            "1970-01-01T00:00:00Z",
        ] {
            let ours = parse_datetime(s);
            assert!(ours.is_some(), "{s}");
            assert_eq!(ours, chrono_datetime(s), "{s}");
            // The same instant and the same offset.
            assert_eq!(
                ours.map(|d| (
                    d.timestamp(),
                    d.timestamp_subsec_nanos(),
                    d.offset().local_minus_utc()
                )),
                chrono_datetime(s).map(|d| (
                    d.timestamp(),
                    d.timestamp_subsec_nanos(),
                    d.offset().local_minus_utc()
                )),
                "{s}"
            );
        }
    }

    #[test]
    fn reads_what_chrono_writes() {
        let base = parse_datetime("2026-03-08T01:59:59.000000001-05:00").unwrap();
        let offsets = [-43_200, -18_000, -16_200, 0, 3_600, 19_800, 50_400];
        let mut n: i64 = 0x2545_f491_4f6c_dd1d;
        for i in 0..5_000 {
            // A simple LCG: seconds over ±400 years, nanoseconds of every precision.
            n = n
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let secs = (n >> 11) % (400 * 366 * 86_400);
            let nanos = match i % 4 {
                0 => 0,
                1 => ((n >> 7) as u32 % 1000) * 1_000_000,
                2 => ((n >> 5) as u32 % 1_000_000) * 1000,
                _ => (n >> 3) as u32 % 1_000_000_000,
            };
            let offset = FixedOffset::east_opt(offsets[i % offsets.len()]).unwrap();
            let at = (base
                + chrono::Duration::seconds(secs)
                + chrono::Duration::nanoseconds(i64::from(nanos)))
            .with_timezone(&offset);
            let json = serde_json::to_string(&at).unwrap();
            let text: String = serde_json::from_str(&json).unwrap();
            assert_eq!(parse_datetime(&text), Some(at), "{text}");
            assert_eq!(parse_datetime(&at.to_rfc3339()), Some(at));
            let day = at.date_naive();
            assert_eq!(parse_date(&day.to_string()), Some(day));
            assert_eq!(parse_date(&day.to_string()), day.to_string().parse().ok());
        }
    }

    #[test]
    fn dates_outside_four_digit_years_read_as_chrono_writes_them() {
        for (y, m, d) in [
            (-1, 1, 1),
            (10_000, 12, 31),
            (-262_000, 6, 1),
            (262_000, 2, 29),
        ] {
            let Some(day) = NaiveDate::from_ymd_opt(y, m, d) else {
                continue;
            };
            let text = day.to_string();
            assert_eq!(parse_date(&text), Some(day), "{text}");
            let at = day.and_hms_opt(1, 2, 3).unwrap().and_utc().fixed_offset();
            let written = serde_json::to_value(at).unwrap();
            assert_eq!(
                parse_datetime(written.as_str().unwrap()),
                Some(at),
                "{written}"
            );
        }
    }

    #[test]
    fn refuses_malformed_text() {
        for s in [
            "",
            "2026-11-29",
            "2026-11-29T",
            "2026-11-29T13:30",
            "2026-11-29T13:30:00",
            "2026-11-29T13:30:00+0500",
            "2026-11-29T13:30:00+05",
            "2026-11-29T13:30:00 +05:00",
            "2026-11-29T13:30:00UTC",
            "2026-11-29T13:30:00.Z",
            "2026-11-29T13:30:00,5Z",
            "2026-11-29T13:30:00Z ",
            " 2026-11-29T13:30:00Z",
            "2026-11-29X13:30:00Z",
            "2026-11-29T24:00:00Z",
            "2026-11-29T13:60:00Z",
            "2026-11-29T13:30:61Z",
            "2026-11-29T13:30:00+24:00",
            "2026-11-29T13:30:00+05:60",
            "2026-11-31T13:30:00Z",
            "2026-02-29T13:30:00Z",
            "2026-13-01T13:30:00Z",
            "2026-00-01T13:30:00Z",
            "2026-1-29T13:30:00Z",
            "26-11-29T13:30:00Z",
            "20261-11-29T13:30:00Z",
            "2026-11-29T1:30:00Z",
            "2026-11-29T13:30:00Zjunk",
            "２０２６-11-29T13:30:00Z",
        ] {
            assert_eq!(parse_datetime(s), None, "{s:?}");
        }
        for s in [
            "",
            "2026-11",
            "2026-11-29 ",
            "2026-11-29T",
            "2026-02-30",
            "2026-1-02",
            "226-01-02",
            "02026-01-02",
            "+202-01-02",
            "2026/01/02",
            "2026-01-02x",
            "2026-01-0a",
        ] {
            assert_eq!(parse_date(s), None, "{s:?}");
        }
    }

    #[test]
    fn serde_helpers_read_strings_and_refuse_the_rest() {
        #[derive(serde::Deserialize, Debug)]
        struct Row {
            #[serde(deserialize_with = "datetime")]
            at: DateTime<FixedOffset>,
            #[serde(deserialize_with = "date")]
            day: NaiveDate,
            #[serde(default, deserialize_with = "optional_date")]
            through: Option<NaiveDate>,
        }
        let row: Row = serde_json::from_str(
            r#"{"at":"2026-11-29T13:30:00.5-05:00","day":"2026-11-29","through":"2026-01-31"}"#,
        )
        .unwrap();
        assert_eq!(
            row.at,
            chrono_datetime("2026-11-29T13:30:00.5-05:00").unwrap()
        );
        assert_eq!(row.day, NaiveDate::from_ymd_opt(2026, 11, 29).unwrap());
        assert_eq!(row.through, NaiveDate::from_ymd_opt(2026, 1, 31));
        let row: Row = serde_json::from_str(
            r#"{"at":"2026-11-29T13:30:00Z","day":"2026-11-29","through":null}"#,
        )
        .unwrap();
        assert_eq!(row.through, None);
        let row: Row =
            serde_json::from_str(r#"{"at":"2026-11-29T13:30:00Z","day":"2026-11-29"}"#).unwrap();
        assert_eq!(row.through, None);
        for bad in [
            r#"{"at":"2026-11-29 13:30Z","day":"2026-11-29"}"#,
            r#"{"at":"2026-11-29T13:30:00Z","day":"2026-11-31"}"#,
            r#"{"at":12,"day":"2026-11-29"}"#,
            r#"{"at":"2026-11-29T13:30:00Z","day":"2026-11-29","through":"yesterday"}"#,
        ] {
            assert!(serde_json::from_str::<Row>(bad).is_err(), "{bad}");
        }
    }
}
