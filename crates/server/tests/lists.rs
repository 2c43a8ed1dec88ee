//! Coordinators keep the venues, sites, partners and program groups over HTTP: each change
//! is the next taxonomy version, served at once and kept across a restart; bad changes get
//! a reason and change nothing.

#[macro_use]
mod common;

use common::{TestServer, record, statuses};
use serde_json::{Value, json};

/// A fresh server with a worker (`s.token`) and a coordinator token.
fn server(backend: &common::Backend) -> (TestServer, String) {
    let s = TestServer::start_with(backend);
    let coordinator = s.db.add_coordinator("coordination");
    (s, coordinator)
}

fn edit(s: &TestServer, token: &str, list: &str, body: Value) -> (u16, Value) {
    s.post_to(
        &format!("/api/v1/taxonomy/lists/{list}"),
        token,
        "application/json",
        body.to_string().as_bytes(),
    )
}

fn stored_version(s: &TestServer) -> u32 {
    s.db.block(s.db.store.taxonomy()).unwrap().version
}

both_backends! {
    fn a_new_venue_is_served_at_once_and_records_may_use_it(backend: Backend) {
        let (s, coordinator) = server(&backend);
        let before = stored_version(&s);
        let (status, body) = edit(
            &s,
            &coordinator,
            "venues",
            json!({ "base_version": before, "edits": [
                { "op": "add", "fr": "Salon Lieu 07", "milieu": "salon_massage" },
                { "op": "add", "code": "bar_lieu_02", "fr": "Bar Lieu 02", "en": "Bar Place 02", "milieu": "bar_erotique" }
            ]}),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["changed"], true);
        assert_eq!(body["taxonomy"]["version"], before + 1);
        // Served without a restart, and stored.
        let (_, taxonomy, _) = s.get("/api/v1/taxonomy", None);
        assert_eq!(taxonomy["version"], before + 1);
        let venues = taxonomy["venues"].as_array().unwrap();
        assert_eq!(venues[0]["code"], "salon_lieu_07");
        assert_eq!(venues[0]["milieu"], "salon_massage");
        assert_eq!(stored_version(&s), before + 1);
        let (_, me, _) = s.get("/api/v1/me", Some(&s.token));
        assert_eq!(me["taxonomy_version"], before + 1);

        // A record at the new venue is accepted; under another milieu it is refused.
        let mut at_venue = record(1);
        at_venue["milieu"] = json!("salon_massage");
        at_venue["venue"] = json!("salon_lieu_07");
        assert_eq!(
            statuses(&s.post(&json!({ "records": [at_venue] })).1),
            ["stored"]
        );
        let mut wrong = record(2);
        wrong["venue"] = json!("salon_lieu_07");
        let (status, body) = s.post(&json!({ "records": [wrong] }));
        assert_eq!(status, 422);
        assert_eq!(body["records"][0]["errors"][0]["field"], "venue");

        // Rename and retire: the code stays, old records stay valid.
        let (status, body) = edit(
            &s,
            &coordinator,
            "venues",
            json!({ "edits": [
                { "op": "rename", "code": "salon_lieu_07", "fr": "Salon Lieu 7" },
                { "op": "retire", "code": "bar_lieu_02" }
            ]}),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["taxonomy"]["version"], before + 2);
        assert_eq!(body["taxonomy"]["venues"][0]["fr"], "Salon Lieu 7");
        assert_eq!(body["taxonomy"]["venues"][1]["retired"], true);
        // The same request again changes nothing and makes no version.
        let (status, body) = edit(
            &s,
            &coordinator,
            "venues",
            json!({ "edits": [ { "op": "retire", "code": "bar_lieu_02" } ] }),
        );
        assert_eq!((status, &body["changed"]), (200, &json!(false)));
        assert_eq!(stored_version(&s), before + 2);

        // After a restart the server serves the edited lists.
        let (target, token) = s.stop();
        let s = TestServer::start_on(target, token);
        let (_, taxonomy, _) = s.get("/api/v1/taxonomy", None);
        assert_eq!(taxonomy["version"], before + 2);
    }
}

both_backends! {
    fn sites_partners_and_groups_are_lists_too(backend: Backend) {
        let (s, coordinator) = server(&backend);
        let (status, body) = edit(
            &s,
            &coordinator,
            "sites",
            json!({ "edits": [ { "op": "add", "fr": "Site R1", "platform": "site_rencontres" } ] }),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["taxonomy"]["sites"][0]["code"], "site_r1");
        let (status, _) = edit(
            &s,
            &coordinator,
            "partners",
            json!({ "edits": [ { "op": "add", "fr": "Clinique partenaire A" } ] }),
        );
        assert_eq!(status, 200);
        let (status, body) = edit(
            &s,
            &coordinator,
            "program_groups",
            json!({ "edits": [ { "op": "add", "code": "sante", "fr": "Santé", "programs": ["sidep", "reduction_mefaits"] } ] }),
        );
        assert_eq!(status, 200, "{body}");
        // The new group is a report selector at once.
        let (status, body, _) = s.get(
            "/api/v1/report?from=2026-01-01&to=2026-12-31&program=sante",
            Some(&coordinator),
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["filter"]["programs"],
            json!(["reduction_mefaits", "sidep"])
        );
        // An activity on the new site gets its platform.
        let activity = json!({
            "type": "activity", "id": "00000000-0000-4000-8000-000000000099",
            "taxonomy_version": 1, "occurred_at": "2026-03-01T20:00:00-05:00",
            "program": "web_adultes", "activity": "site_surveille",
            "site": "site_r1", "platform": "site_rencontres"
        });
        assert_eq!(
            statuses(&s.post(&json!({ "records": [activity] })).1),
            ["stored"]
        );
    }
}

both_backends! {
    fn bad_changes_get_a_reason_and_change_nothing(backend: Backend) {
        let (s, coordinator) = server(&backend);
        let (status, _) = edit(
            &s,
            &coordinator,
            "partners",
            json!({ "edits": [ { "op": "add", "code": "clinique_a", "fr": "Clinique A" } ] }),
        );
        assert_eq!(status, 200);
        let mut referral = record(1);
        referral["referrals"] = json!(["clinique_a"]);
        assert_eq!(
            statuses(&s.post(&json!({ "records": [referral] })).1),
            ["stored"]
        );
        let version = stored_version(&s);
        let cases = [
            // A code in use is never deleted: retire it instead.
            (
                "partners",
                json!({ "edits": [ { "op": "remove", "code": "clinique_a" } ] }),
                409,
                "code_kept",
                "1 record",
            ),
            // Nor one that is not (yet) used: a phone offline may have it.
            (
                "partners",
                json!({ "edits": [ { "op": "remove", "code": "aide_juridique" } ] }),
                409,
                "code_kept",
                "retire it instead",
            ),
            // A group naming an unknown program; the valid first edit is not kept either.
            (
                "program_groups",
                json!({ "edits": [
                    { "op": "add", "code": "ok_group", "fr": "Groupe", "programs": ["sidep"] },
                    { "op": "add", "code": "bad_group", "fr": "Autre groupe", "programs": ["sidep", "astrologie"] }
                ] }),
                400,
                "unknown_program",
                "astrologie",
            ),
            (
                "program_groups",
                json!({ "edits": [ { "op": "add", "code": "sidep", "fr": "SIDEP", "programs": ["sidep"] } ] }),
                400,
                "invalid_list_edit",
                "both a program and a program group",
            ),
            (
                "venues",
                json!({ "edits": [ { "op": "add", "fr": "Lieu X", "milieu": "casino" } ] }),
                400,
                "invalid_list_edit",
                "casino",
            ),
            (
                "sites",
                json!({ "edits": [ { "op": "add", "fr": "Site sans plateforme" } ] }),
                400,
                "invalid_list_edit",
                "platform",
            ),
            (
                "partners",
                json!({ "edits": [ { "op": "add", "fr": "Clinique A" } ] }),
                409,
                "code_exists",
                "clinique_a",
            ),
            (
                "partners",
                json!({ "edits": [ { "op": "retire", "code": "police" } ] }),
                422,
                "unknown_code",
                "police",
            ),
            (
                "partners",
                json!({ "edits": [ { "op": "delete", "code": "clinique_a" } ] }),
                400,
                "invalid_list_edit",
                "op",
            ),
            (
                "partners",
                json!({ "base_version": 1, "edits": [ { "op": "retire", "code": "clinique_a" } ] }),
                409,
                "taxonomy_changed",
                "reload",
            ),
            (
                "genders",
                json!({ "edits": [ { "op": "add", "fr": "Autre" } ] }),
                404,
                "not_found",
                "venues, sites, partners, program_groups",
            ),
        ];
        for (list, body, want_status, want_error, named) in cases {
            let (status, answer) = edit(&s, &coordinator, list, body.clone());
            assert_eq!(
                (status, answer["error"].as_str()),
                (want_status, Some(want_error)),
                "{body}: {answer}"
            );
            let message = answer["message"].as_str().unwrap();
            assert!(message.contains(named), "{message}");
            assert_eq!(stored_version(&s), version, "{body} changed nothing");
        }
        // A worker may not edit the lists.
        let (status, answer) = edit(
            &s,
            &s.token,
            "venues",
            json!({ "edits": [ { "op": "add", "fr": "Lieu Y", "milieu": "rue" } ] }),
        );
        assert_eq!((status, answer["error"].as_str()), (403, Some("forbidden")));
        assert_eq!(stored_version(&s), version);
    }
}
