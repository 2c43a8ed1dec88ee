//! The coordinator's app's pure helpers: periods, the refusal of a list edit in plain
//! words, the titles of the report's tables.

use carnet::api::ClientError;
use carnet::coordination::scope::{fiscal_year_start, short_period, year_before};
use carnet::coordination::tables::title;
use carnet::coordination::texts::texts;
use carnet::i18n::Lang;
use carnet_core::wire::{ApiError, ErrorCode};
use chrono::NaiveDate;
use wasm_bindgen_test::wasm_bindgen_test;

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

#[wasm_bindgen_test]
fn the_fiscal_year_starts_in_april() {
    assert_eq!(fiscal_year_start(day("2026-11-29")), day("2026-04-01"));
    assert_eq!(fiscal_year_start(day("2026-04-01")), day("2026-04-01"));
    assert_eq!(fiscal_year_start(day("2026-03-31")), day("2025-04-01"));
    assert_eq!(year_before(day("2024-02-29")), day("2023-02-28"));
}

#[wasm_bindgen_test]
fn a_whole_year_is_said_briefly() {
    assert_eq!(
        short_period(day("2019-04-01"), day("2020-03-31")),
        "2019-2020"
    );
    assert_eq!(short_period(day("2019-01-01"), day("2019-12-31")), "2019");
    assert_eq!(
        short_period(day("2019-04-01"), day("2019-11-30")),
        "2019-04-01 – 2019-11-30"
    );
}

#[wasm_bindgen_test]
fn a_code_in_use_is_explained_with_its_count() {
    // The count comes from the typed field; the message is for logs and is not read.
    let refusal = ClientError::Refused(ApiError {
        uses: Some(46),
        ..ApiError::new(ErrorCode::CodeKept, "in use by 1 record(s)")
    });
    let fr = texts(Lang::Fr).list_error(&refusal, "Salon 2");
    assert!(
        fr.starts_with("«\u{a0}Salon 2\u{a0}» sert dans 46 enregistrements."),
        "{fr}"
    );
    assert!(fr.contains("Retire-le plutôt"), "{fr}");
    let en = texts(Lang::En).list_error(&refusal, "Salon 2");
    assert!(en.starts_with("“Salon 2” is used by 46 records."), "{en}");
    let changed = ClientError::Refused(ApiError::new(ErrorCode::TaxonomyChanged, ""));
    assert!(
        texts(Lang::Fr)
            .list_error(&changed, "x")
            .starts_with("Quelqu'un d'autre")
    );
    assert_eq!(
        texts(Lang::Fr).list_error(&ClientError::Network, "x"),
        texts(Lang::Fr).no_connection
    );
}

#[wasm_bindgen_test]
fn tables_are_titled_from_their_names() {
    assert_eq!(
        title(Lang::Fr, "persons_by_gender_and_age_group"),
        "Personnes par genre et tranche d'âge"
    );
    assert_eq!(
        title(Lang::En, "interventions_by_program_and_milieu"),
        "Interventions by program and setting"
    );
    assert_eq!(title(Lang::Fr, "material"), "Matériel remis");
    assert_eq!(
        title(Lang::Fr, "sites_by_activity"),
        "Sites distincts, par activité et plateforme"
    );
}
