//! The `carnet-server` binary's commands, run as a process, on both backends.

#[macro_use]
mod common;

use std::process::Command;

use common::TestDb;

fn server() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_carnet-server"));
    command.env_remove("CARNET_DATABASE_URL");
    command
}

both_backends! {
    fn worker_add_prints_a_token_once_and_refuses_a_second_worker_of_that_name(backend: Backend) {
        let target = TestDb::new(&backend);
        let out = server()
            .args(["worker", "add", "poste-1"])
            .args(target.cli_args())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let token = String::from_utf8(out.stdout).unwrap();
        let token = token.trim();
        assert_eq!(token.len(), 64);
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));

        // The token itself is not in the database, only its hash.
        if target.sqlite_path().is_some() {
            for file in ["carnet.db", "carnet.db-wal"] {
                if let Ok(bytes) = std::fs::read(target.dir.path().join(file)) {
                    assert!(!String::from_utf8_lossy(&bytes).contains(token), "{file}");
                }
            }
        }
        let db = target.open();
        assert!(db.block(db.store.caller_for_token(token)).unwrap().is_some());

        let again = server()
            .args(["worker", "add", "poste-1"])
            .args(target.cli_args())
            .output()
            .unwrap();
        assert!(!again.status.success());
        assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

        // Pair and revoke through the CLI too.
        let pair = server()
            .args(["worker", "pair", "poste-1"])
            .args(target.cli_args())
            .output()
            .unwrap();
        assert!(pair.status.success());
        let code = String::from_utf8(pair.stdout).unwrap();
        assert_eq!(code.trim().len(), 9, "{code}");
        let revoke = server()
            .args(["worker", "revoke", "poste-1"])
            .args(target.cli_args())
            .output()
            .unwrap();
        assert!(revoke.status.success());
        assert!(db.block(db.store.caller_for_token(token)).unwrap().is_none());
    }
}

/// Runs the binary on `target`'s database; returns (success, stdout, stderr).
fn cli(target: &TestDb, args: &[&str]) -> (bool, String, String) {
    let out = server()
        .args(args)
        .args(target.cli_args())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

both_backends! {
    fn devices_roles_settings_and_the_audit_log_from_the_command_line(backend: Backend) {
        let target = TestDb::new(&backend);
        let (ok, token, _) = cli(&target, &["worker", "add", "poste-1"]);
        assert!(ok);
        let token = token.trim().to_owned();
        assert!(cli(&target, &["worker", "add", "poste-2"]).0);
        let db = target.open();
        let code = db
            .block(db.store.create_pairing_code("poste-1", carnet_server::store::now_ms()))
            .unwrap();
        let (phone, _, _) = db
            .block(db.store.pair_device(&code, Some("Téléphone bleu"), carnet_server::store::now_ms()))
            .unwrap()
            .unwrap();

        let (ok, list, _) = cli(&target, &["device", "list"]);
        assert!(ok);
        let lines: Vec<&str> = list.lines().collect();
        assert!(lines[0].contains("WORKER") && lines[0].contains("LAST SEEN"), "{list}");
        assert_eq!(lines.len(), 4, "{list}");
        assert!(list.contains("Téléphone bleu") && list.contains("Jeton initial"));
        assert!(!list.contains(&token) && !list.contains(&phone));
        let (ok, mine, _) = cli(&target, &["device", "list", "--worker", "poste-2"]);
        assert!(ok);
        assert_eq!(mine.lines().count(), 2, "{mine}");
        let (ok, _, err) = cli(&target, &["device", "list", "--worker", "personne"]);
        assert!(!ok && err.contains("no worker named `personne`"), "{err}");

        // Revoke the blue phone by its number: its token stops, the initial one goes on.
        let id = list
            .lines()
            .find(|l| l.contains("Téléphone bleu"))
            .and_then(|l| l.split_whitespace().next())
            .unwrap()
            .to_owned();
        let (ok, _, err) = cli(&target, &["device", "revoke", &id]);
        assert!(ok, "{err}");
        assert!(db.block(db.store.caller_for_token(&phone)).unwrap().is_none());
        assert!(db.block(db.store.caller_for_token(&token)).unwrap().is_some());
        let (ok, _, err) = cli(&target, &["device", "revoke", "9999"]);
        assert!(!ok && err.contains("no device number 9999"), "{err}");
        let (ok, list, _) = cli(&target, &["device", "list", "--worker", "poste-1"]);
        assert!(ok && list.lines().any(|l| l.contains("Téléphone bleu") && l.contains("revoked")), "{list}");

        // Roles: the command line needs no second confirmation.
        assert!(cli(&target, &["worker", "role", "poste-2", "coordinator"]).0);
        let (ok, _, err) = cli(&target, &["worker", "role", "poste-2", "coordinator"]);
        assert!(ok && err.contains("already"), "{err}");
        assert!(!cli(&target, &["worker", "role", "poste-2", "admin"]).0);
        assert!(!cli(&target, &["worker", "role", "personne", "worker"]).0);

        // Settings: checked, and a bad value writes nothing.
        let (ok, settings, _) = cli(&target, &["settings", "list"]);
        assert!(ok);
        assert_eq!(settings, "device-expiry-days 90\nretention-days 45\n");
        let audit_before = db.block(db.store.counts()).unwrap().audit;
        for bad in [&["settings", "set", "retention-days", "0"][..], &["settings", "set", "retention-days", "beaucoup"], &["settings", "set", "couleur", "3"]] {
            assert!(!cli(&target, bad).0, "{bad:?}");
        }
        assert_eq!(db.block(db.store.counts()).unwrap().audit, audit_before);
        assert!(cli(&target, &["settings", "set", "device-expiry-days", "30"]).0);
        assert!(cli(&target, &["settings", "list"]).1.contains("device-expiry-days 30"));

        // The audit log: newest first, who and what, no token or code.
        let (ok, audit, _) = cli(&target, &["audit", "--limit", "3"]);
        assert!(ok);
        let lines: Vec<&str> = audit.lines().collect();
        assert_eq!(lines.len(), 3, "{audit}");
        assert!(lines[0].contains("cli") && lines[0].contains("setting_changed") && lines[0].contains("device_expiry_days=30"), "{audit}");
        assert!(lines[1].contains("role_changed") && lines[1].contains("poste-2"), "{audit}");
        assert!(lines[2].contains("device_revoked") && lines[2].contains(&format!("device {id}")), "{audit}");
        let (ok, all, _) = cli(&target, &["audit", "--limit", "100"]);
        assert!(ok);
        for action in ["worker_added", "code_issued", "device_paired"] {
            assert!(all.contains(action), "{action}: {all}");
        }
        let bare = code.replace('-', "");
        for secret in [token.as_str(), phone.as_str(), code.as_str(), bare.as_str()] {
            assert!(!all.contains(secret));
        }
        assert!(!cli(&target, &["audit", "--limit", "0"]).0);
    }
}

#[test]
#[cfg_attr(
    not(carnet_postgres),
    ignore = "no PostgreSQL: set CARNET_TEST_DATABASE_URL (source scripts/postgres.sh)"
)]
fn the_database_url_may_come_from_the_environment() {
    let Some(backend) = common::Backend::postgres() else {
        return;
    };
    let target = TestDb::new(&backend);
    let carnet_server::store::Database::Postgres(url) = &target.database else {
        unreachable!()
    };
    let out = server()
        .args(["worker", "add", "poste-env", "--coordinator"])
        .env("CARNET_DATABASE_URL", url)
        .current_dir(target.dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = target.open();
    assert!(
        db.block(db.store.worker_by_name("poste-env"))
            .unwrap()
            .is_some()
    );
    // An explicit --db wins over the environment: the worker goes into that file.
    let file = target.dir.path().join("local.db");
    let out = server()
        .args(["worker", "add", "poste-fichier", "--db"])
        .arg(&file)
        .env("CARNET_DATABASE_URL", url)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(file.is_file());
    assert!(
        db.block(db.store.worker_by_name("poste-fichier"))
            .unwrap()
            .is_none()
    );
}

#[test]
fn bad_arguments_print_usage_and_fail() {
    for args in [
        &["frobnicate"][..],
        &["serve", "--port", "3"],
        &["worker", "add"],
        &["gen", "--out", "x", "--db", "y.db"],
        &["worker", "pair", "x", "--coordinator"],
        &["serve", "--db", "a.db", "--database", "postgres://h/d"],
    ] {
        let out = server().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("Usage:"), "{args:?}: {stderr}");
    }
    let out = server()
        .args(["serve", "--database", "carnet.db"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("postgres://"));
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["worker", "--help"],
        &["worker", "add", "--help"],
        &["worker", "pair", "--help"],
        &["worker", "revoke", "--help"],
        &["worker", "role", "--help"],
        &["device", "list", "--help"],
        &["device", "revoke", "--help"],
        &["audit", "--help"],
        &["settings", "list", "--help"],
        &["settings", "set", "--help"],
        &["taxonomy", "load", "--help"],
        &["import", "--help"],
        &["gen", "--help"],
        &["migrate-to-postgres", "--help"],
    ] {
        let out = server()
            .args(args)
            .env("CARNET_DATABASE_URL", "postgres://carnet:secret-unique@h/d")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("Usage:"), "{args:?}: {help}");
        assert!(!help.contains("secret-unique"), "{args:?} shows the URL");
    }
    let help = server().args(["serve", "--help"]).output().unwrap().stdout;
    let help = String::from_utf8_lossy(&help);
    for flag in [
        "--db",
        "--database",
        "--dist",
        "--addr",
        "--trusted-proxy",
        "CARNET_DATABASE_URL",
    ] {
        assert!(help.contains(flag), "serve --help lacks {flag}: {help}");
    }
}

#[test]
fn serve_refuses_to_start_without_a_built_app() {
    let dir = tempfile::tempdir().unwrap();
    let out = server()
        .args(["serve", "--addr", "127.0.0.1:0", "--dist"])
        .arg(dir.path().join("missing"))
        .arg("--db")
        .arg(dir.path().join("c.db"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("index.html"));
}
