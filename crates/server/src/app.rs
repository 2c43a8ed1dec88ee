//! The router: the API under `/api/v1`, the built PWA everywhere else.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use carnet_core::Taxonomy;
use carnet_core::wire::MAX_BODY_BYTES;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};

use crate::api;
use crate::assets::{self, CachePolicy};
use crate::client::Network;
use crate::headers::content_security_policy;
use crate::ratelimit::{Limiter, Limits};
use crate::store::Store;

/// What every request handler shares. The taxonomy is not here: it is read through the
/// store (cached), so a document loaded while servers run is used by all of them.
pub struct AppState {
    pub store: Store,
    pub limiter: Limiter,
    /// Proxies whose `X-Forwarded-For` names the client (`serve --trusted-proxy`).
    pub trusted_proxies: Vec<Network>,
}

impl AppState {
    /// Shared state with the default limits ([`Limits::default`]) and no trusted proxy.
    pub fn new(store: Store) -> Self {
        Self::with(store, Limits::default(), Vec::new())
    }

    pub fn with(store: Store, limits: Limits, trusted_proxies: Vec<Network>) -> Self {
        AppState {
            store,
            limiter: Limiter::new(limits),
            trusted_proxies,
        }
    }

    /// The taxonomy in force: the latest in the database (cached by the store), whichever
    /// server or command loaded it.
    pub async fn taxonomy(&self) -> Result<Arc<Taxonomy>, crate::store::StoreError> {
        self.store.taxonomy().await
    }
}

/// Builds the whole application. `dist` is Trunk's output folder. Serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()` so the limits on failures know
/// each client's address (without it, every client counts as one).
pub fn router(state: Arc<AppState>, dist: &Path) -> Router {
    let api = Router::new()
        .route("/records", get(api::list_records).post(api::post_records))
        .route("/records/{id}/versions", get(api::record_versions))
        .route("/me", get(api::me))
        .route("/pair", axum::routing::post(api::pair))
        .route(
            "/workers",
            get(crate::accounts::list).post(api::create_worker),
        )
        .route(
            "/workers/{name}/pairing",
            axum::routing::post(api::new_pairing),
        )
        .route(
            "/workers/{name}/revoke",
            axum::routing::post(crate::accounts::revoke_worker),
        )
        .route(
            "/workers/{name}/role",
            axum::routing::post(crate::accounts::change_role),
        )
        .route(
            "/devices/{id}/revoke",
            axum::routing::post(crate::accounts::revoke_device),
        )
        .route("/audit", get(crate::accounts::audit))
        .route("/report", get(api::report))
        .route("/tallies", get(api::tallies))
        .route("/taxonomy", get(api::get_taxonomy))
        .route(
            "/taxonomy/lists/{list}",
            axum::routing::post(crate::lists::edit_list),
        )
        .route(
            "/import",
            axum::routing::post(crate::csv_import::import_endpoint),
        )
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Reports, CSV and the taxonomy shrink several times; static files are compressed
        // at build time instead (`assets`), and a spreadsheet is a zip already. No cookies:
        // a cross-site page cannot make an authenticated request, so compression cannot
        // leak a secret (BREACH).
        .layer(CompressionLayer::new().compress_when(
            DefaultPredicate::new().and(NotForContentType::const_new(crate::xlsx::CONTENT_TYPE)),
        ))
        .with_state(state);
    let pwa = assets::pwa_service(dist);
    let policy = CachePolicy::for_dist(dist);
    let csp = HeaderValue::from_str(&content_security_policy(dist))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    Router::new()
        .nest("/api/v1", api)
        .route("/api", axum::routing::any(api::not_found))
        .route("/api/{*rest}", axum::routing::any(api::not_found))
        .fallback_service(pwa)
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            assets::cache_headers(policy.clone(), request, next)
        }))
        .layer(middleware::from_fn(log_request))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            let csp = csp.clone();
            async move {
                let mut response = next.run(request).await;
                let headers = response.headers_mut();
                headers.insert(header::CONTENT_SECURITY_POLICY, csp);
                for (name, value) in SECURITY_HEADERS {
                    headers.insert(name, HeaderValue::from_static(value));
                }
                response
            }
        }))
}

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

/// Logs one line per request: method, path, status, time. Never bodies, query strings or
/// headers, which may carry tokens or record contents, and the path with its parameters
/// (worker names, record ids) replaced.
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    crate::log!(
        "{method} {} {} {}ms",
        crate::log::redact_path(&path),
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}
