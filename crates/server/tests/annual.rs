//! The golden figures of the 2019-2020 report beyond CatWoman: « Travail de proximité »,
//! SIDEP, the harm-reduction service and the web project, from a synthetic year imported
//! into a real database and read through the HTTP API as JSON, CSV and a spreadsheet; and
//! two periods side by side.

#[macro_use]
mod common;

use std::collections::BTreeMap;

use carnet_server::synthetic::expected::{self, harm_reduction, proximite, sidep, web};
use common::{TestServer, csv_rows, xlsx_cell, xlsx_sheets, year_server};
use serde_json::Value;

const YEAR: &str = "from=2019-04-01&to=2020-03-31";

fn report(s: &TestServer, token: &str, query: &str) -> Value {
    let (status, body, _) = s.get(&format!("/api/v1/report?{YEAR}&{query}"), Some(token));
    assert_eq!(status, 200, "{query}: {body}");
    body
}

fn counts(v: &Value) -> BTreeMap<String, u64> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect()
}

fn expect<N: Copy + Into<u64>>(pairs: &[(&str, N)]) -> BTreeMap<String, u64> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).into()))
        .collect()
}

/// The persons cross-table `rows` × `columns` of a JSON report.
fn cross(
    report: &Value,
    table: &str,
    rows: &str,
    columns: &str,
) -> BTreeMap<(String, String), u64> {
    let t = report[table]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["rows"] == rows && t["columns"] == columns)
        .unwrap_or_else(|| panic!("no {rows} × {columns} in {table}"));
    let mut out = BTreeMap::new();
    for (r, cols) in t["cells"].as_object().unwrap() {
        for (c, n) in cols.as_object().unwrap() {
            out.insert((r.clone(), c.clone()), n.as_u64().unwrap());
        }
    }
    out
}

both_backends! {
    fn travail_de_proximite_is_one_group_counting_shared_persons_once(backend: Backend) {
        let (s, coordinator, _) = year_server(&backend);
        let body = report(&s, &coordinator, &format!("program={}", proximite::GROUP));
        assert_eq!(
            body["filter"]["programs"],
            serde_json::json!(["catwoman", "rue_jeunesse"])
        );
        let r = &body["report"];
        assert_eq!(r["persons"], proximite::PERSONS);
        assert_eq!(r["interventions"], proximite::INTERVENTIONS);
        assert_eq!(
            counts(&r["persons_by_occupation"]),
            expect(&proximite::OCCUPATIONS)
        );
        assert_eq!(
            counts(&r["interventions_by_reality"]),
            expect(&proximite::REALITIES)
        );
        assert_eq!(
            counts(&r["interventions_by_program"]),
            expect(&[
                ("catwoman", expected::INTERVENTIONS),
                (
                    "rue_jeunesse",
                    proximite::INTERVENTIONS - expected::INTERVENTIONS
                )
            ])
        );
        // The same programs listed one by one give the same report.
        let listed = report(&s, &coordinator, "program=rue_jeunesse,catwoman");
        assert_eq!(listed["report"], body["report"]);
        // Persons met by both programs count once in the group.
        let street = report(&s, &coordinator, "program=rue_jeunesse");
        let street_persons = street["report"]["persons"].as_u64().unwrap();
        assert_eq!(
            u64::from(expected::PERSONS) + street_persons,
            u64::from(proximite::PERSONS + proximite::SHARED_PERSONS)
        );
        // CatWoman's own figures are untouched by the street work.
        let catwoman = report(&s, &coordinator, "program=catwoman");
        assert_eq!(catwoman["report"]["persons"], expected::PERSONS);
        assert_eq!(catwoman["report"]["new_persons"], expected::PERSONS);
    }
}

both_backends! {
    fn sidep_persons_by_age_group_within_gender(backend: Backend) {
        let (s, coordinator, _) = year_server(&backend);
        let r = &report(&s, &coordinator, &format!("program={}", sidep::PROGRAM))["report"];
        assert_eq!(r["interventions"], sidep::INTERVENTIONS);
        assert_eq!(
            r["interventions_by_type"]["depistage"],
            sidep::INTERVENTIONS
        );
        // The cells are the seed's; the persons total is their sum (see `expected::sidep`).
        let cells: BTreeMap<(String, String), u64> = sidep::CELLS
            .iter()
            .map(|(g, a, n)| (((*g).to_owned(), (*a).to_owned()), u64::from(*n)))
            .collect();
        assert_eq!(cross(r, "persons_cross", "gender", "age_group"), cells);
        assert_eq!(r["persons"], sidep::PERSONS);
        assert_eq!(cells.values().sum::<u64>(), u64::from(sidep::PERSONS));
        assert_ne!(sidep::PERSONS, sidep::SEED_PERSONS);
        // Screenings by gender and age group are the interventions' cross-table.
        let screenings = cross(r, "interventions_cross", "gender", "age_group");
        assert_eq!(
            screenings.values().sum::<u64>(),
            u64::from(sidep::INTERVENTIONS)
        );
    }
}

both_backends! {
    fn harm_reduction_visits_by_gender_and_material(backend: Backend) {
        let (s, coordinator, _) = year_server(&backend);
        let r = &report(
            &s,
            &coordinator,
            &format!("program={}", harm_reduction::PROGRAM),
        )["report"];
        assert_eq!(r["interventions"], harm_reduction::VISITS);
        assert_eq!(
            counts(&r["interventions_by_gender"]),
            expect(&harm_reduction::VISITS_BY_GENDER)
        );
        assert_eq!(counts(&r["material"]), expect(&harm_reduction::MATERIAL));
    }
}

both_backends! {
    fn web_project_counts_distinct_sites_messages_and_persons(backend: Backend) {
        let (s, coordinator, _) = year_server(&backend);
        let r = &report(&s, &coordinator, &format!("program={}", web::PROGRAM))["report"];
        assert_eq!(
            counts(&r["sites_by_activity"]["site_surveille"]),
            expect(&web::SITES_MONITORED)
        );
        let ad_sites: u64 = counts(&r["sites_by_activity"]["annonce_publiee"])
            .values()
            .sum();
        assert_eq!(ad_sites, u64::from(web::AD_SITES));
        // Logged many times, counted once per site.
        assert!(r["activities"]["site_surveille"].as_u64().unwrap() > 15);
        assert_eq!(r["web_messages_by_direction"]["sent"], web::MESSAGES_SENT);
        let messages = |platform: &str, direction: &str| {
            r["web"]
                .as_array()
                .unwrap()
                .iter()
                .find(|w| w["platform"] == platform && w["direction"] == direction)
                .map(|w| w["messages"].as_u64().unwrap())
        };
        assert_eq!(
            messages("courriel", "received"),
            Some(u64::from(web::EMAILS_RECEIVED))
        );
        assert_eq!(
            messages("messenger", "received"),
            Some(u64::from(web::MESSENGER_RECEIVED))
        );
        assert_eq!(
            r["web_persons_by_platform"]["textnow"],
            web::TEXTNOW_PERSONS
        );
        assert_eq!(
            r["web_persons_by_platform"]["facebook"],
            web::FACEBOOK_PERSONS
        );
        // The group of both web projects reads the same (the youth one has no records).
        let group = report(&s, &coordinator, "program=projet_web");
        assert_eq!(&group["report"], r);
    }
}

both_backends! {
    fn the_csv_and_the_spreadsheet_carry_the_same_figures(backend: Backend) {
        let (s, coordinator, _) = year_server(&backend);
        let csv_of = |program: &str| {
            let (status, content_type, bytes) = s.get_bytes(
                &format!("/api/v1/report?{YEAR}&program={program}&format=csv"),
                &coordinator,
            );
            assert_eq!(status, 200);
            assert!(content_type.starts_with("text/csv"));
            csv_rows(&String::from_utf8(bytes).unwrap())
        };
        let xlsx_of = |program: &str| {
            let (status, content_type, bytes) = s.get_bytes(
                &format!("/api/v1/report?{YEAR}&program={program}&format=xlsx"),
                &coordinator,
            );
            assert_eq!(status, 200);
            assert_eq!(content_type, carnet_server::xlsx::CONTENT_TYPE);
            xlsx_sheets(&bytes)
        };
        let value = |rows: &BTreeMap<(String, String), Vec<i64>>, table: &str, code: &str| {
            rows.get(&(table.to_owned(), code.to_owned()))
                .map(|v| v[0])
                .unwrap_or_else(|| panic!("no {table},{code}"))
        };
        let sheet = |sheets: &[(String, Vec<Vec<String>>)], name: &str| {
            sheets
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, g)| g.clone())
                .unwrap_or_else(|| panic!("no sheet {name}"))
        };
        let number = |grid: &[Vec<String>], row: &str, column: &str| -> i64 {
            xlsx_cell(grid, row, column)
                .unwrap_or_else(|| panic!("no cell {row} / {column}"))
                .parse()
                .unwrap()
        };
        let period = "2019-04-01 au 2020-03-31";

        // Travail de proximité.
        let csv = csv_of(proximite::GROUP);
        assert_eq!(value(&csv, "summary", "persons"), 547);
        assert_eq!(value(&csv, "summary", "interventions"), 2689);
        for (code, n) in proximite::OCCUPATIONS {
            assert_eq!(value(&csv, "persons_by_occupation", code), i64::from(n));
        }
        for (code, n) in proximite::REALITIES {
            assert_eq!(value(&csv, "interventions_by_reality", code), i64::from(n));
        }
        let book = xlsx_of(proximite::GROUP);
        assert_eq!(book[0].0, "Rapport");
        let cover = |label: &str| {
            book[0]
                .1
                .iter()
                .find(|r| r.first().map(String::as_str) == Some(label))
                .and_then(|r| r.get(1).cloned())
                .unwrap_or_default()
        };
        assert_eq!(cover("Période"), period);
        assert_eq!(
            cover("Programmes"),
            "CatWoman (travail de milieu), Travail de rue jeunesse"
        );
        assert_eq!(cover("Personnes"), "547");
        let summary = sheet(&book, "Sommaire");
        assert_eq!(number(&summary, "Personnes", period), 547);
        assert_eq!(number(&summary, "Interventions", period), 2689);
        let occupations = sheet(&book, "Personnes par occupation");
        assert_eq!(number(&occupations, "Commerce illicite", period), 321);
        assert_eq!(number(&occupations, "Aide sociale", period), 94);
        assert_eq!(number(&occupations, "Total", period), 498);
        let realities = sheet(&book, "Interv. par réalité");
        assert_eq!(number(&realities, "Santé", period), 849);
        assert_eq!(number(&realities, "Violence perpétrée", period), 9);
        // One sheet per table, plus the cover.
        let tables = csv
            .keys()
            .map(|(t, _)| t.as_str())
            .collect::<std::collections::BTreeSet<_>>();
        assert!(book.len() > tables.len());

        // SIDEP: the cross-table as a grid.
        let csv = csv_of(sidep::PROGRAM);
        for (gender, age, n) in sidep::CELLS {
            assert_eq!(
                value(
                    &csv,
                    "persons_by_gender_and_age_group",
                    &format!("{gender}/{age}")
                ),
                i64::from(n)
            );
        }
        let grid = sheet(&xlsx_of(sidep::PROGRAM), "Personnes genre × âge");
        assert_eq!(number(&grid, "Femme", "18-25"), 183);
        assert_eq!(number(&grid, "Femme", "26-40"), 107);
        assert_eq!(number(&grid, "Femme", "41 et +"), 15);
        assert_eq!(number(&grid, "Homme", "26-40"), 3);
        assert_eq!(number(&grid, "Homme", "41 et +"), 4);
        assert_eq!(number(&grid, "Total", "Total"), 312);

        // Harm reduction.
        let csv = csv_of(harm_reduction::PROGRAM);
        for (gender, n) in harm_reduction::VISITS_BY_GENDER {
            assert_eq!(value(&csv, "interventions_by_gender", gender), i64::from(n));
        }
        for (code, n) in harm_reduction::MATERIAL {
            assert_eq!(value(&csv, "material", code), n as i64);
        }
        let book = xlsx_of(harm_reduction::PROGRAM);
        let by_gender = sheet(&book, "Interv. par genre");
        assert_eq!(number(&by_gender, "Homme", period), 180);
        assert_eq!(number(&by_gender, "Femme", period), 250);
        assert_eq!(number(&by_gender, "Total", period), 430);
        let material = sheet(&book, "Matériel remis");
        assert_eq!(number(&material, "Seringues distribuées", period), 22_683);
        assert_eq!(number(&material, "Seringues récupérées", period), 11_712);
        assert_eq!(number(&material, "Pipes à crack", period), 365);

        // Web project.
        let csv = csv_of(web::PROGRAM);
        for (platform, n) in web::SITES_MONITORED {
            assert_eq!(
                value(
                    &csv,
                    "sites_by_activity",
                    &format!("site_surveille/{platform}")
                ),
                i64::from(n)
            );
        }
        assert_eq!(value(&csv, "web_messages_by_direction", "sent"), 26);
        assert_eq!(value(&csv, "web_messages", "courriel/received"), 14);
        assert_eq!(value(&csv, "web_messages", "messenger/received"), 17);
        assert_eq!(value(&csv, "web_persons_by_platform", "textnow"), 12);
        assert_eq!(value(&csv, "web_persons_by_platform", "facebook"), 43);
        let book = xlsx_of(web::PROGRAM);
        let sites = sheet(&book, "Sites distincts");
        assert_eq!(number(&sites, "Site surveillé", "Site de rencontres"), 6);
        assert_eq!(
            number(&sites, "Site surveillé", "Site de petites annonces"),
            7
        );
        assert_eq!(number(&sites, "Site surveillé", "Application"), 2);
        assert_eq!(number(&sites, "Annonce publiée", "Total"), 5);
        let persons = sheet(&book, "Web - personnes par plateforme");
        assert_eq!(number(&persons, "TextNow", period), 12);
        assert_eq!(number(&persons, "Facebook", period), 43);
    }
}

both_backends! {
    fn two_periods_side_by_side_with_the_differences(backend: Backend) {
        let (s, coordinator, _) = year_server(&backend);
        // The year against its first half: every difference is the second half.
        let half = "compare_from=2019-04-01&compare_to=2019-09-30";
        let body = report(&s, &coordinator, &format!("program=proximite&{half}"));
        let compare = &body["compare"];
        assert_eq!(compare["filter"]["from"], "2019-04-01");
        assert_eq!(compare["filter"]["programs"], body["filter"]["programs"]);
        let first_half = compare["report"]["interventions"].as_u64().unwrap();
        assert!(first_half > 0 && first_half < 2689);
        let row = |table: &str, code: &str| {
            compare["differences"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["table"] == table && d["code"] == code)
                .cloned()
                .unwrap()
        };
        let interventions = row("summary", "interventions");
        assert_eq!(interventions["value"], 2689);
        assert_eq!(interventions["compare_value"], first_half);
        assert_eq!(interventions["difference"], 2689 - first_half as i64);
        let health = row("interventions_by_reality", "sante");
        assert_eq!(
            health["difference"].as_i64().unwrap(),
            health["value"].as_i64().unwrap() - health["compare_value"].as_i64().unwrap()
        );
        // A year with nothing before it: last year is all zeros, the rise is the whole year.
        let (_, _, bytes) = s.get_bytes(
            &format!(
                "/api/v1/report?{YEAR}&program=sidep&compare_from=2018-04-01&compare_to=2019-03-31&format=csv"
            ),
            &coordinator,
        );
        let csv = String::from_utf8(bytes).unwrap();
        assert!(csv.starts_with("table,code,value,compare_value,difference\n"));
        let rows = csv_rows(&csv);
        assert_eq!(
            rows[&("summary".to_owned(), "interventions".to_owned())],
            vec![371, 0, 371]
        );
        assert_eq!(
            rows[&(
                "persons_by_gender_and_age_group".to_owned(),
                "femme/18_25".to_owned()
            )],
            vec![183, 0, 183]
        );
        // The spreadsheet shows both periods and the difference.
        let (_, _, bytes) = s.get_bytes(
            &format!("/api/v1/report?{YEAR}&program=proximite&{half}&format=xlsx"),
            &coordinator,
        );
        let book = xlsx_sheets(&bytes);
        let summary = &book.iter().find(|(n, _)| n == "Sommaire").unwrap().1;
        let cell = |column: &str| xlsx_cell(summary, "Interventions", column).unwrap();
        assert_eq!(cell("2019-04-01 au 2020-03-31"), "2689");
        assert_eq!(cell("2019-04-01 au 2019-09-30"), first_half.to_string());
        assert_eq!(cell("Différence"), (2689 - first_half).to_string());
        let grid = &book
            .iter()
            .find(|(n, _)| n == "Personnes genre × âge")
            .unwrap()
            .1;
        // Three blocks: this period, the other, the difference; row by row, a − b = c.
        let women: Vec<&Vec<String>> = grid
            .iter()
            .filter(|r| r.first().map(String::as_str) == Some("Femme"))
            .collect();
        assert_eq!(women.len(), 3);
        let n = |s: &String| s.parse::<i64>().unwrap();
        for ((a, b), c) in women[0].iter().zip(women[1]).zip(women[2]).skip(1) {
            assert_eq!(n(a) - n(b), n(c));
        }
        assert!(
            n(women[2].last().unwrap()) > 0,
            "more women over the year than in its first half"
        );
    }
}
