//! Server hardening: security headers, revoked tokens, rate limits, and logs that never
//! carry record contents, aliases, tokens, worker names or record ids. On both backends.

#[macro_use]
mod common;

use common::{ServerProcess, TestDb, TestServer, record, statuses};
use serde_json::json;

both_backends! {
    fn every_response_carries_the_security_headers(backend: Backend) {
        let s = TestServer::start_with(&backend);
        for path in ["/", "/api/v1/taxonomy", "/api/v1/nothing"] {
            let resp = TestServer::agent().get(s.url(path)).call().unwrap();
            let h = |name: &str| {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned()
            };
            assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
            assert_eq!(h("referrer-policy"), "no-referrer", "{path}");
            assert_eq!(h("x-frame-options"), "DENY", "{path}");
            let csp = h("content-security-policy");
            assert!(
                csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
                "{csp}"
            );
            assert!(!csp.contains("unsafe-inline"), "{csp}");
            // CORS stays closed: no header lets another origin read the answer.
            assert_eq!(h("access-control-allow-origin"), "");
        }
    }
}

both_backends! {
    fn a_revoked_token_is_refused_and_its_records_stay(backend: Backend) {
        let s = TestServer::start_with(&backend);
        assert_eq!(
            statuses(&s.post(&json!({ "records": [record(1)] })).1),
            ["stored"]
        );
        s.db.block(s.db.store.revoke_worker("travailleuse-a")).unwrap();
        let (status, body) = s.post(&json!({ "records": [record(2)] }));
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("unauthorized"))
        );
        assert_eq!(s.rows(), 1);
        assert!(
            s.db.block(s.db.store.revoke_worker("personne")).is_err()
        );
    }
}

both_backends! {
    fn a_token_that_hammers_the_server_is_slowed_down(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let mut limited = None;
        for i in 0..200 {
            let (status, _, _) = s.get("/api/v1/records", Some(&s.token));
            if status == 429 {
                limited = Some(i);
                break;
            }
            assert_eq!(status, 200);
        }
        let at = limited.expect("the limit was never reached");
        assert!(at >= 100, "limited too early, after {at} requests");
        // The bucket refills one request every 500 ms, so on a loaded machine the next
        // request may find one; a few in a row cannot all.
        let refused = (0..10).find_map(|_| {
            let resp = TestServer::agent()
                .get(s.url("/api/v1/records"))
                .header("Authorization", format!("Bearer {}", s.token))
                .call()
                .unwrap();
            (resp.status().as_u16() == 429).then_some(resp)
        });
        let resp = refused.expect("the limit let every further request through");
        assert!(resp.headers().get("retry-after").is_some());
    }
}

both_backends! {
    fn logs_never_carry_record_contents_aliases_tokens_names_or_ids(backend: Backend) {
        let target = TestDb::new(&backend);
        let db = target.open();
        let token = db.add_worker("poste-log");
        let coordinator = db.add_coordinator("coordination-unique");
        db.add_worker("Nom-de-travailleuse-unique");
        let log = target.dir.path().join("server.log");
        let server = ServerProcess::start(&target.cli_args(), &target.dist(), Some(&log));
        let mut r = record(1);
        r["note"] = json!("Marqueur-de-note-unique a parlé de son logement");
        r["person_code"] = json!("c0de".repeat(16));
        let agent = TestServer::agent();
        let body = json!({ "records": [r.clone()] }).to_string();
        for auth in [
            format!("Bearer {token}"),
            "Bearer jeton-invalide-unique".to_owned(),
        ] {
            agent
                .post(server.url("/api/v1/records?x=requete-unique"))
                .header("Authorization", &auth)
                .header("Content-Type", "application/json")
                .send(body.as_bytes())
                .unwrap();
        }
        let mut bad = r;
        bad["milieu"] = json!("milieu-inconnu-unique");
        agent
            .post(server.url("/api/v1/records"))
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/json")
            .send(json!({ "records": [bad] }).to_string().as_bytes())
            .unwrap();
        // Path parameters: a record id and a worker's name.
        let id = record(1)["id"].as_str().unwrap().to_owned();
        let resp = agent
            .get(server.url(&format!("/api/v1/records/{id}/versions")))
            .header("Authorization", format!("Bearer {token}"))
            .call()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let resp = agent
            .post(server.url("/api/v1/workers/Nom-de-travailleuse-unique/pairing"))
            .header("Authorization", format!("Bearer {coordinator}"))
            .header("Content-Type", "application/json")
            .send("{}".as_bytes())
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let resp = agent
            .get(server.url("/api/v1/autre-chemin-unique/42"))
            .call()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 404);
        server.kill();
        let logs = std::fs::read_to_string(&log).unwrap();
        for line in [
            "POST /api/v1/records 200",
            "GET /api/v1/records/:id/versions 200",
            "POST /api/v1/workers/:name/pairing 200",
            "GET /api/v1/:param/:param 404",
        ] {
            assert!(logs.contains(line), "no `{line}` in the log:\n{logs}");
        }
        for secret in [
            token.as_str(),
            coordinator.as_str(),
            "jeton-invalide-unique",
            "Marqueur-de-note-unique",
            "logement",
            "c0dec0de",
            "milieu-inconnu-unique",
            "requete-unique",
            "bar_erotique",
            &id,
            &id[24..],
            "Nom-de-travailleuse-unique",
            "autre-chemin-unique",
        ] {
            assert!(!logs.contains(secret), "the log holds `{secret}`:\n{logs}");
        }
        drop(db);
    }
}

fn pair(s: &TestServer, code: &str) -> (u16, serde_json::Value) {
    let mut resp = TestServer::agent()
        .post(s.url("/api/v1/pair"))
        .header("Content-Type", "application/json")
        .send(json!({ "code": code }).to_string().as_bytes())
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap())
}

both_backends! {
    fn a_pairing_code_works_once_and_gives_a_device_token(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let code = s
            .db
            .block(
                s.db.store
                    .create_pairing_code("travailleuse-a", carnet_server::store::now_ms()),
            )
            .unwrap();
        assert_eq!(code.len(), 9);
        // Typed in lower case without the dash: still the same code.
        let (status, body) = pair(&s, &code.to_lowercase().replace('-', ""));
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["worker"], "travailleuse-a");
        let device = body["token"].as_str().unwrap().to_owned();
        assert_ne!(device, s.token);
        let (status, me, _) = s.get("/api/v1/me", Some(&device));
        assert_eq!(
            (status, me["worker"].as_str()),
            (200, Some("travailleuse-a"))
        );

        let (status, again) = pair(&s, &code);
        assert_eq!(
            (status, again["error"].as_str()),
            (400, Some("invalid_pairing_code"))
        );
        let (status, _) = pair(&s, "ABCD-EFGH");
        assert_eq!(status, 400);

        // Revoking the worker refuses the paired device's token too.
        s.db.block(s.db.store.revoke_worker("travailleuse-a")).unwrap();
        let (status, _, _) = s.get("/api/v1/me", Some(&device));
        assert_eq!(status, 401);
    }
}

both_backends! {
    fn a_pairing_code_expires(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let (db, store) = (&s.db, &s.db.store);
        let now = carnet_server::store::now_ms();
        let code = db
            .block(store.create_pairing_code("travailleuse-a", now))
            .unwrap();
        let late = now + carnet_server::store::PAIRING_CODE_TTL_MS + 1;
        assert!(db.block(store.redeem_pairing_code(&code, late)).unwrap().is_none());
        assert!(
            db.block(store.redeem_pairing_code(&code, now + 1000))
                .unwrap()
                .is_some()
        );
        assert!(db.block(store.create_pairing_code("personne", now)).is_err());
    }
}

both_backends! {
    fn a_coordinator_adds_workers_and_gets_pairing_codes_with_a_qr(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let coordinator = s.db.add_coordinator("coordination");
        let post = |token: &str, path: &str, body: serde_json::Value| {
            let mut resp = TestServer::agent()
                .post(s.url(path))
                .header("Authorization", format!("Bearer {token}"))
                .header("Content-Type", "application/json")
                .header("Origin", "https://carnet.example.org")
                .send(body.to_string().as_bytes())
                .unwrap();
            let status = resp.status().as_u16();
            let text = resp.body_mut().read_to_string().unwrap();
            (
                status,
                serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            )
        };
        let (status, created) = post(
            &coordinator,
            "/api/v1/workers",
            json!({ "name": "poste-nuit" }),
        );
        assert_eq!(status, 200, "{created}");
        assert!(created["qr_svg"].as_str().unwrap().starts_with("<?xml"));
        let code = created["pairing_code"].as_str().unwrap().to_owned();
        let (status, paired) = pair(&s, &code);
        assert_eq!(
            (status, paired["worker"].as_str()),
            (200, Some("poste-nuit"))
        );

        let (status, again) = post(
            &coordinator,
            "/api/v1/workers",
            json!({ "name": "poste-nuit" }),
        );
        assert_eq!(
            (status, again["error"].as_str()),
            (409, Some("worker_exists"))
        );
        let (status, bad) = post(&coordinator, "/api/v1/workers", json!({ "name": " " }));
        assert_eq!(
            (status, bad["error"].as_str()),
            (400, Some("invalid_worker_name"))
        );
        let (status, fresh) = post(
            &coordinator,
            "/api/v1/workers/poste-nuit/pairing",
            json!({}),
        );
        assert_eq!(status, 200);
        assert_ne!(fresh["pairing_code"], code.as_str());
        let (status, missing) = post(&coordinator, "/api/v1/workers/personne/pairing", json!({}));
        assert_eq!(
            (status, missing["error"].as_str()),
            (404, Some("not_found"))
        );

        // A worker token manages nobody.
        let (status, refused) = post(&s.token, "/api/v1/workers", json!({ "name": "intrus" }));
        assert_eq!(
            (status, refused["error"].as_str()),
            (403, Some("forbidden"))
        );
    }
}
