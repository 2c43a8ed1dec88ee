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

#[test]
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
