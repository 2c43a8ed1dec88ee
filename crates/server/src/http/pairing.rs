//! `/pair`: a phone exchanges a one-time pairing code for its device token; and the answer
//! that hands a new code to a coordinator, with its QR code.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::routing::post;
use axum::{Json, Router};
use carnet_core::wire::{ErrorCode, PairRequest, PairResponse, Pairing};

use super::error::Failure;
use super::extract::{Client, JsonBody};
use super::state::AppState;
use crate::store::now_ms;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/pair", post(pair))
}

/// `POST /api/v1/pair`: exchanges a one-time pairing code for a device token.
async fn pair(
    State(state): State<Arc<AppState>>,
    Client(address): Client,
    body: Result<JsonBody<PairRequest>, Failure>,
) -> Result<Json<PairResponse>, Failure> {
    // An address that sent too many bad codes is refused before its code is looked at.
    state
        .limiter
        .admit(address)
        .map_err(Failure::rate_limited)?;
    let JsonBody(request) = body?;
    let found = state
        .store
        .pair_device(&request.code, request.label.as_deref(), now_ms())
        .await?;
    let Some((token, worker, _)) = found else {
        state
            .limiter
            .failed(address)
            .map_err(Failure::rate_limited)?;
        return Err(Failure::new(
            ErrorCode::InvalidPairingCode,
            "unknown, used or expired pairing code",
        ));
    };
    let worker = state.store.worker_name(worker).await?;
    Ok(Json(PairResponse { token, worker }))
}

/// A new code for `worker`, as a coordinator's screen shows it: the code, and a QR code of
/// the link that opens the app with the code filled in (the request's origin, when given).
pub(crate) fn pairing(worker: String, code: String, headers: &HeaderMap) -> Pairing {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let qr_svg = qr_svg(origin, &code);
    Pairing {
        worker,
        pairing_code: code,
        qr_svg,
    }
}

/// `{origin}/#pair=CODE` (or the code alone without an http origin) as an SVG QR code.
fn qr_svg(origin: Option<&str>, code: &str) -> String {
    let text = match origin {
        Some(o) if o.starts_with("https://") || o.starts_with("http://") => {
            format!("{o}/#pair={code}")
        }
        _ => code.to_owned(),
    };
    qrcode::QrCode::new(text.as_bytes())
        .map(|qr| {
            qr.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}
