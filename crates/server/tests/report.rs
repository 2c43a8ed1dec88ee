//! The proof: a synthetic CatWoman year imported into a real database reproduces every
//! figure of the 2019-2020 annual report, through the HTTP API and through the CSV, on
//! both backends.

#[macro_use]
mod common;

use std::collections::BTreeMap;

use carnet_server::synthetic::{self, expected};
use common::{TestDb, TestServer, ndjson, year_server};
use serde_json::Value;

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
        let (_, mine, _) = s.get(&format!("/api/v1/tallies?{YEAR}"), Some(&worker));
        assert_eq!(mine["workers"].as_array().unwrap().len(), 1);
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
