//! The proof: a synthetic CatWoman year imported into a real database reproduces every
//! figure of the 2019-2020 annual report, through the HTTP API and through the CSV, on
//! both backends.

#[macro_use]
mod common;

use std::collections::BTreeMap;

use carnet_server::store::Database;
use carnet_server::synthetic::{self, expected};
use common::{TestDb, TestServer, ndjson, record, statuses, year_server};
use serde_json::{Value, json};

const YEAR: &str = "from=2019-04-01&to=2020-03-31";

fn counts(report: &Value, table: &str) -> BTreeMap<String, u64> {
    report[table]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect()
}

fn expect(pairs: &[(&str, u32)]) -> BTreeMap<String, u64> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), u64::from(*v)))
        .collect()
}

both_backends! {
    fn the_synthetic_year_reproduces_the_catwoman_figures_through_the_api(backend: Backend) {
        let (s, coordinator, _) = year_server(&backend);
        let (status, body, cache) = s.get(
            &format!("/api/v1/report?{YEAR}&program=catwoman"),
            Some(&coordinator),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(cache, "no-store");
        let r = &body["report"];
        assert_eq!(r["persons"], expected::PERSONS);
        assert_eq!(r["interventions"], expected::INTERVENTIONS);
        assert_eq!(r["new_persons"], expected::PERSONS);
        assert_eq!(counts(r, "persons_by_age_group"), expect(&expected::AGES));
        assert_eq!(counts(r, "persons_by_gender"), expect(&expected::GENDERS));
        assert_eq!(counts(r, "persons_by_status"), expect(&expected::STATUSES));
        assert_eq!(
            counts(r, "venues_visited_by_milieu"),
            expect(&expected::VENUES)
        );
        assert_eq!(
            counts(r, "venues_visited_by_milieu").values().sum::<u64>(),
            16,
            "16 milieux visited"
        );
        // Réalités count per intervention: more than interventions in total.
        let realities: u64 = counts(r, "interventions_by_reality").values().sum();
        assert!(realities > u64::from(expected::INTERVENTIONS));
        // A program of the year without records has nothing in it.
        let (_, empty, _) = s.get(
            &format!("/api/v1/report?{YEAR}&program=milieu_de_vie"),
            Some(&coordinator),
        );
        assert_eq!(empty["report"]["interventions"], 0);
    }
}

both_backends! {
    fn the_csv_carries_the_same_figures(backend: Backend) {
        let (s, coordinator, _) = year_server(&backend);
        let mut resp = TestServer::agent()
            .get(s.url(&format!(
                "/api/v1/report?{YEAR}&program=catwoman&format=csv"
            )))
            .header("Authorization", format!("Bearer {coordinator}"))
            .call()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let content_type = resp
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with("text/csv"));
        let csv = resp.body_mut().read_to_string().unwrap();
        let rows: BTreeMap<(String, String), u64> = csv
            .lines()
            .skip(1)
            .map(|line| {
                let mut parts = line.split(',');
                let table = parts.next().unwrap().to_owned();
                let code = parts.next().unwrap().to_owned();
                let value = parts.next().unwrap().parse().unwrap();
                ((table, code), value)
            })
            .collect();
        let get = |t: &str, c: &str| rows[&(t.to_owned(), c.to_owned())];
        assert_eq!(get("summary", "persons"), 390);
        assert_eq!(get("summary", "interventions"), 1005);
        for (age, n) in expected::AGES {
            assert_eq!(get("persons_by_age_group", age), u64::from(n));
        }
        for (gender, n) in expected::GENDERS {
            assert_eq!(get("persons_by_gender", gender), u64::from(n));
        }
        for (status, n) in expected::STATUSES {
            assert_eq!(get("persons_by_status", status), u64::from(n));
        }
        for (milieu, n) in expected::VENUES {
            assert_eq!(get("venues_visited_by_milieu", milieu), u64::from(n));
        }
    }
}

both_backends! {
    fn a_worker_reads_only_its_own_figures_and_coordinators_read_each_workers(backend: Backend) {
        let (s, coordinator, worker) = year_server(&backend);
        let (status, own, _) = s.get(&format!("/api/v1/report?{YEAR}"), Some(&worker));
        assert_eq!(status, 200);
        assert_eq!(own["worker"], synthetic::WORKERS[0]);
        let own_interventions = own["report"]["interventions"].as_u64().unwrap();
        assert!(own_interventions > 0 && own_interventions < 1005);
        let other = format!("/api/v1/report?{YEAR}&worker={}", synthetic::WORKERS[1]);
        let (status, body, _) = s.get(&other, Some(&worker));
        assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")));
        let (status, body, _) = s.get(&other, Some(&coordinator));
        assert_eq!(status, 200);
        assert_eq!(body["worker"], synthetic::WORKERS[1]);

        let (status, tallies, _) = s.get(&format!("/api/v1/tallies?{YEAR}"), Some(&coordinator));
        assert_eq!(status, 200);
        let per_worker: BTreeMap<String, u64> = tallies["workers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["worker"].as_str().unwrap().to_owned(),
                    w["report"]["interventions"].as_u64().unwrap(),
                )
            })
            .collect();
        let (_, team, _) = s.get(&format!("/api/v1/report?{YEAR}"), Some(&coordinator));
        assert_eq!(
            per_worker.values().sum::<u64>(),
            team["report"]["interventions"].as_u64().unwrap()
        );
        assert_eq!(per_worker[synthetic::WORKERS[0]], own_interventions);
        // A worker's own tallies (read from its records alone) are what the coordinator's
        // show for that worker, every table.
        let (_, mine, _) = s.get(&format!("/api/v1/tallies?{YEAR}"), Some(&worker));
        assert_eq!(mine["workers"].as_array().unwrap().len(), 1);
        assert_eq!(mine["workers"][0]["worker"], synthetic::WORKERS[0]);
        let theirs = tallies["workers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["worker"] == synthetic::WORKERS[0])
            .unwrap();
        assert_eq!(mine["workers"][0]["report"], theirs["report"]);
        assert!(mine["workers"][0]["report"]["persons"].as_u64().unwrap() > 0);
    }
}

both_backends! {
    fn bad_report_queries_get_a_reason(backend: Backend) {
        let (s, coordinator, _) = year_server(&backend);
        for query in [
            "from=2020-01-01",
            "from=2020-13-01&to=2020-12-31",
            "from=2020-03-01&to=2020-01-01",
            "from=2019-04-01&to=2020-03-31&format=pdf",
            "from=2019-04-01&to=2020-03-31&colour=blue",
            "from=2019-04-01&to=2020-03-31&program=sidep&program=catwoman",
            "from=2019-04-01&to=2020-03-31&compare_from=2018-04-01",
            "from=2019-04-01&to=2020-03-31&compare_from=2019-03-31&compare_to=2018-04-01",
        ] {
            let (status, body, _) = s.get(&format!("/api/v1/report?{query}"), Some(&coordinator));
            assert_eq!(
                (status, body["error"].as_str()),
                (400, Some("invalid_query")),
                "{query}"
            );
        }
        // An unknown program, alone or in a list, is named; so is a group naming one.
        for (program, named) in [
            ("astrologie", "astrologie"),
            ("sidep,astrologie", "astrologie"),
            ("proximite,astro", "astro"),
        ] {
            let (status, body, _) = s.get(
                &format!("/api/v1/report?{YEAR}&program={program}"),
                Some(&coordinator),
            );
            assert_eq!(
                (status, body["error"].as_str()),
                (400, Some("unknown_program")),
                "{program}"
            );
            assert!(body["message"].as_str().unwrap().contains(named), "{body}");
        }
        let (status, body, _) = s.get(
            &format!("/api/v1/report?{YEAR}&worker=personne"),
            Some(&coordinator),
        );
        assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
        let (status, _, _) = s.get(&format!("/api/v1/report?{YEAR}"), None);
        assert_eq!(status, 401);
    }
}

both_backends! {
    fn import_is_all_or_nothing_and_idempotent(backend: Backend) {
        let target = TestDb::new(&backend);
        let db = target.open();
        let import = |worker: &str, text: &str| {
            db.block(carnet_server::import::import_ndjson(&db.store, worker, text))
        };
        db.block(
            db.store
                .load_taxonomy(&serde_json::to_string(&synthetic::taxonomy()).unwrap()),
        )
        .unwrap();
        db.add_worker("catwoman-a");
        let good = ndjson("catwoman-a", 5);
        let n = good.lines().count();
        let mut lines: Vec<String> = good.lines().map(str::to_owned).collect();
        lines[2] = lines[2].replace("\"milieu\":\"", "\"milieu\":\"x");
        lines[4] = "{ not json".into();
        let bad = lines.join("\n");
        let err = import("catwoman-a", &bad).unwrap_err().to_string();
        assert!(err.contains("line 3:") && err.contains("line 5:"), "{err}");
        assert_eq!(db.records(), 0);

        let first = import("catwoman-a", &good).unwrap();
        assert_eq!(first.stored, n);
        let again = import("catwoman-a", &good).unwrap();
        assert_eq!((again.stored, again.duplicates), (0, n));
        assert_eq!(db.records(), n as i64);
        let unknown = import("personne", &good).unwrap_err();
        assert!(unknown.to_string().contains("no worker named"));
    }
}

/// Every stored version's body with its `local_date` column, read past the store.
fn local_dates(target: &TestDb) -> Vec<(String, Option<String>)> {
    const SQL: &str = "SELECT body, local_date FROM records";
    match &target.database {
        Database::Sqlite(path) => {
            let conn = common::rusqlite_conn(path);
            let mut stmt = conn.prepare(SQL).unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        }
        Database::Postgres(url) => common::runtime().block_on(async {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(connection);
            let rows = client.query(SQL, &[]).await.unwrap();
            rows.iter().map(|r| (r.get(0), r.get(1))).collect()
        }),
    }
}

both_backends! {
    fn a_database_from_before_local_dates_gets_each_from_its_body(backend: Backend) {
        let (s, coordinator, _) = year_server(&backend);
        let report = format!("/api/v1/report?{YEAR}&compare_from=2019-10-01&compare_to=2020-03-31");
        let (status, before, _) = s.get(&report, Some(&coordinator));
        assert_eq!(status, 200, "{before}");
        let (target, token) = s.stop();
        // The schema as the step before left it: no column, no indexes (and on
        // PostgreSQL, the foreign keys step 9 replaced).
        target.execute(if backend.is_postgres() {
            "DROP TRIGGER records_known_workers ON records;
             DROP TRIGGER record_owners_known_workers ON record_owners;
             DROP TRIGGER workers_stay ON workers;
             DROP FUNCTION carnet_known_workers(); DROP FUNCTION carnet_workers_stay();
             ALTER TABLE records ADD FOREIGN KEY (worker_id) REFERENCES workers(id);
             ALTER TABLE record_owners ADD FOREIGN KEY (worker_id) REFERENCES workers(id);
             DROP INDEX records_by_local_date; DROP INDEX records_later_versions;
             ALTER TABLE records DROP COLUMN local_date;
             DELETE FROM carnet_schema WHERE version >= 8;"
        } else {
            "DROP INDEX records_by_local_date; DROP INDEX records_later_versions;
             ALTER TABLE records DROP COLUMN local_date; PRAGMA user_version = 7;"
        });
        let s = TestServer::start_on(target, token);
        let rows = local_dates(&s.target);
        assert!(rows.len() > 1000, "{}", rows.len());
        for (body, day) in &rows {
            let record = carnet_core::Record::from_json(body).unwrap();
            let expected = record.local_date().format("%Y-%m-%d").to_string();
            assert_eq!(day.as_deref(), Some(expected.as_str()), "{body}");
        }
        let (status, after, _) = s.get(&report, Some(&coordinator));
        assert_eq!(status, 200, "{after}");
        assert_eq!(before["report"], after["report"]);
        assert_eq!(before["compare"], after["compare"]);
        assert!(after["compare"]["report"]["interventions"].as_u64().unwrap() > 0);
    }
}

both_backends! {
    fn a_correction_to_another_year_counts_in_that_year_only(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let coordinator = s.db.add_coordinator("coordination");
        let interventions = |from: &str, to: &str| {
            let (status, body, _) =
                s.get(&format!("/api/v1/report?from={from}&to={to}"), Some(&coordinator));
            assert_eq!(status, 200, "{body}");
            body["report"]["interventions"].as_u64().unwrap()
        };
        s.post(&json!({ "records": [record(1), record(2)] }));
        assert_eq!(interventions("2026-04-01", "2027-03-31"), 2);
        let mut moved = record(1);
        moved["version"] = json!(2);
        moved["occurred_at"] = json!("2027-04-01T23:30:00-04:00");
        assert_eq!(statuses(&s.post(&json!({ "records": [moved.clone()] })).1), ["stored"]);
        assert_eq!(interventions("2026-04-01", "2027-03-31"), 1);
        assert_eq!(interventions("2027-04-01", "2028-03-31"), 1);
        // Its local day, not the UTC one (already 2 April there).
        assert_eq!(interventions("2027-04-01", "2027-04-01"), 1);
        let mut gone = moved;
        gone["version"] = json!(3);
        gone["deleted"] = json!(true);
        assert_eq!(statuses(&s.post(&json!({ "records": [gone] })).1), ["stored"]);
        assert_eq!(interventions("2027-04-01", "2028-03-31"), 0);
        assert_eq!(interventions("2026-04-01", "2027-03-31"), 1);
    }
}
