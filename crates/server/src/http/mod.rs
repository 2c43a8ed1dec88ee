//! The HTTP layer: the API under `/api/v1`, one module per resource, and the built PWA
//! everywhere else.
//!
//! [`state`] is what handlers share, [`error`] the one error answer and every mapping into
//! it, [`extract`] what handlers take from a request. Each resource module exposes
//! `routes()`; [`router`] only assembles them and adds the layers.

pub mod accounts;
pub mod error;
pub mod extract;
pub mod import;
pub mod pairing;
pub mod records;
pub mod report;
pub mod state;
pub mod taxonomy;

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::routing::any;
use carnet_core::wire::MAX_BODY_BYTES;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};

pub use error::Failure;
pub use state::AppState;

use crate::assets::{self, CachePolicy};
use crate::headers::{content_security_policy, security_headers};

/// Builds the whole application. `dist` is Trunk's output folder. Serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()` so the limits on failures know
/// each client's address (without it, every client counts as one).
pub fn router(state: Arc<AppState>, dist: &Path) -> Router {
    let api = Router::new()
        .merge(records::routes())
        .merge(pairing::routes())
        .merge(accounts::routes())
        .merge(report::routes())
        .merge(taxonomy::routes())
        .merge(import::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::Extension(assets::AppBuild::of(dist)))
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
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .fallback_service(pwa)
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            assets::cache_headers(policy.clone(), request, next)
        }))
        .layer(middleware::from_fn(crate::log::log_request))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            security_headers(csp.clone(), request, next)
        }))
}

/// Any other `/api/…` path.
async fn not_found() -> Failure {
    Failure::not_found("no such endpoint")
}
