//! Security headers on every response, and the Content-Security-Policy that lets the app
//! run and nothing else.
//!
//! Trunk writes one inline module script into `index.html` (it loads the wasm). Rather than
//! allowing inline scripts, the policy names that script by its SHA-256, computed from the
//! built `index.html` when the server starts.

use std::path::Path;

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use carnet_core::base64::encode as base64;
use sha2::{Digest, Sha256};

/// Sent on every response. No CORS headers at all: other origins cannot call the API.
const SECURITY_HEADERS: [(header::HeaderName, &str); 5] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    ),
    (
        header::HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
];

/// Adds the policy `csp` and [`SECURITY_HEADERS`] to a response.
pub async fn security_headers(csp: HeaderValue, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// The policy for a built app in `dist`.
pub fn content_security_policy(dist: &Path) -> String {
    // The phone app's page and the coordinator's (`coordination/`), each with one loader.
    let pages = [
        dist.join("index.html"),
        dist.join("coordination").join("index.html"),
    ];
    let hashes: String = pages
        .iter()
        .map(|page| std::fs::read_to_string(page).unwrap_or_default())
        .flat_map(|html| {
            inline_scripts(&html)
                .map(|body| format!(" 'sha256-{}'", base64(&Sha256::digest(body.as_bytes()))))
                .collect::<Vec<_>>()
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Bodies of `<script>` elements without a `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, after) = rest.split_once('>')?;
        if attributes.contains("src=") {
            return None;
        }
        let (body, _) = after.split_once("</script>")?;
        Some(body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = "<head><script type=\"module\">\nimport init from '/a.js';\n</script>\
                    <script src=\"/b.js\"></script></head>";
        let bodies: Vec<_> = inline_scripts(html).collect();
        assert_eq!(bodies, ["\nimport init from '/a.js';\n"]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), html).unwrap();
        let csp = content_security_policy(dir.path());
        let expected = base64(&Sha256::digest(b"\nimport init from '/a.js';\n"));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
