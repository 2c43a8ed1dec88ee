//! What a coordinator checks before publishing a period, over real HTTP on both backends:
//! each worker's figures beside the team's (`/team`: every column adds up to the team
//! report except distinct persons; CSV with formula-like names neutralised; xlsx), what
//! each phone reports it still holds (`PUT /device/report`: counts and dates only, the
//! latest kept, anything else refused whole), and which devices may still hold records of
//! a period (`/completeness`).

#[macro_use]
mod common;

use std::collections::BTreeMap;

use chrono::Datelike;

use common::{TestServer, year_server};
use serde_json::{Value, json};

const YEAR: &str = "from=2019-04-01&to=2020-03-31";

fn call(
    s: &TestServer,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let agent = TestServer::agent();
    let url = s.url(path);
    let auth = format!("Bearer {token}");
    let mut resp = match (method, body) {
        ("PUT", Some(b)) => agent
            .put(&url)
            .header("Authorization", &auth)
            .header("Content-Type", "application/json")
            .send(b.to_string().as_bytes())
            .unwrap(),
        ("POST", Some(b)) => agent
            .post(&url)
            .header("Authorization", &auth)
            .header("Content-Type", "application/json")
            .send(b.to_string().as_bytes())
            .unwrap(),
        ("POST", None) => agent
            .post(&url)
            .header("Authorization", &auth)
            .send_empty()
            .unwrap(),
        _ => agent
            .get(&url)
            .header("Authorization", &auth)
            .call()
            .unwrap(),
    };
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn num(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

both_backends! {
    fn each_column_of_the_team_adds_up_to_the_team_report_but_persons(backend: Backend) {
        let (s, coordinator, worker) = year_server(&backend);
        for program in ["", "&program=catwoman", "&program=proximite", "&program=web_adultes,sidep"] {
            let (status, team) = call(&s, "GET", &format!("/api/v1/team?{YEAR}{program}"), &coordinator, None);
            assert_eq!(status, 200, "{team}");
            let (_, report) = call(&s, "GET", &format!("/api/v1/report?{YEAR}{program}"), &coordinator, None);
            let report = &report["report"];
            let rows = team["table"]["rows"].as_array().unwrap();
            let total = &team["table"]["total"];
            // Every worker of the team has a row, the coordinator included.
            assert_eq!(rows.len(), carnet_server::synthetic::WORKERS.len() + 1, "{program}");
            let sum = |f: &dyn Fn(&Value) -> u64| rows.iter().map(f).sum::<u64>();
            assert_eq!(sum(&|r| num(&r["interventions"])), num(&report["interventions"]), "{program}");
            assert_eq!(num(&total["interventions"]), num(&report["interventions"]));
            let activities: u64 = report["activities"].as_object().unwrap().values().map(num).sum();
            assert_eq!(sum(&|r| num(&r["activities"])), activities, "{program}");
            assert_eq!(num(&total["activities"]), activities);
            for (kind, given) in report["material"].as_object().unwrap() {
                assert_eq!(sum(&|r| num(&r["material"][kind])), num(given), "{program} {kind}");
                assert_eq!(num(&total["material"][kind]), num(given));
            }
            for (direction, n) in report["web_messages_by_direction"].as_object().unwrap() {
                if direction.is_empty() {
                    continue;
                }
                assert_eq!(sum(&|r| num(&r["web_messages"][direction])), num(n), "{program} {direction}");
            }
            // Persons: the team's own count, never more than the rows' sum.
            assert_eq!(num(&total["persons"]), num(&report["persons"]), "{program}");
            assert!(num(&total["persons"]) <= sum(&|r| num(&r["persons"])));
        }
        // The CSV: a row per worker, then the team's, with the same figures.
        let (status, _, bytes) = s.get_bytes(&format!("/api/v1/team?{YEAR}&format=csv"), &coordinator);
        assert_eq!(status, 200);
        let csv = String::from_utf8(bytes).unwrap();
        let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
        assert_eq!(&lines[0][..6], ["row", "worker", "interventions", "persons", "new_persons", "activities"]);
        let team_line = lines.iter().find(|l| l[0] == "team").unwrap();
        let worker_sum: u64 = lines.iter().filter(|l| l[0] == "worker").map(|l| l[2].parse::<u64>().unwrap()).sum();
        assert_eq!(team_line[2].parse::<u64>().unwrap(), worker_sum);
        let (status, content_type, bytes) = s.get_bytes(&format!("/api/v1/team?{YEAR}&format=xlsx"), &coordinator);
        assert_eq!(status, 200);
        assert!(content_type.contains("spreadsheetml"));
        let sheets = common::xlsx_sheets(&bytes);
        assert_eq!(sheets[0].0, "Équipe");
        // Bad input: a worker token, a reversed period, an unknown program, one worker.
        assert_eq!(call(&s, "GET", &format!("/api/v1/team?{YEAR}"), &worker, None).0, 403);
        let (status, body) = call(&s, "GET", "/api/v1/team?from=2020-03-31&to=2019-04-01", &coordinator, None);
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_query")));
        let (status, body) = call(&s, "GET", &format!("/api/v1/team?{YEAR}&program=casino"), &coordinator, None);
        assert_eq!((status, body["error"].as_str()), (400, Some("unknown_program")));
        let (status, _) = call(&s, "GET", &format!("/api/v1/team?{YEAR}&worker=x"), &coordinator, None);
        assert_eq!(status, 400);
        // A row opens that worker's own report: an unknown worker is a clear 404.
        let (status, body) = call(&s, "GET", &format!("/api/v1/report?{YEAR}&worker=personne"), &coordinator, None);
        assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    }
}

both_backends! {
    fn a_worker_named_like_a_formula_stays_text_in_the_csv_and_the_spreadsheet(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let coordinator = s.db.add_coordinator("coordination");
        let name = "=HYPERLINK(\"http://x.invalid\",\"clic\")";
        let token = s.db.add_worker(name);
        let records: Vec<Value> = (0..3).map(common::record).collect();
        let (status, _) = common::post_raw_to(
            &s.url("/api/v1/records"),
            Some(&token),
            "application/json",
            json!({ "records": records }).to_string().as_bytes(),
        );
        assert_eq!(status, 200);
        let query = "from=2026-11-01&to=2026-11-30";
        let (_, _, bytes) = s.get_bytes(&format!("/api/v1/team?{query}&format=csv"), &coordinator);
        let csv = String::from_utf8(bytes).unwrap();
        let row = csv.lines().find(|l| l.contains("HYPERLINK")).unwrap();
        assert!(
            row.starts_with("worker,\"'=HYPERLINK(\"\"http://x.invalid\"\",\"\"clic\"\")\",3,"),
            "{row}"
        );
        // In the spreadsheet the name is a string cell, never a formula.
        let (_, _, bytes) = s.get_bytes(&format!("/api/v1/team?{query}&format=xlsx"), &coordinator);
        let sheets = common::xlsx_sheets(&bytes);
        assert!(sheets[0].1.iter().any(|row| row.first().is_some_and(|c| c == name)));
        assert!(!String::from_utf8_lossy(&bytes).contains("<f>"), "no formula anywhere");
    }
}

/// A phone's report, made now by its clock (the server takes the earlier of its own time
/// and the phone's as the report's time).
fn report(waiting: u32, dates: Option<(&str, &str)>, build: &str) -> Value {
    let now = chrono::DateTime::from_timestamp_millis(carnet_server::store::now_ms())
        .unwrap()
        .to_rfc3339();
    let mut v = json!({
        "waiting": waiting,
        "to_fix": 1,
        "build": build,
        "persistent": true,
        "reported_at": now,
    });
    if let Some((oldest, newest)) = dates {
        v["oldest_waiting"] = json!(oldest);
        v["newest_waiting"] = json!(newest);
    }
    v
}

/// The coordinator's view of one device of `worker` (its first).
fn device_of(s: &TestServer, coordinator: &str, worker: &str) -> Value {
    let (_, team) = call(s, "GET", "/api/v1/workers", coordinator, None);
    team["workers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == worker)
        .unwrap()["devices"][0]
        .clone()
}

both_backends! {
    fn a_phone_reports_what_it_holds_and_anything_else_is_refused_whole(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let coordinator = s.db.add_coordinator("coordination");
        let good = report(40, Some(("2026-03-02", "2026-03-30")), "7a496f8adc8c9175");
        let (status, _) = call(&s, "PUT", "/api/v1/device/report", &s.token, Some(&good));
        assert_eq!(status, 204);
        let seen = device_of(&s, &coordinator, "travailleuse-a");
        assert_eq!(seen["report"]["waiting"], 40);
        assert_eq!(seen["report"]["oldest_waiting"], "2026-03-02");
        assert!(seen["report_ms"].as_i64().unwrap() > 0);
        // Bad reports: a clear 400, and the report kept is still the last good one.
        let mut unknown = good.clone();
        unknown["ids"] = json!(["00000000-0000-4000-8000-000000000001"]);
        let mut negative = good.clone();
        negative["waiting"] = json!(-4);
        let mut named = good.clone();
        named["build"] = json!("<script>");
        let backwards = report(2, Some(("2026-03-30", "2026-03-02")), "b");
        let dates_without_records = report(0, Some(("2026-03-01", "2026-03-02")), "b");
        for (bad, code) in [
            (&unknown, "malformed_json"),
            (&negative, "malformed_json"),
            (&named, "invalid_device_report"),
            (&backwards, "invalid_device_report"),
            (&dates_without_records, "invalid_device_report"),
        ] {
            let (status, body) = call(&s, "PUT", "/api/v1/device/report", &s.token, Some(bad));
            assert_eq!((status, body["error"].as_str()), (400, Some(code)), "{bad}");
        }
        assert_eq!(device_of(&s, &coordinator, "travailleuse-a")["report"], seen["report"]);
        // Only the latest report is kept.
        let (status, _) = call(&s, "PUT", "/api/v1/device/report", &s.token, Some(&report(0, None, "b2")));
        assert_eq!(status, 204);
        let latest = device_of(&s, &coordinator, "travailleuse-a");
        assert_eq!(latest["report"]["waiting"], 0);
        assert_eq!(latest["report"].get("oldest_waiting"), None);
        // No token: nothing.
        let resp = TestServer::agent()
            .put(s.url("/api/v1/device/report"))
            .header("Content-Type", "application/json")
            .send(good.to_string().as_bytes())
            .unwrap();
        assert_eq!(resp.status().as_u16(), 401);
    }
}

both_backends! {
    fn completeness_names_the_devices_that_may_still_hold_records(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let coordinator = s.db.add_coordinator("coordination");
        let quiet = s.db.add_worker("poste-sans-nouvelles");
        let waiting = s.db.add_worker("poste-en-attente");
        let lost = s.db.add_worker("poste-perdu");
        let _ = quiet;
        // Last month, asked after its end. Devices are paired a few days into it (and used
        // within the 90 days a device stays valid, whatever day this test runs).
        let today = chrono::DateTime::from_timestamp_millis(carnet_server::store::now_ms())
            .unwrap()
            .date_naive();
        let from = (today - chrono::Duration::days(i64::from(today.day())))
            .with_day(1)
            .unwrap();
        let to = today - chrono::Duration::days(i64::from(today.day()));
        let day = |n: i64| (from + chrono::Duration::days(n)).to_string();
        let period = format!("from={from}&to={to}");
        // `travailleuse-a` synced after the end with nothing waiting: complete.
        assert_eq!(call(&s, "PUT", "/api/v1/device/report", &s.token, Some(&report(0, None, "b2"))).0, 204);
        // One holds 40 contacts from the middle of last month to today.
        let held = report(40, Some((&day(11), &today.to_string())), "b2");
        assert_eq!(call(&s, "PUT", "/api/v1/device/report", &waiting, Some(&held)).0, 204);
        // One reported records of last month, then was revoked (a lost phone).
        let of_month = report(7, Some((&day(1), &day(8))), "b2");
        assert_eq!(call(&s, "PUT", "/api/v1/device/report", &lost, Some(&of_month)).0, 204);
        let device = device_of(&s, &coordinator, "poste-perdu")["id"].as_i64().unwrap();
        assert_eq!(call(&s, "POST", &format!("/api/v1/devices/{device}/revoke"), &coordinator, None).0, 204);
        // Every device was paired on the 4th of last month (this test's devices were made
        // today, and a device paired after the period holds nothing of it).
        let paired = from.and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp_millis() + 3 * 86_400_000;
        s.target.execute(&format!("UPDATE devices SET created_ms = {paired}"));

        let (status, body) = call(&s, "GET", &format!("/api/v1/completeness?{period}"), &coordinator, None);
        assert_eq!(status, 200, "{body}");
        let pending: BTreeMap<String, Vec<String>> = body["pending"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let doubts = d["doubts"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect();
                (d["worker"].as_str().unwrap().to_owned(), doubts)
            })
            .collect();
        // The quiet one never made a request; the coordinator's own device makes requests
        // but never reported (as a phone of a build from before reports); the waiting one
        // holds records of the month. The test's server serves no app: no build to compare.
        assert_eq!(
            pending,
            BTreeMap::from([
                ("coordination".to_owned(), vec!["no_report".to_owned()]),
                ("poste-en-attente".to_owned(), vec!["waiting_in_period".to_owned()]),
                ("poste-sans-nouvelles".to_owned(), vec!["never_synced".to_owned()]),
            ])
        );
        let lost_devices = body["lost"].as_array().unwrap();
        assert_eq!(lost_devices.len(), 1);
        assert_eq!(lost_devices[0]["worker"], "poste-perdu");
        assert_eq!(lost_devices[0]["state"], "revoked");
        assert_eq!(lost_devices[0]["report"]["waiting"], 7);
        assert_eq!(body["active_devices"], 4);
        // A phone whose clock is behind (it says the 10th of last month) looks that old,
        // though its report came today: a doubt too many, never a period called complete.
        let mut behind = report(0, None, "b2");
        behind["reported_at"] = json!(format!("{}T10:00:00-05:00", day(9)));
        assert_eq!(call(&s, "PUT", "/api/v1/device/report", &s.token, Some(&behind)).0, 204);
        let (_, body2) = call(&s, "GET", &format!("/api/v1/completeness?{period}"), &coordinator, None);
        let doubts_of = |b: &Value, w: &str| {
            b["pending"].as_array().unwrap().iter().find(|d| d["worker"] == w).map(|d| d["doubts"].clone())
        };
        assert_eq!(doubts_of(&body2, "travailleuse-a"), Some(json!(["not_synced_since_end"])));
        // A period before any device existed is complete: none could hold its records.
        let (_, old) = call(&s, "GET", "/api/v1/completeness?from=2019-04-01&to=2020-03-31", &coordinator, None);
        assert_eq!(old["pending"], json!([]), "{old}");
        assert_eq!(old["lost"], json!([]), "{old}");
        // Bad input.
        assert_eq!(call(&s, "GET", &format!("/api/v1/completeness?{period}"), &s.token, None).0, 403);
        let (status, body) = call(&s, "GET", &format!("/api/v1/completeness?from={to}&to={from}"), &coordinator, None);
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_query")));
        let (status, _) = call(&s, "GET", &format!("/api/v1/completeness?{period}&program=x"), &coordinator, None);
        assert_eq!(status, 400);
    }
}
