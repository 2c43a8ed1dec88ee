//! Past spreadsheets: a CSV with French labels, checked by a dry run, then imported all or
//! nothing through the real CLI and the API; importing twice changes nothing.

#[macro_use]
mod common;

use std::process::{Command, Output};

use carnet_core::{ListKind, Record};
use carnet_server::synthetic::{self, expected::harm_reduction};
use common::{TestDb, TestServer};
use serde_json::Value;

/// The synthetic harm-reduction year as the organisation's spreadsheet would have it:
/// `;`-separated, French column names and labels, person codes as they are.
fn harm_reduction_csv() -> String {
    let t = synthetic::taxonomy();
    let fr = |kind: ListKind, code: &str| t.entry(kind, code).unwrap().fr.clone();
    let materials = ["seringues_remises", "seringues_recuperees", "pipes_crack"];
    let mut out = String::from(
        "Date;Heure;Programme;Milieu;Mode;Tranche d'âge;Genre;Réalités abordées;Types d'intervention;Code personne;Première rencontre",
    );
    for m in materials {
        out.push(';');
        out.push_str(&fr(ListKind::Materials, m));
    }
    out.push('\n');
    for (_, record) in synthetic::year(2019) {
        let Record::Contact(c) = record else { continue };
        if c.program != harm_reduction::PROGRAM {
            continue;
        }
        let list = |kind: ListKind, codes: &[String]| {
            codes
                .iter()
                .map(|code| fr(kind, code))
                .collect::<Vec<_>>()
                .join("|")
        };
        let mut cells = vec![
            c.occurred_at.format("%Y-%m-%d").to_string(),
            c.occurred_at.format("%H:%M").to_string(),
            fr(ListKind::Programs, &c.program),
            fr(ListKind::Milieux, &c.milieu),
            fr(ListKind::Modes, &c.mode),
            fr(ListKind::AgeGroups, &c.age_group),
            fr(ListKind::Genders, &c.gender),
            list(ListKind::Realities, &c.realities),
            list(ListKind::InterventionTypes, &c.intervention_types),
            c.person_code.clone().unwrap_or_default(),
            if c.first_contact { "oui" } else { "non" }.to_owned(),
        ];
        for m in materials {
            cells.push(c.material.get(m).map(u32::to_string).unwrap_or_default());
        }
        out.push_str(&cells.join(";"));
        out.push('\n');
    }
    out
}

fn cli(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carnet-server"))
        .args(args)
        .args(db.cli_args())
        .env_remove("CARNET_DATABASE_URL")
        .output()
        .unwrap()
}

fn count_rows(db: &TestDb) -> i64 {
    db.open().records()
}

/// A database with the synthetic lists, two workers and a coordinator; the coordinator's
/// token and the first worker's.
fn database(backend: &common::Backend) -> (TestDb, String, String) {
    let target = TestDb::new(backend);
    let db = target.open();
    db.block(
        db.store
            .load_taxonomy(&serde_json::to_string(&synthetic::taxonomy()).unwrap()),
    )
    .unwrap();
    let worker = db.add_worker("rdm-a");
    db.add_worker("rdm-b");
    let coordinator = db.add_coordinator("coordination");
    (target, coordinator, worker)
}

both_backends! {
    fn a_past_year_is_checked_then_imported_once_and_reproduces_its_figures(backend: Backend) {
        let (db, coordinator, _) = database(&backend);
        let file = db.dir.path().join("rdm-2019.csv");
        std::fs::write(&file, harm_reduction_csv()).unwrap();
        let path = file.to_str().unwrap();

        let dry = cli(&db, &["import", path, "--worker", "rdm-a", "--dry-run"]);
        let said = String::from_utf8_lossy(&dry.stderr);
        assert!(dry.status.success(), "{said}");
        assert!(
            said.contains("430 rows for `rdm-a`: 430 contacts, 0 activities"),
            "{said}"
        );
        assert!(
            said.contains("would import 430 new rows; 0 already there"),
            "{said}"
        );
        assert_eq!(count_rows(&db), 0, "a dry run writes nothing");

        let real = cli(&db, &["import", path, "--worker", "rdm-a"]);
        let said = String::from_utf8_lossy(&real.stderr);
        assert!(real.status.success(), "{said}");
        assert!(said.contains("imported 430 new rows"), "{said}");
        assert_eq!(count_rows(&db), 430);

        // Twice changes nothing; for another worker it is refused, naming the first.
        let again = cli(&db, &["import", path, "--worker", "rdm-a"]);
        let said = String::from_utf8_lossy(&again.stderr);
        assert!(again.status.success(), "{said}");
        assert!(
            said.contains("imported 0 new rows; 430 already there"),
            "{said}"
        );
        let other = cli(&db, &["import", path, "--worker", "rdm-b"]);
        let said = String::from_utf8_lossy(&other.stderr);
        assert!(!other.status.success());
        assert!(said.contains("already imported for `rdm-a`"), "{said}");
        assert_eq!(count_rows(&db), 430);

        // The report reads the imported year as the golden figures.
        let s = TestServer::start_on(db, coordinator.clone());
        let (status, body, _) = s.get(
            "/api/v1/report?from=2019-04-01&to=2020-03-31&program=reduction_mefaits",
            Some(&coordinator),
        );
        assert_eq!(status, 200);
        let r = &body["report"];
        assert_eq!(r["interventions"], harm_reduction::VISITS);
        for (gender, n) in harm_reduction::VISITS_BY_GENDER {
            assert_eq!(r["interventions_by_gender"][gender], n);
        }
        for (code, n) in harm_reduction::MATERIAL {
            assert_eq!(r["material"][code], n);
        }
    }
}

both_backends! {
    fn a_bad_file_names_every_problem_by_line_and_imports_nothing(backend: Backend) {
        let (db, _, _) = database(&backend);
        let mut lines: Vec<String> = harm_reduction_csv().lines().map(str::to_owned).collect();
        lines[2] = lines[2].replace("Locaux de l'organisme", "Casino");
        lines[5] = lines[5].replacen("2019-", "2019-13-", 1);
        let file = db.dir.path().join("bad.csv");
        std::fs::write(&file, lines.join("\n")).unwrap();
        let path = file.to_str().unwrap();
        for args in [
            vec!["import", path, "--worker", "rdm-a", "--dry-run"],
            vec!["import", path, "--worker", "rdm-a"],
        ] {
            let out = cli(&db, &args);
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success());
            assert!(
                said.contains("line 3, Milieu: `Casino` is neither a code nor a label"),
                "{said}"
            );
            assert!(said.contains("line 6, Date:"), "{said}");
            assert!(said.contains("2 problem(s)"), "{said}");
            assert_eq!(count_rows(&db), 0);
        }
        let unknown = cli(&db, &["import", path, "--worker", "personne"]);
        assert!(String::from_utf8_lossy(&unknown.stderr).contains("no worker named `personne`"));
    }
}

both_backends! {
    fn coordinators_import_through_the_api(backend: Backend) {
        let (db, coordinator, worker) = database(&backend);
        let s = TestServer::start_on(db, coordinator.clone());
        let csv = "date,programme,milieu,mode,âge,genre,réalités,types d'intervention\n\
                   2019-11-04,SIDEP (infirmière),Locaux de l'organisme,En personne,18-25,Femme,Santé,Dépistage ITSS\n\
                   2019-11-05,sidep,rue,en_personne,26_40,homme,sante;sexualite,depistage\n";
        let post = |query: &str, token: &str, body: &str| {
            s.post_to(
                &format!("/api/v1/import?{query}"),
                token,
                "text/csv",
                body.as_bytes(),
            )
        };
        let (status, body) = post("worker=rdm-a&dry_run=true", &coordinator, csv);
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (body["dry_run"].as_bool(), body["new"].as_u64()),
            (Some(true), Some(2))
        );
        assert_eq!(s.rows(), 0);
        let (status, body) = post("worker=rdm-a", &coordinator, csv);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["new"], 2);
        assert_eq!(body["by_program"]["sidep"], 2);
        let (_, body) = post("worker=rdm-a", &coordinator, csv);
        assert_eq!(
            (body["new"].as_u64(), body["already_there"].as_u64()),
            (Some(0), Some(2))
        );
        assert_eq!(s.rows(), 2);

        let bad = format!("{csv}2019-11-06,sidep,rue,en_personne,26_40,homme,astrologie,depistage\n");
        let (status, body): (u16, Value) = post("worker=rdm-b", &coordinator, &bad);
        assert_eq!(
            (status, body["error"].as_str()),
            (422, Some("invalid_import"))
        );
        let problems = body["problems"].as_array().unwrap();
        let lines: Vec<u64> = problems
            .iter()
            .map(|p| p["line"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, [2, 3, 4], "{body}");
        assert_eq!(problems[2]["column"], "réalités");
        assert_eq!(s.rows(), 2);

        let (status, body) = post("worker=rdm-a", &worker, csv);
        assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")));
        let (status, body) = post("worker=personne", &coordinator, csv);
        assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
        let (status, body) = s.post_to(
            "/api/v1/import?worker=rdm-a",
            &coordinator,
            "text/csv",
            b"date,programme\n2019-11-04,\xe9t\xe9\n",
        );
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_import"))
        );
        assert!(body["message"].as_str().unwrap().contains("UTF-8"));
    }
}
