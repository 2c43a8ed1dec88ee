//! Accounts over real HTTP, on both backends: devices (labels, last use, revoking one,
//! expiry), roles with a second confirmation, revoking a worker, the audit log, settings,
//! and the upgrade of a database made before devices existed.

#[macro_use]
mod common;

use common::{TestDb, TestServer};
use serde_json::{Value, json};

/// One request; returns the status and the JSON body (or `null`).
fn call(
    s: &TestServer,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let agent = TestServer::agent();
    let url = s.url(path);
    let mut resp = match (method, body) {
        ("GET", _) => {
            let mut req = agent.get(&url);
            if let Some(t) = token {
                req = req.header("Authorization", format!("Bearer {t}"));
            }
            req.call().unwrap()
        }
        (_, body) => {
            let mut req = agent.post(&url).header("Content-Type", "application/json");
            if let Some(t) = token {
                req = req.header("Authorization", format!("Bearer {t}"));
            }
            req.send(body.unwrap_or(json!({})).to_string().as_bytes())
                .unwrap()
        }
    };
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn pair(s: &TestServer, code: &str, label: Option<&str>) -> (u16, Value) {
    let body = match label {
        Some(l) => json!({ "code": code, "label": l }),
        None => json!({ "code": code }),
    };
    call(s, "POST", "/api/v1/pair", None, Some(body))
}

fn code_for(s: &TestServer, name: &str) -> String {
    s.db.block(
        s.db.store
            .create_pairing_code(name, carnet_server::store::now_ms()),
    )
    .unwrap()
}

fn paired_token(s: &TestServer, name: &str, label: Option<&str>) -> String {
    let (status, body) = pair(s, &code_for(s, name), label);
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

fn account<'a>(team: &'a Value, name: &str) -> &'a Value {
    team["workers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {team}"))
}

fn audit_count(s: &TestServer) -> i64 {
    s.db.block(s.db.store.counts()).unwrap().audit
}

both_backends! {
    fn each_pairing_is_a_device_with_a_label_and_one_can_be_revoked_alone(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let coordinator = s.db.add_coordinator("coordination");
        let blue = paired_token(&s, "travailleuse-a", Some("  Téléphone bleu "));
        let spare = paired_token(&s, "travailleuse-a", None);
        assert_eq!(call(&s, "GET", "/api/v1/me", Some(&blue), None).0, 200);

        let (status, team) = call(&s, "GET", "/api/v1/workers", Some(&coordinator), None);
        assert_eq!(status, 200, "{team}");
        assert_eq!(team["device_expiry_days"], 90);
        let a = account(&team, "travailleuse-a");
        assert_eq!(a["role"], "worker");
        let devices = a["devices"].as_array().unwrap();
        let labels: Vec<&str> = devices.iter().map(|d| d["label"].as_str().unwrap()).collect();
        assert_eq!(labels, ["Jeton initial", "Téléphone bleu", "Téléphone"]);
        assert!(devices.iter().all(|d| d["state"] == "active"));
        // Used just now: a last-seen time. Never a token or a hash in the list.
        assert!(devices[1]["last_seen_ms"].as_i64().unwrap() > 0);
        let text = team.to_string();
        for secret in [&blue, &spare, &s.token] {
            assert!(!text.contains(secret.as_str()));
            assert!(!text.contains(&carnet_server::token::hash(secret)));
        }
        assert_eq!(account(&team, "coordination")["role"], "coordinator");

        // The lost blue phone is cut off; the spare phone and the initial token go on.
        let id = devices[1]["id"].as_i64().unwrap();
        let path = format!("/api/v1/devices/{id}/revoke");
        let before = audit_count(&s);
        assert_eq!(call(&s, "POST", &path, Some(&coordinator), None).0, 204);
        assert_eq!(audit_count(&s), before + 1);
        let (status, body) = call(&s, "GET", "/api/v1/me", Some(&blue), None);
        assert_eq!((status, body["error"].as_str()), (401, Some("unauthorized")));
        assert_eq!(call(&s, "GET", "/api/v1/me", Some(&spare), None).0, 200);
        assert_eq!(call(&s, "GET", "/api/v1/me", Some(&s.token), None).0, 200);
        let (_, team) = call(&s, "GET", "/api/v1/workers", Some(&coordinator), None);
        assert_eq!(account(&team, "travailleuse-a")["devices"][1]["state"], "revoked");

        // Again: nothing to do, nothing written. Unknown devices and bad numbers: 404.
        assert_eq!(call(&s, "POST", &path, Some(&coordinator), None).0, 204);
        assert_eq!(audit_count(&s), before + 1);
        let (status, body) = call(&s, "POST", "/api/v1/devices/99999/revoke", Some(&coordinator), None);
        assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
        assert_eq!(call(&s, "POST", "/api/v1/devices/abc/revoke", Some(&coordinator), None).0, 404);

        // A worker's token sees and revokes nothing.
        let (status, body) = call(&s, "GET", "/api/v1/workers", Some(&spare), None);
        assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")));
        let spare_id = account(&team, "travailleuse-a")["devices"][2]["id"].as_i64().unwrap();
        let (status, _) = call(&s, "POST", &format!("/api/v1/devices/{spare_id}/revoke"), Some(&spare), None);
        assert_eq!(status, 403);
        assert_eq!(call(&s, "GET", "/api/v1/me", Some(&spare), None).0, 200);
        assert_eq!(audit_count(&s), before + 1);
    }
}

both_backends! {
    fn a_bad_label_is_refused_and_the_code_stays_usable(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let code = code_for(&s, "travailleuse-a");
        let devices = s.db.block(s.db.store.counts()).unwrap().devices;
        for bad in ["x".repeat(41), "a\nb".to_owned()] {
            let (status, body) = pair(&s, &code, Some(&bad));
            assert_eq!((status, body["error"].as_str()), (400, Some("invalid_device_label")));
        }
        assert_eq!(s.db.block(s.db.store.counts()).unwrap().devices, devices);
        let (status, body) = pair(&s, &code, Some("Tablette"));
        assert_eq!(status, 200, "{body}");
    }
}

both_backends! {
    fn an_unused_device_expires_with_its_own_reason_until_paired_again(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let coordinator = s.db.add_coordinator("coordination");
        let phone = paired_token(&s, "travailleuse-a", Some("Vieux téléphone"));
        s.db.block(s.db.store.set_setting(
            carnet_server::store::Setting::DeviceExpiryDays,
            "30",
            "cli",
        ))
        .unwrap();
        // Last used 31 days ago.
        let old = carnet_server::store::now_ms() - 31 * 24 * 3600 * 1000;
        s.target.execute(&format!(
            "UPDATE devices SET last_seen_ms = {old} WHERE label = 'Vieux téléphone'"
        ));
        let (status, body) = call(&s, "GET", "/api/v1/me", Some(&phone), None);
        assert_eq!((status, body["error"].as_str()), (401, Some("device_expired")), "{body}");
        // Still refused a moment later: a refusal does not count as use.
        let (status, _) = call(&s, "GET", "/api/v1/records", Some(&phone), None);
        assert_eq!(status, 401);
        let (_, team) = call(&s, "GET", "/api/v1/workers", Some(&coordinator), None);
        assert_eq!(team["device_expiry_days"], 30);
        let devices = account(&team, "travailleuse-a")["devices"].as_array().unwrap().clone();
        let old_phone = devices.iter().find(|d| d["label"] == "Vieux téléphone").unwrap();
        assert_eq!(old_phone["state"], "expired");
        // 29 days: still fine. Paired again: a new device that works.
        let recent = carnet_server::store::now_ms() - 29 * 24 * 3600 * 1000;
        s.target.execute(&format!(
            "UPDATE devices SET last_seen_ms = {recent} WHERE label = 'Jeton initial'"
        ));
        assert_eq!(call(&s, "GET", "/api/v1/me", Some(&s.token), None).0, 200);
        let again = paired_token(&s, "travailleuse-a", Some("Vieux téléphone"));
        assert_eq!(call(&s, "GET", "/api/v1/me", Some(&again), None).0, 200);
        assert_eq!(call(&s, "GET", "/api/v1/me", Some(&phone), None).0, 401);
    }
}

both_backends! {
    fn the_last_use_is_written_at_most_every_few_minutes(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let db = &s.db;
        let before = carnet_server::store::now_ms();
        assert_eq!(call(&s, "GET", "/api/v1/me", Some(&s.token), None).0, 200);
        let seen = |db: &common::Db| {
            let (accounts, _) = db.block(db.store.accounts(carnet_server::store::now_ms())).unwrap();
            accounts[0].devices[0].last_seen_ms.unwrap()
        };
        let first = seen(db);
        // Never used before: the first request writes it.
        assert!(first <= carnet_server::store::now_ms());
        // Six minutes ago: the next request moves it to now.
        let earlier = before - 6 * 60 * 1000;
        s.target.execute(&format!("UPDATE devices SET last_seen_ms = {earlier}"));
        assert_eq!(call(&s, "GET", "/api/v1/me", Some(&s.token), None).0, 200);
        let moved = seen(db);
        assert!(moved >= before, "{moved} < {before}");
        // Two minutes ago: not written again.
        let recent = carnet_server::store::now_ms() - 2 * 60 * 1000;
        s.target.execute(&format!("UPDATE devices SET last_seen_ms = {recent}"));
        assert_eq!(call(&s, "GET", "/api/v1/me", Some(&s.token), None).0, 200);
        assert_eq!(seen(db), recent);
    }
}

both_backends! {
    fn a_coordinator_is_made_only_with_the_name_typed_again(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let coordinator = s.db.add_coordinator("coordination");
        let role = |token: &str| call(&s, "GET", "/api/v1/me", Some(token), None).1["role"].clone();
        let before = audit_count(&s);
        let path = "/api/v1/workers/travailleuse-a/role";
        for body in [
            json!({ "role": "coordinator", "confirm": "" }),
            json!({ "role": "coordinator", "confirm": "Travailleuse-A" }),
            json!({ "role": "coordinator", "confirm": "coordination" }),
        ] {
            let (status, answer) = call(&s, "POST", path, Some(&coordinator), Some(body));
            assert_eq!((status, answer["error"].as_str()), (400, Some("confirmation_required")));
        }
        let (status, answer) = call(&s, "POST", path, Some(&coordinator), Some(json!({ "role": "coordinator" })));
        assert_eq!((status, answer["error"].as_str()), (400, Some("malformed_json")));
        let (status, answer) = call(&s, "POST", path, Some(&coordinator), Some(json!({ "role": "admin", "confirm": "travailleuse-a" })));
        assert_eq!((status, answer["error"].as_str()), (400, Some("invalid_role")));
        assert_eq!(role(&s.token), "worker");
        assert_eq!(audit_count(&s), before);

        let (status, _) = call(&s, "POST", path, Some(&coordinator), Some(json!({ "role": "coordinator", "confirm": "travailleuse-a" })));
        assert_eq!(status, 204);
        assert_eq!(role(&s.token), "coordinator");
        // The new coordinator may step back; the last one may not, from the app.
        let (status, _) = call(&s, "POST", path, Some(&s.token), Some(json!({ "role": "worker", "confirm": "travailleuse-a" })));
        assert_eq!(status, 204);
        let (status, answer) = call(&s, "POST", "/api/v1/workers/coordination/role", Some(&coordinator), Some(json!({ "role": "worker", "confirm": "coordination" })));
        assert_eq!((status, answer["error"].as_str()), (409, Some("last_coordinator")));
        assert_eq!(role(&coordinator), "coordinator");
        let (status, _) = call(&s, "POST", "/api/v1/workers/personne/role", Some(&coordinator), Some(json!({ "role": "worker", "confirm": "personne" })));
        assert_eq!(status, 404);
        // A worker's token changes no role.
        let (status, _) = call(&s, "POST", "/api/v1/workers/coordination/role", Some(&s.token), Some(json!({ "role": "worker", "confirm": "coordination" })));
        assert_eq!(status, 403);
        assert_eq!(audit_count(&s), before + 2);

        // Adding a coordinator needs the same confirmation; without it nobody is added.
        let (status, answer) = call(&s, "POST", "/api/v1/workers", Some(&coordinator), Some(json!({ "name": "adjointe", "coordinator": true })));
        assert_eq!((status, answer["error"].as_str()), (400, Some("confirmation_required")));
        let (_, team) = call(&s, "GET", "/api/v1/workers", Some(&coordinator), None);
        assert!(team["workers"].as_array().unwrap().iter().all(|w| w["name"] != "adjointe"));
        let (status, answer) = call(&s, "POST", "/api/v1/workers", Some(&coordinator), Some(json!({ "name": "adjointe", "coordinator": true, "confirm": "adjointe" })));
        assert_eq!(status, 200, "{answer}");
        let (_, team) = call(&s, "GET", "/api/v1/workers", Some(&coordinator), None);
        assert_eq!(account(&team, "adjointe")["role"], "coordinator");
        assert!(account(&team, "adjointe")["devices"].as_array().unwrap().is_empty());
    }
}

both_backends! {
    fn revoking_a_worker_needs_the_name_and_cuts_every_device(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let coordinator = s.db.add_coordinator("coordination");
        let phone = paired_token(&s, "travailleuse-a", Some("Téléphone"));
        let path = "/api/v1/workers/travailleuse-a/revoke";
        let (status, answer) = call(&s, "POST", path, Some(&coordinator), Some(json!({ "confirm": "travailleuse" })));
        assert_eq!((status, answer["error"].as_str()), (400, Some("confirmation_required")));
        assert_eq!(call(&s, "GET", "/api/v1/me", Some(&phone), None).0, 200);
        let (status, _) = call(&s, "POST", path, Some(&coordinator), Some(json!({ "confirm": "travailleuse-a" })));
        assert_eq!(status, 204);
        for token in [&phone, &s.token] {
            assert_eq!(call(&s, "GET", "/api/v1/me", Some(token), None).0, 401);
        }
        let (_, team) = call(&s, "GET", "/api/v1/workers", Some(&coordinator), None);
        let a = account(&team, "travailleuse-a");
        assert_eq!(a["revoked"], true);
        assert!(a["devices"].as_array().unwrap().iter().all(|d| d["state"] == "revoked"));
        // No new code for a revoked worker; revoking again: 404.
        let (status, _) = call(&s, "POST", "/api/v1/workers/travailleuse-a/pairing", Some(&coordinator), None);
        assert_eq!(status, 404);
        let (status, _) = call(&s, "POST", path, Some(&coordinator), Some(json!({ "confirm": "travailleuse-a" })));
        assert_eq!(status, 404);
        // The last coordinator cannot revoke itself from the app.
        let (status, answer) = call(&s, "POST", "/api/v1/workers/coordination/revoke", Some(&coordinator), Some(json!({ "confirm": "coordination" })));
        assert_eq!((status, answer["error"].as_str()), (409, Some("last_coordinator")));
        assert_eq!(call(&s, "GET", "/api/v1/me", Some(&coordinator), None).0, 200);
    }
}

both_backends! {
    fn the_audit_log_says_who_did_what_and_when_and_holds_no_secret(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let coordinator = s.db.add_coordinator("coordination");
        let start = carnet_server::store::now_ms();
        let (status, created) = call(&s, "POST", "/api/v1/workers", Some(&coordinator), Some(json!({ "name": "poste-nuit" })));
        assert_eq!(status, 200);
        let code = created["pairing_code"].as_str().unwrap().to_owned();
        let (status, paired) = pair(&s, &code, Some("Téléphone vert"));
        assert_eq!(status, 200);
        let token = paired["token"].as_str().unwrap().to_owned();
        let (status, _) = call(&s, "POST", "/api/v1/workers/poste-nuit/role", Some(&coordinator), Some(json!({ "role": "coordinator", "confirm": "poste-nuit" })));
        assert_eq!(status, 204);
        s.db.block(s.db.store.set_setting(carnet_server::store::Setting::RetentionDays, "30", "cli")).unwrap();
        let (status, _) = call(&s, "POST", "/api/v1/workers/poste-nuit/revoke", Some(&coordinator), Some(json!({ "confirm": "poste-nuit" })));
        assert_eq!(status, 204);

        let (status, page) = call(&s, "GET", "/api/v1/audit?limit=200", Some(&coordinator), None);
        assert_eq!(status, 200, "{page}");
        assert!(page.get("next_before").is_none());
        let entries = page["entries"].as_array().unwrap();
        let summary: Vec<(String, String, String)> = entries
            .iter()
            .map(|e| {
                (
                    e["actor"].as_str().unwrap().to_owned(),
                    e["action"].as_str().unwrap().to_owned(),
                    e["worker"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        let expected = [
            ("coordination", "worker_revoked", "poste-nuit"),
            ("cli", "setting_changed", ""),
            ("coordination", "role_changed", "poste-nuit"),
            ("poste-nuit", "device_paired", "poste-nuit"),
            ("coordination", "code_issued", "poste-nuit"),
            ("coordination", "worker_added", "poste-nuit"),
            ("cli", "worker_added", "coordination"),
            ("cli", "worker_added", "travailleuse-a"),
        ];
        let expected: Vec<(String, String, String)> = expected
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(summary, expected);
        assert_eq!(entries[1]["detail"], "retention_days=30");
        assert_eq!(entries[2]["detail"], "coordinator");
        assert_eq!(entries[3]["detail"], "Téléphone vert");
        assert!(entries[3]["device_id"].as_i64().is_some());
        assert!(entries.iter().take(6).all(|e| e["at_ms"].as_i64().unwrap() >= start));
        let text = page.to_string();
        let bare_code = code.replace('-', "");
        for secret in [token.as_str(), coordinator.as_str(), s.token.as_str(), code.as_str(), bare_code.as_str()] {
            assert!(!text.contains(secret), "the audit log holds `{secret}`");
        }

        // Paged: three at a time, newest first, down to the oldest.
        let mut ids = Vec::new();
        let mut path = "/api/v1/audit?limit=3".to_owned();
        loop {
            let (status, page) = call(&s, "GET", &path, Some(&coordinator), None);
            assert_eq!(status, 200);
            ids.extend(page["entries"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()));
            match page["next_before"].as_i64() {
                Some(before) => path = format!("/api/v1/audit?limit=3&before={before}"),
                None => break,
            }
        }
        let all: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, all);
        for bad in ["limit=0", "limit=201", "limit=x", "since=3"] {
            let (status, body) = call(&s, "GET", &format!("/api/v1/audit?{bad}"), Some(&coordinator), None);
            assert_eq!((status, body["error"].as_str()), (400, Some("invalid_query")), "{bad}");
        }
        let (status, _) = call(&s, "GET", "/api/v1/audit", Some(&s.token), None);
        assert_eq!(status, 403);
    }
}

both_backends! {
    fn settings_are_checked_and_the_retention_window_reaches_phones(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let me = |s: &TestServer| call(s, "GET", "/api/v1/me", Some(&s.token), None).1;
        assert_eq!(me(&s)["retention_days"], 45);
        let store = &s.db.store;
        let before = audit_count(&s);
        for bad in ["0", "3651", "-3", "quarante", ""] {
            assert!(s.db.block(store.set_setting(carnet_server::store::Setting::RetentionDays, bad, "cli")).is_err());
        }
        assert_eq!(audit_count(&s), before);
        assert_eq!(me(&s)["retention_days"], 45);
        s.db.block(store.set_setting(carnet_server::store::Setting::RetentionDays, "21", "cli")).unwrap();
        assert_eq!(me(&s)["retention_days"], 21);
        assert_eq!(audit_count(&s), before + 1);
    }
}

/// The schema as it was before devices (step 5), with a worker whose `worker add` token
/// and one paired phone were made then.
fn step_five(target: &TestDb, token_hash: &str, phone_hash: &str) {
    let steps = &carnet_server::store::migrations::MIGRATIONS[..5];
    let rows = format!(
        "INSERT INTO workers (name, token_hash, created_ms, role) VALUES ('ancienne', '{token_hash}', 1, 'worker');
         INSERT INTO workers (name, token_hash, created_ms, role, revoked_ms) VALUES ('partie', 'x', 1, 'worker', 5);
         INSERT INTO tokens (hash, worker_id, created_ms) VALUES ('{phone_hash}', 1, 2);"
    );
    match &target.database {
        carnet_server::store::Database::Sqlite(_) => {
            let sql: String = steps
                .iter()
                .map(|m| m.sqlite)
                .collect::<Vec<_>>()
                .join("\n");
            target.execute(&format!("{sql}\n{rows}\nPRAGMA user_version = 5;"));
        }
        carnet_server::store::Database::Postgres(_) => {
            let sql: String = steps
                .iter()
                .map(|m| m.postgres)
                .collect::<Vec<_>>()
                .join("\n");
            target.execute(&format!(
                "CREATE TABLE carnet_schema (version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL);
                 {sql}
                 INSERT INTO carnet_schema SELECT v, 0 FROM generate_series(1, 5) v;
                 {rows}"
            ));
        }
    }
}

both_backends! {
    fn an_upgrade_keeps_every_token_working_as_a_device(backend: Backend) {
        let target = TestDb::new(&backend);
        let token = carnet_server::token::generate().unwrap();
        let phone = carnet_server::token::generate().unwrap();
        step_five(&target, &carnet_server::token::hash(&token), &carnet_server::token::hash(&phone));
        let db = target.open();
        let now = carnet_server::store::now_ms();
        for t in [&token, &phone] {
            assert!(db.block(db.store.caller_for_token(t)).unwrap().is_some());
        }
        let (accounts, _) = db.block(db.store.accounts(now)).unwrap();
        let old = accounts.iter().find(|a| a.name == "ancienne").unwrap();
        let labels: Vec<&str> = old.devices.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(labels, ["Jeton initial", "Téléphone"]);
        // Counted as seen at the upgrade: 90 days from now, not from their creation.
        assert!(old.devices.iter().all(|d| d.last_seen_ms.unwrap() >= now - 60_000));
        assert!(old.devices.iter().all(|d| d.state == carnet_core::wire::DeviceState::Active));
        let gone = accounts.iter().find(|a| a.name == "partie").unwrap();
        assert_eq!(gone.devices[0].state, carnet_core::wire::DeviceState::Revoked);
        // A new device gets a number after the carried-over ones.
        let code = db.block(db.store.create_pairing_code("ancienne", now)).unwrap();
        let (_, _, device) = db.block(db.store.pair_device(&code, Some("Neuf"), now)).unwrap().unwrap();
        assert!(device.0 > 3);
    }
}
