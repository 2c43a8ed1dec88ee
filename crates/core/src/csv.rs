//! CSV for spreadsheets: quoting, and cells that open as text, never as a formula.
//!
//! Worker names and list labels are free text: a name typed as `=HYPERLINK("…")` would
//! run as a formula when a coordinator opens the CSV in a spreadsheet (CSV injection).
//! As OWASP advises, a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
//! return gets a leading `'`, which spreadsheets show as text; numbers (`-3`, a
//! difference) are left as they are. Every CSV the server writes goes through [`row`].

use std::borrow::Cow;

/// One cell, neutralised and quoted as needed.
pub fn cell(text: &str) -> Cow<'_, str> {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_number(text);
    let text: Cow<'_, str> = if formula {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    };
    if text.contains([',', '"', '\n', '\r', ';']) {
        Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        text
    }
}

/// A line of cells, ended by `\n`.
pub fn row(out: &mut String, cells: &[&str]) {
    for (i, text) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&cell(text));
    }
    out.push('\n');
}

/// A plain decimal number (`-3`, `+12`, `-0.5`): a value, not a formula.
fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_open_as_text_and_numbers_stay_numbers() {
        for (given, written) in [
            (
                "=HYPERLINK(\"http://x.invalid\",\"clic\")",
                "\"'=HYPERLINK(\"\"http://x.invalid\"\",\"\"clic\"\")\"",
            ),
            ("+1 555", "'+1 555"),
            ("-exec", "'-exec"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tTAB", "'\tTAB"),
            ("\rCR", "\"'\rCR\""),
            ("-3", "-3"),
            ("+12", "+12"),
            ("-0.5", "-0.5"),
            ("12", "12"),
            ("Salon Lieu, 20", "\"Salon Lieu, 20\""),
            ("a;b", "\"a;b\""),
            ("poste-1", "poste-1"),
            ("", ""),
        ] {
            assert_eq!(cell(given), written, "{given:?}");
        }
        assert!(!is_number("-"));
        assert!(!is_number("1."));
        assert!(!is_number("-1e5"));
    }

    #[test]
    fn a_row_joins_its_cells() {
        let mut out = String::new();
        row(&mut out, &["worker", "=1+1", "-2"]);
        assert_eq!(out, "worker,'=1+1,-2\n");
    }
}
