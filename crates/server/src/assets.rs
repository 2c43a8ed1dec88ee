//! The built PWA as a phone gets it: precompressed files and cache lifetimes.
//!
//! `scripts/precompress.mjs` writes `X.br` and `X.gz` next to every compressible file of
//! `dist/` at build time (brotli at its best setting, which is too slow to run per request).
//! `ServeDir` picks the variant the browser accepts. Trunk names the wasm, JS and CSS after
//! a hash of their contents, so those can be cached for good; the few files with stable
//! names (`index.html`, `sw.js`, the manifest) must be revalidated so updates are seen.
//!
//! Revalidation goes by content, never by modification time: a rollback redeploys older
//! files, and reproducible builds and container images set every file's time to one fixed
//! value, so a newer build can carry an older or equal `Last-Modified` and a phone asking
//! « modified since? » would be told « no » and keep its build. Files with stable names
//! therefore carry a strong `ETag` made from the bytes sent (each encoding its own), are
//! answered `304` only on a matching `If-None-Match`, and carry no `Last-Modified`.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
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

/// The phone app's build the server serves: the hash Trunk gave the app's module
/// (`dist/app/carnet-app-<hash>.js`, named in the start-up page by `scripts/link_app.py`).
/// A phone reports the build it runs ([`carnet_core::completeness::DeviceReport::build`]),
/// read from the same page, so a phone left on another build shows. `None` when `dist`
/// holds no phone app.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppBuild(pub Option<String>);

impl AppBuild {
    pub fn of(dist: &Path) -> Self {
        let page = std::fs::read_to_string(dist.join("index.html")).unwrap_or_default();
        AppBuild(build_in_page(&page))
    }
}

/// The hash of `data-js="/app/carnet-app-<hash>.js"` in the start-up page.
pub fn build_in_page(page: &str) -> Option<String> {
    let start = page.find("/app/carnet-app-")? + "/app/carnet-app-".len();
    let hash: String = page[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (page[start + hash.len()..].starts_with(".js") && !hash.is_empty()).then_some(hash)
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
        if is_api_path(path) {
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

/// Middleware: `Cache-Control` on every response, `Vary: Accept-Encoding` on every static
/// file (the same URL has a brotli, a gzip and a plain body), and validation by content
/// for the files with stable names (see the module's documentation).
pub async fn cache_headers(policy: CachePolicy, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let by_content = request.method() == Method::GET
        && !is_api_path(&path)
        && !policy
            .hashed
            .contains(path.strip_prefix('/').unwrap_or(&path));
    let if_none_match = if by_content {
        // The file service answers these by modification time: it must not see them.
        let headers = request.headers_mut();
        headers.remove(header::IF_MODIFIED_SINCE);
        headers.remove(header::IF_UNMODIFIED_SINCE);
        headers.remove(header::IF_RANGE);
        headers.remove(header::IF_NONE_MATCH)
    } else {
        None
    };
    let mut response = next.run(request).await;
    let cache = policy.cache_control(&path, &response);
    if by_content && response.status() == StatusCode::OK {
        response = validate_by_content(response, if_none_match.as_ref()).await;
    }
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if cache != NO_STORE && !headers.contains_key(header::VARY) {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Files with stable names are small (pages, the service worker, the manifest, icons):
/// one larger than this is sent as it is, without an `ETag`.
const MAX_VALIDATED_BYTES: usize = 4 * 1024 * 1024;

/// Gives a `200` a strong `ETag` of the bytes it carries, in place of its `Last-Modified`,
/// and turns it into a `304` when `if_none_match` names that tag.
async fn validate_by_content(response: Response, if_none_match: Option<&HeaderValue>) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_VALIDATED_BYTES).await {
        Ok(bytes) => bytes,
        Err(err) => {
            crate::log!("carnet-server: a static file could not be read whole: {err}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let tag = strong_etag(&bytes);
    parts.headers.remove(header::LAST_MODIFIED);
    if if_none_match.is_some_and(|wanted| etag_matches(wanted, &tag)) {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        copy_validator_headers(&parts.headers, not_modified.headers_mut());
        not_modified.headers_mut().insert(header::ETAG, tag);
        return not_modified;
    }
    parts.headers.insert(header::ETAG, tag);
    Response::from_parts(parts, Body::from(bytes))
}

/// The headers a `304` repeats from the `200` it stands for (RFC 9110, 15.4.5).
fn copy_validator_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for name in [header::CONTENT_LOCATION, header::VARY, header::EXPIRES] {
        if let Some(value) = from.get(&name) {
            to.insert(name, value.clone());
        }
    }
}

/// `"<128 bits of SHA-256, hex>"`: strong, since equal tags mean equal bytes.
fn strong_etag(bytes: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("\"{hex}\"")).unwrap_or(HeaderValue::from_static("\"\""))
}

/// `If-None-Match` compares weakly (RFC 9110, 13.1.2): `*`, or any listed tag with or
/// without `W/`.
fn etag_matches(if_none_match: &HeaderValue, tag: &HeaderValue) -> bool {
    let Ok(list) = if_none_match.to_str() else {
        return false;
    };
    let tag = tag.to_str().unwrap_or_default();
    list.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == tag
    })
}

fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
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
    fn the_app_build_is_the_hash_of_the_module_the_start_up_page_names() {
        let page = r#"<head><meta name="carnet-app" data-js="/app/carnet-app-7a496f8adc8c9175.js" data-wasm="/app/carnet-app-7a496f8adc8c9175_bg.wasm" /></head>"#;
        assert_eq!(build_in_page(page).as_deref(), Some("7a496f8adc8c9175"));
        assert_eq!(build_in_page("<head></head>"), None);
        assert_eq!(build_in_page("/app/carnet-app-.js"), None);
    }

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_any() {
        let tag = strong_etag(b"sw.js of build A");
        let text = tag.to_str().unwrap().to_owned();
        for header in [
            text.clone(),
            format!("W/{text}"),
            format!("\"other\", {text}"),
            "*".to_owned(),
        ] {
            assert!(
                etag_matches(&HeaderValue::from_str(&header).unwrap(), &tag),
                "{header}"
            );
        }
        let other = strong_etag(b"sw.js of build B");
        assert_ne!(tag, other);
        assert!(!etag_matches(&tag, &other));
        assert!(!etag_matches(&HeaderValue::from_static("\"\""), &tag));
    }

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
