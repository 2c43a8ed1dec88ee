//! The built PWA as a phone gets it: precompressed files and cache lifetimes.
//!
//! `scripts/precompress.mjs` writes `X.br` and `X.gz` next to every compressible file of
//! `dist/` at build time (brotli at its best setting, which is too slow to run per request).
//! `ServeDir` picks the variant the browser accepts. Trunk names the wasm, JS and CSS after
//! a hash of their contents, so those can be cached for good; the few files with stable
//! names (`index.html`, `sw.js`, the manifest) must be revalidated so updates are seen.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::services::{ServeDir, ServeFile};

/// Hashed assets: the name changes whenever the bytes do.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Stable names: the browser must ask the server (a cheap 304) before using its copy.
pub const REVALIDATE: &str = "no-cache";
/// Icons keep their names across builds but almost never change: a day is enough.
pub const ICONS: &str = "public, max-age=86400";
/// API answers: never kept by the browser or a proxy.
pub const NO_STORE: &str = "no-store";

/// The static files of `dist`, in brotli or gzip when the browser accepts it; any other
/// path gets `index.html` (the app routes on the client).
pub fn pwa_service(dist: &Path) -> ServeDir<ServeFile> {
    let index = ServeFile::new(dist.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index)
}

/// Which `Cache-Control` a response gets. Built once per `dist`: it knows the hashed files.
#[derive(Clone, Debug)]
pub struct CachePolicy {
    hashed: Arc<HashSet<String>>,
}

impl CachePolicy {
    /// Lists the hashed files where Trunk writes them: the root of `dist` (the phone app's
    /// start-up module), `dist/app/` (the phone app's module) and `dist/coordination/`
    /// (the coordinator's app).
    pub fn for_dist(dist: &Path) -> Self {
        let list = |folder: &Path, prefix: &str| -> Vec<String> {
            std::fs::read_dir(folder)
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|entry| entry.file_name().into_string().ok())
                .filter(|name| is_hashed_name(name))
                .map(|name| format!("{prefix}{name}"))
                .collect()
        };
        let mut hashed: HashSet<String> = list(dist, "").into_iter().collect();
        hashed.extend(list(&dist.join("app"), "app/"));
        hashed.extend(list(&dist.join("coordination"), "coordination/"));
        CachePolicy {
            hashed: Arc::new(hashed),
        }
    }

    /// The `Cache-Control` value for a response to `path`.
    pub fn cache_control(&self, path: &str, response: &Response) -> &'static str {
        if path == "/api" || path.starts_with("/api/") {
            return NO_STORE;
        }
        // The client-side routes and any missing file get `index.html`: never for good,
        // even under a hashed-looking name.
        if is_html(response) {
            return REVALIDATE;
        }
        let ok = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
        let name = path.strip_prefix('/').unwrap_or(path);
        if ok && self.hashed.contains(name) {
            IMMUTABLE
        } else if ok && path.starts_with("/icons/") {
            ICONS
        } else {
            REVALIDATE
        }
    }
}

/// Middleware: `Cache-Control` on every response, and `Vary: Accept-Encoding` on every
/// static file (the same URL has a brotli, a gzip and a plain body).
pub async fn cache_headers(policy: CachePolicy, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let cache = policy.cache_control(&path, &response);
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    let is_api = cache == NO_STORE;
    if !is_api && !headers.contains_key(header::VARY) {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Trunk's hashed names: `carnet-1a2b3c4d5e6f7a8b.js`, `carnet-…_bg.wasm`, `main-….css`
/// (a `-` and a hexadecimal 64-bit hash before the extension).
pub fn is_hashed_name(name: &str) -> bool {
    let Some((stem, _extension)) = name.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    // seahash's u64 in hex: up to 16 digits (fewer with leading zeros, rarely under 8).
    (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_hashed_names_are_recognised() {
        for name in [
            "carnet-3f9c2a1b0d4e5f67.js",
            "carnet-3f9c2a1b0d4e5f67_bg.wasm",
            "main-a1b2c3d4e5f60718.css",
            "main-a1b2c3d4.css",
        ] {
            assert!(is_hashed_name(name), "{name}");
        }
        for name in [
            "index.html",
            "sw.js",
            "manifest.webmanifest",
            "icon-192.png",
            "icon-maskable-512.png",
            "carnet-3f9c2a1b0d4e5f67.js.br",
            "carnet-notahash.js",
            "carnet-3f9c2a1b0d4e5f6789.js",
        ] {
            assert!(!is_hashed_name(name), "{name}");
        }
    }
}
