//! `carnet-server export`, through the real binary, on both backends: a synthetic year
//! exported, then imported into an empty database with the commands its manifest gives,
//! gives the same report and the same figures per worker.

#[macro_use]
mod common;

use common::{TestDb, TestServer, year_server};
use serde_json::Value;

const YEAR: &str = "from=2019-04-01&to=2020-03-31";

fn cli(args: &[String]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_carnet-server"))
        .args(args)
        .env_remove("CARNET_DATABASE_URL")
        .output()
        .unwrap()
}

fn succeed(args: Vec<String>) -> String {
    let out = cli(&args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

both_backends! {
    fn an_export_imported_into_an_empty_database_gives_the_same_reports(backend: Backend) {
        let (s, coordinator, worker) = year_server(&backend);
        // A correction and a deletion: the export carries latest versions and tombstones.
        let (_, listed, _) = s.get("/api/v1/records", Some(&worker));
        let ids: Vec<String> = listed["records"].as_array().unwrap().iter().take(2).map(|r| r["id"].as_str().unwrap().to_owned()).collect();
        let next = |id: &str, change: &dyn Fn(&mut Value)| {
            let (_, versions, _) = s.get(&format!("/api/v1/records/{id}/versions"), Some(&worker));
            let mut record = versions.as_array().unwrap().last().unwrap().clone();
            record["version"] = (record["version"].as_u64().unwrap() + 1).into();
            change(&mut record);
            record
        };
        let corrected = next(&ids[0], &|r| r["realities"] = serde_json::json!(["justice"]));
        let deleted = next(&ids[1], &|r| r["deleted"] = true.into());
        let (status, body) = common::post_raw_to(
            &s.url("/api/v1/records"),
            Some(&worker),
            "application/json",
            serde_json::json!({ "records": [corrected, deleted] }).to_string().as_bytes(),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(common::statuses(&body), ["stored", "stored"]);
        let dir = s.target.dist().with_file_name("export");
        let said = succeed([vec!["export".into(), "--out".into(), dir.display().to_string()], s.target.cli_args()].concat());
        assert!(said.contains("manifest.json"), "{said}");
        // A second export never mixes with the first.
        let again = cli(&[vec!["export".into(), "--out".into(), dir.display().to_string()], s.target.cli_args()].concat());
        assert!(!again.status.success());

        let manifest: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
        let target = TestDb::new(&backend);
        let db_args = target.cli_args();
        succeed([vec!["taxonomy".into(), "load".into(), dir.join("taxonomy.json").display().to_string()], db_args.clone()].concat());
        for w in manifest["workers"].as_array().unwrap() {
            let name = w["worker"].as_str().unwrap().to_owned();
            let role = if name == "coordination" { vec!["--coordinator".to_owned()] } else { vec![] };
            succeed([vec!["worker".into(), "add".into(), name.clone()], role, db_args.clone()].concat());
            succeed([
                vec!["import".into(), dir.join(w["file"].as_str().unwrap()).display().to_string(), "--worker".into(), name],
                db_args.clone(),
            ]
            .concat());
        }
        let copy_coordinator = target.open().add_coordinator("verification");
        let copy = TestServer::start_on(target, copy_coordinator.clone());
        for program in ["", "&program=catwoman", "&program=proximite"] {
            let path = format!("/api/v1/report?{YEAR}{program}");
            let (_, original, _) = s.get(&path, Some(&coordinator));
            let (_, imported, _) = copy.get(&path, Some(&copy_coordinator));
            assert_eq!(original["report"], imported["report"], "{program}");
            assert!(original["report"]["interventions"].as_u64().unwrap() > 0);
        }
        let (_, original, _) = s.get(&format!("/api/v1/team?{YEAR}"), Some(&coordinator));
        let (_, imported, _) = copy.get(&format!("/api/v1/team?{YEAR}"), Some(&copy_coordinator));
        let rows = |v: &Value| -> Vec<Value> {
            v["table"]["rows"].as_array().unwrap().iter().filter(|r| r["worker"] != "verification").cloned().collect()
        };
        assert_eq!(rows(&original), rows(&imported));
        assert_eq!(original["table"]["total"], imported["table"]["total"]);
    }
}
