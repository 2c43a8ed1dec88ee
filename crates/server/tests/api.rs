//! HTTP-level tests: a real server on a loopback port, a real database (a SQLite file and
//! a PostgreSQL database: each test runs on both), a real client.

#[macro_use]
mod common;

use carnet_server::store::Database;
use common::{Db, TestServer, record, statuses};
use serde_json::{Value, json};

both_backends! {
    fn stores_a_batch_and_acknowledges_after_commit(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let (status, body) = s.post(&json!({ "records": [record(1), record(2), record(3)] }));
        assert_eq!(status, 200, "{body}");
        assert_eq!(statuses(&body), ["stored", "stored", "stored"]);
        assert_eq!(body["results"][0]["id"], record(1)["id"]);
        // Acknowledged means on disk: another connection to the file sees the rows.
        assert_eq!(s.rows(), 3);
        let (status, list, cache) = s.get("/api/v1/records", Some(&s.token));
        assert_eq!(status, 200);
        assert_eq!(list["records"].as_array().unwrap().len(), 3);
        assert_eq!(
            list["records"][0],
            json!({ "id": record(1)["id"], "version": 1 })
        );
        assert_eq!(cache, "no-store");
    }
}

both_backends! {
    fn an_identical_resend_changes_nothing(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let batch = json!({ "records": [record(1), record(2)] });
        assert_eq!(statuses(&s.post(&batch).1), ["stored", "stored"]);
        let (status, body) = s.post(&json!({ "records": [record(2), record(1), record(3)] }));
        assert_eq!(status, 200);
        assert_eq!(statuses(&body), ["duplicate", "duplicate", "stored"]);
        assert_eq!(s.rows(), 3);
    }
}

both_backends! {
    fn same_id_with_other_content_is_a_conflict_never_an_overwrite(backend: Backend) {
        let s = TestServer::start_with(&backend);
        s.post(&json!({ "records": [record(1)] }));
        let mut changed = record(1);
        changed["milieu"] = json!("salon_massage");
        let (status, body) = s.post(&json!({ "records": [changed, record(2)] }));
        assert_eq!(status, 200);
        assert_eq!(statuses(&body), ["conflict", "stored"]);
        // The stored version is untouched: read back through another connection.
        let worker = s.db.block(s.db.store.worker_by_name("travailleuse-a")).unwrap().unwrap();
        let id = uuid::Uuid::parse_str(record(1)["id"].as_str().unwrap()).unwrap();
        let stored = s.db.block(s.db.store.versions(worker, id)).unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].as_contact().unwrap().milieu, "bar_erotique");
    }
}

both_backends! {
    fn a_record_of_another_worker_is_a_conflict(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let other = s.db.add_worker("travailleur-b");
        s.post(&json!({ "records": [record(1)] }));
        let body = json!({ "records": [record(1)] }).to_string();
        let (status, resp) = s.post_raw(Some(&other), "application/json", body.as_bytes());
        assert_eq!(status, 200);
        assert_eq!(statuses(&resp), ["conflict"]);
        // And the other worker does not see the first worker's records.
        let (_, list, _) = s.get("/api/v1/records", Some(&other));
        assert_eq!(list["records"], json!([]));
    }
}

both_backends! {
    fn bad_tokens_are_refused_and_write_nothing(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let body = json!({ "records": [record(1)] }).to_string();
        for token in [None, Some("not-a-token"), Some("")] {
            let (status, resp) = s.post_raw(token, "application/json", body.as_bytes());
            assert_eq!(status, 401);
            assert_eq!(resp["error"], "unauthorized");
        }
        let (status, resp, _) = s.get("/api/v1/records", Some("0123"));
        assert_eq!(
            (status, resp["error"].as_str()),
            (401, Some("unauthorized"))
        );
        assert_eq!(s.rows(), 0);
    }
}

both_backends! {
    fn malformed_bodies_are_refused_with_a_reason(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let cases: [(&str, &[u8], u16, &str); 6] = [
            ("application/json", b"{ not json", 400, "malformed_json"),
            ("application/json", b"[1,2]", 400, "malformed_json"),
            (
                "application/json",
                b"{\"records\": 3}",
                400,
                "malformed_json",
            ),
            (
                "application/json",
                b"{\"records\": [], \"worker\": \"x\"}",
                400,
                "malformed_json",
            ),
            (
                "text/plain",
                b"{\"records\": []}",
                415,
                "unsupported_media_type",
            ),
            (
                "application/json",
                &[0xff, 0xfe, 0x00],
                400,
                "malformed_json",
            ),
        ];
        for (ct, body, want_status, want_error) in cases {
            let (status, resp) = s.post_raw(Some(&s.token), ct, body);
            assert_eq!(status, want_status, "{resp}");
            assert_eq!(resp["error"], want_error);
            assert!(resp["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        assert_eq!(s.rows(), 0);
    }
}

both_backends! {
    fn one_invalid_record_rejects_the_batch_and_names_it(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let mut unknown = record(2);
        unknown["milieu"] = json!("casino");
        let mut impossible = record(3);
        impossible["material"] = json!({ "condoms": 10_001 });
        let mut extra_field = record(4);
        extra_field["nom"] = json!("Personne fictive");
        let mut negative = record(5);
        negative["material"] = json!({ "condoms": -1 });
        let (status, resp) = s.post(&json!({
            "records": [record(1), unknown, impossible, extra_field, negative]
        }));
        assert_eq!(status, 422, "{resp}");
        assert_eq!(resp["error"], "invalid_records");
        let rejected = resp["records"].as_array().unwrap();
        let summary: Vec<(u64, String, String)> = rejected
            .iter()
            .map(|r| {
                (
                    r["index"].as_u64().unwrap(),
                    r["errors"][0]["field"].as_str().unwrap().to_owned(),
                    r["errors"][0]["reason"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (1, "milieu".into(), "unknown_code".into()),
                (2, "material.condoms".into(), "too_large".into()),
                (3, "record".into(), "malformed".into()),
                (4, "record".into(), "malformed".into()),
            ]
        );
        assert_eq!(rejected[0]["id"], record(2)["id"]);
        // All or nothing: the valid first record was not written either.
        assert_eq!(s.rows(), 0);
    }
}

both_backends! {
    fn oversized_batches_and_bodies_are_refused(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let many: Vec<Value> = (1..=carnet_core::wire::MAX_BATCH as u32 + 1).map(record).collect();
        let (status, resp) = s.post(&json!({ "records": many }));
        assert_eq!(
            (status, resp["error"].as_str()),
            (413, Some("batch_too_large"))
        );
        let huge = format!(
            "{{\"records\": [], \"pad\": \"{}\"}}",
            "x".repeat(carnet_core::wire::MAX_BODY_BYTES + 1)
        );
        let (status, resp) = s.post_raw(Some(&s.token), "application/json", huge.as_bytes());
        assert_eq!(
            (status, resp["error"].as_str()),
            (413, Some("payload_too_large"))
        );
        assert_eq!(s.rows(), 0);
    }
}

both_backends! {
    fn a_full_batch_of_the_maximum_size_is_accepted(backend: Backend) {
        let s = TestServer::start_with(&backend);
        // Every note as long as allowed, in characters JSON writes six bytes for.
        let note = "\u{7}".repeat(carnet_core::note::MAX_NOTE_CHARS);
        let full = carnet_core::wire::MAX_BATCH;
        let many: Vec<Value> = (1..=full as u32)
            .map(|n| {
                let mut r = record(n);
                r["note"] = json!(note);
                r
            })
            .collect();
        let body = serde_json::to_vec(&json!({ "records": many })).unwrap();
        assert!(body.len() > 1024 * 1024, "{} bytes", body.len());
        let (status, body) = s.post_raw(Some(&s.token), "application/json", &body);
        assert_eq!(status, 200, "{body}");
        assert_eq!(statuses(&body).len(), full);
        assert_eq!(s.rows(), full as i64);
    }
}

/// POSTs a batch body with a `Content-Encoding`; status, the `Accept-Encoding` answered, JSON.
fn post_encoded(s: &TestServer, encoding: &str, body: &[u8]) -> (u16, String, Value) {
    let mut resp = TestServer::agent()
        .post(&s.url("/api/v1/records"))
        .header("Content-Type", "application/json")
        .header("Content-Encoding", encoding)
        .header("Authorization", format!("Bearer {}", s.token))
        .send(body)
        .unwrap();
    let accepts = resp
        .headers()
        .get("accept-encoding")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = resp.body_mut().read_to_string().unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (resp.status().as_u16(), accepts, json)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

both_backends! {
    fn gzip_batches_are_read_and_counted_as_plain_ones(backend: Backend) {
        let s = TestServer::start_with(&backend);
        // A plain batch's answer says gzip bodies are read (RFC 7694).
        let mut plain = TestServer::agent()
            .post(&s.url("/api/v1/records"))
            .header("Content-Type", "application/json")
            .header("Authorization", format!("Bearer {}", s.token))
            .send(json!({ "records": [record(1)] }).to_string().as_bytes())
            .unwrap();
        assert_eq!(plain.status().as_u16(), 200);
        assert_eq!(plain.headers()["accept-encoding"], "gzip");
        let _ = plain.body_mut().read_to_string();

        let batch = json!({ "records": [record(1), record(2), record(3)] }).to_string();
        let (status, accepts, body) = post_encoded(&s, "gzip", &gzip(batch.as_bytes()));
        assert_eq!(status, 200, "{body}");
        assert_eq!(accepts, "gzip");
        assert_eq!(statuses(&body), ["duplicate", "stored", "stored"]);
        assert_eq!(s.rows(), 3);
        // The same batch again, plain: the same records, nothing new.
        assert_eq!(statuses(&s.post(&serde_json::from_str(&batch).unwrap()).1), ["duplicate"; 3]);
        assert_eq!(s.rows(), 3);
    }
}

both_backends! {
    fn bad_encodings_are_refused_with_a_reason_and_write_nothing(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let batch = json!({ "records": [record(1)] }).to_string();
        // Not gzip at all, and gzip cut short.
        let whole = gzip(batch.as_bytes());
        for body in [batch.as_bytes(), &whole[..whole.len() / 2]] {
            let (status, _, resp) = post_encoded(&s, "gzip", body);
            assert_eq!((status, resp["error"].as_str()), (400, Some("malformed_encoding")), "{resp}");
        }
        // An encoding the server does not read.
        let (status, _, resp) = post_encoded(&s, "br", batch.as_bytes());
        assert_eq!((status, resp["error"].as_str()), (415, Some("unsupported_media_type")));
        // A few kilobytes that decode past the limit: refused, never inflated whole.
        let bomb = gzip(&vec![b' '; carnet_core::wire::MAX_BODY_BYTES + 1]);
        assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
        let (status, _, resp) = post_encoded(&s, "gzip", &bomb);
        assert_eq!((status, resp["error"].as_str()), (413, Some("payload_too_large")), "{resp}");
        assert_eq!(s.rows(), 0);
    }
}

both_backends! {
    fn serves_taxonomy_the_app_and_json_404s(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let (status, taxonomy, _) = s.get("/api/v1/taxonomy", None);
        assert_eq!(status, 200);
        assert_eq!(taxonomy["milieux"][0]["code"], "bar_erotique");
        let (status, resp, _) = s.get("/api/v1/nothing-here", None);
        assert_eq!((status, resp["error"].as_str()), (404, Some("not_found")));
        let (status, page, cache) = s.get("/some/deep/link", None);
        assert_eq!(status, 200);
        assert!(page.as_str().unwrap().contains("<title>Carnet</title>"));
        assert_eq!(cache, "no-cache");
    }
}

both_backends! {
    fn acknowledged_records_survive_a_restart(backend: Backend) {
        let s = TestServer::start_with(&backend);
        assert_eq!(
            statuses(&s.post(&json!({ "records": [record(1)] })).1),
            ["stored"]
        );
        let (target, token) = s.stop();
        let s = TestServer::start_on(target, token);
        let (_, list, _) = s.get("/api/v1/records", Some(&s.token));
        assert_eq!(
            list["records"],
            json!([{ "id": record(1)["id"], "version": 1 }])
        );
        assert_eq!(
            statuses(&s.post(&json!({ "records": [record(1)] })).1),
            ["duplicate"]
        );
    }
}

fn version_of(n: u32, version: u32, edit: impl FnOnce(&mut Value)) -> Value {
    let mut r = record(n);
    r["version"] = json!(version);
    edit(&mut r);
    r
}

both_backends! {
    fn a_correction_after_sync_is_a_new_version_and_the_old_one_is_kept(backend: Backend) {
        let s = TestServer::start_with(&backend);
        assert_eq!(
            statuses(&s.post(&json!({ "records": [record(1)] })).1),
            ["stored"]
        );
        let corrected = version_of(1, 2, |r| r["milieu"] = json!("salon_massage"));
        let (status, body) = s.post(&json!({ "records": [corrected.clone()] }));
        assert_eq!(status, 200);
        assert_eq!(statuses(&body), ["stored"]);
        assert_eq!(body["results"][0]["version"], 2);
        // Re-sending the correction is idempotent too.
        assert_eq!(
            statuses(&s.post(&json!({ "records": [corrected] })).1),
            ["duplicate"]
        );

        let (_, list, _) = s.get("/api/v1/records", Some(&s.token));
        assert_eq!(
            list["records"],
            json!([{ "id": record(1)["id"], "version": 2 }])
        );
        let id = record(1)["id"].as_str().unwrap().to_owned();
        let (status, versions, _) = s.get(&format!("/api/v1/records/{id}/versions"), Some(&s.token));
        assert_eq!(status, 200);
        let milieux: Vec<_> = versions
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["milieu"].clone())
            .collect();
        assert_eq!(milieux, [json!("bar_erotique"), json!("salon_massage")]);
        assert_eq!(s.rows(), 2);
    }
}

both_backends! {
    fn a_deletion_after_sync_is_a_tombstone_version(backend: Backend) {
        let s = TestServer::start_with(&backend);
        s.post(&json!({ "records": [record(1), record(2)] }));
        let tombstone = version_of(2, 2, |r| r["deleted"] = json!(true));
        assert_eq!(
            statuses(&s.post(&json!({ "records": [tombstone] })).1),
            ["stored"]
        );
        let (_, list, _) = s.get("/api/v1/records", Some(&s.token));
        assert_eq!(
            list["records"],
            json!([
                { "id": record(1)["id"], "version": 1 },
                { "id": record(2)["id"], "version": 2, "deleted": true },
            ])
        );
        // Nothing is erased: both versions of the deleted record are still on disk.
        assert_eq!(s.rows(), 3);
    }
}

both_backends! {
    fn another_worker_cannot_add_versions_or_read_the_audit_trail(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let other = s.db.add_worker("travailleur-b");
        s.post(&json!({ "records": [record(1)] }));
        let hijack =
            json!({ "records": [version_of(1, 2, |r| r["deleted"] = json!(true))] }).to_string();
        let (status, resp) = s.post_raw(Some(&other), "application/json", hijack.as_bytes());
        assert_eq!(status, 200);
        assert_eq!(statuses(&resp), ["conflict"]);
        let id = record(1)["id"].as_str().unwrap().to_owned();
        let (status, resp, _) = s.get(&format!("/api/v1/records/{id}/versions"), Some(&other));
        assert_eq!((status, resp["error"].as_str()), (404, Some("not_found")));
        assert_eq!(s.rows(), 1);
    }
}

both_backends! {
    fn notes_with_contact_details_are_refused_by_the_server_too(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let ok = version_of(1, 1, |r| r["note"] = json!("A parlé de son logement."));
        let phone = version_of(2, 1, |r| r["note"] = json!("rappeler au 418 555-0199"));
        let email = version_of(3, 1, |r| r["note"] = json!("personne.fictive@example.com"));
        let (status, resp) = s.post(&json!({ "records": [ok.clone(), phone, email] }));
        assert_eq!(status, 422);
        let reasons: Vec<_> = resp["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["index"].as_u64().unwrap(),
                    r["errors"][0]["reason"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            reasons,
            [
                (1, "looks_like_phone".into()),
                (2, "looks_like_email".into())
            ]
        );
        assert_eq!(s.rows(), 0);
        assert_eq!(statuses(&s.post(&json!({ "records": [ok] })).1), ["stored"]);
    }
}

both_backends! {
    fn me_gives_the_worker_name_and_a_stable_organisation_key(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let (status, me, _) = s.get("/api/v1/me", Some(&s.token));
        assert_eq!(status, 200);
        assert_eq!(me["worker"], "travailleuse-a");
        assert_eq!(me["role"], "worker");
        let key = me["person_code_key"].as_str().unwrap().to_owned();
        assert!(carnet_core::person::key_from_hex(&key).is_some());
        let other = s.db.add_worker("travailleur-b");
        let (_, me_b, _) = s.get("/api/v1/me", Some(&other));
        assert_eq!(me_b["person_code_key"], key.as_str());
        let (status, _, _) = s.get("/api/v1/me", None);
        assert_eq!(status, 401);
    }
}

both_backends! {
    fn a_loaded_taxonomy_is_served_and_its_codes_accepted_without_a_restart(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let with_venue = version_of(1, 1, |r| r["venue"] = json!("lieu_a"));
        let (status, _) = s.post(&json!({ "records": [with_venue.clone()] }));
        assert_eq!(status, 422, "lieu_a is not a venue yet");

        let mut doc: Value =
            serde_json::from_str(carnet_core::taxonomy::DEFAULT_TAXONOMY_JSON).unwrap();
        // The built-in document is version 2: the organisation's own is the next one.
        doc["version"] = json!(3);
        doc["venues"] = json!([{ "code": "lieu_a", "fr": "Lieu A", "en": "Place A" }]);
        // Loaded through another connection (as the CLI does) while the server runs.
        s.db.block(s.db.store.load_taxonomy(&doc.to_string())).unwrap();
        // A document that drops a code old records use is refused with the reason.
        let mut bad = doc.clone();
        bad["version"] = json!(4);
        bad["venues"] = json!([]);
        let err = s
            .db
            .block(s.db.store.load_taxonomy(&bad.to_string()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("lieu_a") && err.contains("retired"), "{err}");

        let (_, taxonomy, _) = s.get("/api/v1/taxonomy", None);
        assert_eq!(taxonomy["version"], 3);
        let (_, me, _) = s.get("/api/v1/me", Some(&s.token));
        assert_eq!(me["taxonomy_version"], 3);
        assert_eq!(
            statuses(&s.post(&json!({ "records": [with_venue] })).1),
            ["stored"]
        );
    }
}

#[test]
fn a_walking_skeleton_database_is_migrated_without_losing_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("carnet.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "CREATE TABLE workers (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                token_hash TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL, revoked_ms INTEGER);
             CREATE TABLE records (id TEXT PRIMARY KEY, worker_id INTEGER NOT NULL REFERENCES workers(id),
                body TEXT NOT NULL, received_ms INTEGER NOT NULL);
             INSERT INTO workers VALUES (1, 'ancien', 'h', 0, NULL);",
        )
        .unwrap();
        let mut old = record(1);
        old.as_object_mut().unwrap().remove("mode");
        conn.execute(
            "INSERT INTO records VALUES (?1, 1, ?2, 5)",
            [old["id"].as_str().unwrap(), &old.to_string()],
        )
        .unwrap();
    }
    let db = Db::open(&Database::Sqlite(db));
    let versions = db
        .block(db.store.versions(
            carnet_server::store::WorkerId(1),
            uuid::Uuid::parse_str(record(1)["id"].as_str().unwrap()).unwrap(),
        ))
        .unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].as_contact().unwrap().mode, "en_personne");
    assert_eq!(versions[0].version(), 1);
    // Step 5 gave the old record its owner: another worker cannot take its id.
    let counts = db.block(db.store.counts()).unwrap();
    assert_eq!((counts.records, counts.record_owners), (1, 1));
}

both_backends! {
    fn activities_sync_with_the_same_rules_as_contacts(backend: Backend) {
        let s = TestServer::start_with(&backend);
        let workshop = json!({
            "type": "activity",
            "id": "00000000-0000-4000-8000-00000000a001",
            "taxonomy_version": 1,
            "occurred_at": "2026-11-28T14:00:00-05:00",
            "program": "milieu_de_vie",
            "activity": "atelier",
            "head_count": 12
        });
        let (status, body) = s.post(&json!({ "records": [workshop.clone(), record(1)] }));
        assert_eq!(status, 200, "{body}");
        assert_eq!(statuses(&body), ["stored", "stored"]);
        assert_eq!(
            statuses(&s.post(&json!({ "records": [workshop.clone()] })).1),
            ["duplicate"]
        );
        let mut bad = workshop;
        bad["id"] = json!("00000000-0000-4000-8000-00000000a002");
        bad["activity"] = json!("fete");
        bad["head_count"] = json!(5000);
        let (status, resp) = s.post(&json!({ "records": [bad] }));
        assert_eq!(status, 422);
        let fields: Vec<_> = resp["records"][0]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(fields, ["activity", "head_count"]);
        assert_eq!(s.rows(), 2);
    }
}

both_backends! {
    fn concurrent_batches_decide_as_if_stored_one_by_one(backend: Backend) {
        // Twenty clients at once, ten per worker, all sending the same 50 new records:
        // batches stored together (group commit, or concurrent transactions) must answer
        // as if stored one after the other.
        let s = TestServer::start_with(&backend);
        let other = s.db.add_worker("travailleur-b");
        let body = json!({ "records": (1..=50).map(record).collect::<Vec<_>>() }).to_string();
        let answers: Vec<(usize, Value)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..20)
                .map(|i| {
                    let token = if i % 2 == 0 { s.token.clone() } else { other.clone() };
                    let (s, body) = (&s, &body);
                    scope.spawn(move || {
                        let (status, answer) =
                            s.post_raw(Some(&token), "application/json", body.as_bytes());
                        assert_eq!(status, 200, "{answer}");
                        (i % 2, answer)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for n in 0..50 {
            let mut stored = 0;
            let mut accepted_by = std::collections::BTreeSet::new();
            for (worker, answer) in &answers {
                match answer["results"][n]["status"].as_str().unwrap() {
                    "stored" => {
                        stored += 1;
                        accepted_by.insert(*worker);
                    }
                    "duplicate" => {
                        accepted_by.insert(*worker);
                    }
                    _ => {}
                }
            }
            assert_eq!(stored, 1, "record {n} stored {stored} times");
            assert_eq!(accepted_by.len(), 1, "record {n} accepted for both workers");
        }
        assert_eq!(s.rows(), 50);
    }
}

both_backends! {
    fn every_row_names_a_known_worker_and_workers_are_never_deleted(backend: Backend) {
        let s = TestServer::start_with(&backend);
        // Through the API: the token's worker, known.
        let (status, body) = s.post(&json!({ "records": [record(1)] }));
        assert_eq!((status, statuses(&body)), (200, vec!["stored".to_owned()]));
        // SQLite checks its foreign keys on the server's connections; PostgreSQL checks each
        // statement's rows (migration 9).
        let keys = if backend.is_postgres() { "" } else { "PRAGMA foreign_keys = ON;" };
        let unknown = [
            "INSERT INTO record_owners (id, worker_id) VALUES ('sans-travailleuse', 999999)",
            "INSERT INTO records (id, version, worker_id, deleted, body, received_ms)
             VALUES ('sans-travailleuse', 1, 999999, FALSE, '{}', 0)",
            // One known worker's row beside an unknown one's: the statement fails whole.
            "INSERT INTO record_owners (id, worker_id)
             SELECT 'connue', id FROM workers UNION ALL SELECT 'inconnue', 999999",
            "DELETE FROM workers",
            "UPDATE workers SET id = id + 1000",
        ];
        for sql in unknown {
            let refused = s.target.try_execute(&format!("{keys}{sql}"));
            assert!(refused.is_err(), "{sql}");
        }
        assert_eq!(s.rows(), 1);
    }
}
