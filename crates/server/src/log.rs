//! The server's log: lines on stderr that can never take the process down, and paths
//! with their parameters (worker names, record ids) replaced by placeholders.
//!
//! `eprintln!` panics when stderr is closed or full; a server whose log pipe went away
//! must go on storing records, so every line goes through [`line`], which drops it.

use std::fmt;
use std::io::Write;
use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Writes one line to stderr, ignoring any failure.
pub fn line(args: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{args}");
}

/// Writes one line to stdout (what a command prints for scripts), ignoring any failure.
pub fn out(args: fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{args}");
    let _ = stdout.flush();
}

/// `log!("…", args)`: one line on stderr, never a panic.
#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => {
        $crate::log::line(format_args!($($arg)*))
    };
}

/// Logs one line per request: method, path, status, time. Never bodies, query strings or
/// headers, which may carry tokens or record contents, and the path with its parameters
/// (worker names, record ids) replaced.
pub async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    crate::log!(
        "{method} {} {} {}ms",
        redact_path(&path),
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

/// Segments of API paths that are names of endpoints, not parameters.
const ENDPOINT_WORDS: [&str; 20] = [
    "api",
    "v1",
    "records",
    "versions",
    "me",
    "pair",
    "workers",
    "pairing",
    "report",
    "tallies",
    "taxonomy",
    "devices",
    "revoke",
    "role",
    "audit",
    "import",
    "team",
    "completeness",
    "device",
    "lists",
];

/// The path as the log shows it. Under `/api/`, every segment that is not an endpoint's
/// name is a parameter and is replaced (`/api/v1/records/:id/versions`,
/// `/api/v1/workers/:name/pairing`); unknown paths are therefore redacted too. Other
/// paths (the app's files) are kept, cut to a reasonable length.
pub fn redact_path(path: &str) -> String {
    if !(path == "/api" || path.starts_with("/api/")) {
        return path.chars().take(120).collect();
    }
    let mut shown = String::new();
    let mut previous = "";
    for segment in path.split('/').skip(1) {
        shown.push('/');
        if ENDPOINT_WORDS.contains(&segment) || segment.is_empty() {
            shown.push_str(segment);
        } else {
            shown.push_str(match previous {
                "records" | "devices" => ":id",
                "workers" => ":name",
                _ => ":param",
            });
        }
        previous = segment;
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_replaced() {
        assert_eq!(
            redact_path("/api/v1/records/0b6f3c1e-7d0a-4a57-9c53-2f1f8e3f4a10/versions"),
            "/api/v1/records/:id/versions"
        );
        assert_eq!(
            redact_path("/api/v1/workers/poste-nuit/pairing"),
            "/api/v1/workers/:name/pairing"
        );
        assert_eq!(redact_path("/api/v1/records"), "/api/v1/records");
        assert_eq!(
            redact_path("/api/v1/device/report"),
            "/api/v1/device/report"
        );
        assert_eq!(redact_path("/api/v1/team"), "/api/v1/team");
        assert_eq!(redact_path("/api/v1/completeness"), "/api/v1/completeness");
        assert_eq!(
            redact_path("/api/v1/workers/poste-nuit/role"),
            "/api/v1/workers/:name/role"
        );
        assert_eq!(
            redact_path("/api/v1/devices/17/revoke"),
            "/api/v1/devices/:id/revoke"
        );
        assert_eq!(redact_path("/api/v2/Julie%20B"), "/api/:param/:param");
        assert_eq!(
            redact_path("/assets/app-1a2b.wasm"),
            "/assets/app-1a2b.wasm"
        );
    }
}
