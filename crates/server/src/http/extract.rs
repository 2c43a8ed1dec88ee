//! What handlers take from a request: the client's address, the caller behind the token
//! (and whether it is a coordinator), a JSON body and a query, each refused with the API's
//! error body.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use carnet_core::wire::ErrorCode;
use serde::de::DeserializeOwned;

use super::error::Failure;
use super::state::AppState;
use crate::store::{Caller, Role, TokenCheck, now_ms};

/// The address a request comes from (see [`crate::client`]).
pub struct Client(pub IpAddr);

impl FromRequestParts<Arc<AppState>> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(Client(crate::client::address(
            peer,
            &parts.headers,
            &state.trusted_proxies,
        )))
    }
}

/// The caller behind the request's bearer token, with its role. The worker is never read
/// from the body.
///
/// Order matters: an address blocked for its failures is refused before its token is
/// read; the token is checked before its device's budget is spent; a bad token, or an
/// expired device, counts as a failure of the address.
pub struct Authed(pub Caller);

impl FromRequestParts<Arc<AppState>> for Authed {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let Ok(Client(address)) = Client::from_request_parts(parts, state).await;
        state
            .limiter
            .admit(address)
            .map_err(Failure::rate_limited)?;
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Failure::new(ErrorCode::Unauthorized, "missing bearer token"))?
            .to_owned();
        let failure = match state.store.check_token(&token, now_ms()).await? {
            TokenCheck::Valid(caller) => {
                state
                    .limiter
                    .spend(caller.device.0)
                    .map_err(Failure::rate_limited)?;
                return Ok(Authed(caller));
            }
            TokenCheck::Expired => Failure::new(
                ErrorCode::DeviceExpired,
                "this device was not used for too long; pair it again with a new code",
            ),
            TokenCheck::Unknown => {
                Failure::new(ErrorCode::Unauthorized, "unknown or revoked token")
            }
        };
        state
            .limiter
            .failed(address)
            .map_err(Failure::rate_limited)?;
        Err(failure)
    }
}

/// A caller with a coordinator's token: the team's accounts, its lists and its imports.
/// A worker's token is `403 forbidden`.
pub struct Coordinator(pub Caller);

impl FromRequestParts<Arc<AppState>> for Coordinator {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let Authed(caller) = Authed::from_request_parts(parts, state).await?;
        match caller.role {
            Role::Coordinator => Ok(Coordinator(caller)),
            Role::Worker => Err(Failure::new(
                ErrorCode::Forbidden,
                "only a coordinator token manages the team's accounts, lists and imports",
            )),
        }
    }
}

/// A JSON body; one that cannot be read is `400 malformed_json` (`413` past the limit).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Failure;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(request, state)
            .await
            .map(|axum::Json(value)| JsonBody(value))
            .map_err(|rejection| Failure::rejected(&rejection, ErrorCode::MalformedJson))
    }
}

/// A query string the handler's type says how to write, for the message of a refusal.
pub trait Expected {
    /// The parameters, as `from=YYYY-MM-DD&to=…`.
    const EXPECTED: &'static str;
}

/// A query; one that cannot be read is `400 invalid_query`, saying what was expected.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Expected> FromRequestParts<S> for Query<T> {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Query(value))
            .map_err(|rejection| {
                Failure::new(
                    ErrorCode::InvalidQuery,
                    format!("expected {}: {}", T::EXPECTED, rejection.body_text()),
                )
            })
    }
}
