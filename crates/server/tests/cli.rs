//! The `carnet-server` binary's worker commands, run as a process.

use std::process::Command;

fn server() -> Command {
    Command::new(env!("CARGO_BIN_EXE_carnet-server"))
}

#[test]
fn worker_add_prints_a_token_once_and_refuses_a_second_worker_of_that_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("carnet.db");
    let out = server()
        .args(["worker", "add", "poste-1", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout).unwrap();
    let token = token.trim();
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));

    // The token itself is not in the database, only its hash.
    for file in ["carnet.db", "carnet.db-wal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(file)) {
            assert!(!String::from_utf8_lossy(&bytes).contains(token), "{file}");
        }
    }

    let again = server()
        .args(["worker", "add", "poste-1", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn bad_arguments_print_usage_and_fail() {
    let out = server().args(["frobnicate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage:"));
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
