//! The server API as seen from the app: one function per endpoint, over `fetch`.

use carnet_core::wire::{
    ApiError, BatchRequest, BatchResponse, ErrorCode, Me, NewWorker, PairRequest, PairResponse,
    Pairing, ReportResponse,
};
use carnet_core::{BatchOutcome, Failure, Record, Taxonomy};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// Sends one batch and classifies the answer for the sync state machine.
pub async fn post_batch(token: &str, records: Vec<Record>) -> BatchOutcome {
    let body = match serde_json::to_string(&BatchRequest { records }) {
        Ok(b) => b,
        Err(_) => return BatchOutcome::Failed(Failure::Server),
    };
    let response = match send("POST", "/api/v1/records", Some(token), Some(&body)).await {
        Ok(r) => r,
        Err(_) => return BatchOutcome::Failed(Failure::Network),
    };
    let status = response.status();
    let Ok(text) = read_text(&response).await else {
        // The answer was cut off: nothing is known to be stored, so nothing moves.
        return BatchOutcome::Failed(Failure::Network);
    };
    match status {
        200 => serde_json::from_str::<BatchResponse>(&text)
            .map(BatchOutcome::Acknowledged)
            .unwrap_or(BatchOutcome::Failed(Failure::Server)),
        401 => BatchOutcome::Failed(Failure::Unauthorized),
        422 => match serde_json::from_str::<ApiError>(&text) {
            Ok(ApiError {
                error: ErrorCode::InvalidRecords,
                records,
                ..
            }) => BatchOutcome::InvalidRecords(records),
            _ => BatchOutcome::Failed(Failure::Server),
        },
        _ => BatchOutcome::Failed(Failure::Server),
    }
}

/// The worker's name and the organisation's person-code key.
pub async fn get_me(token: &str) -> Result<Me, Failure> {
    let response = send("GET", "/api/v1/me", Some(token), None)
        .await
        .map_err(|_| Failure::Network)?;
    let text = read_text(&response).await.map_err(|_| Failure::Network)?;
    match response.status() {
        200 => serde_json::from_str(&text).map_err(|_| Failure::Server),
        401 => Err(Failure::Unauthorized),
        _ => Err(Failure::Server),
    }
}

/// Exchanges a one-time pairing code for this device's token.
pub async fn pair(code: &str) -> Result<PairResponse, Failure> {
    let body = serde_json::to_string(&PairRequest {
        code: code.to_owned(),
    })
    .map_err(|_| Failure::Server)?;
    let response = send("POST", "/api/v1/pair", None, Some(&body))
        .await
        .map_err(|_| Failure::Network)?;
    let text = read_text(&response).await.map_err(|_| Failure::Network)?;
    match response.status() {
        200 => serde_json::from_str(&text).map_err(|_| Failure::Server),
        400 => Err(Failure::Unauthorized),
        _ => Err(Failure::Server),
    }
}

/// Coordinators: adds a worker and gets its first pairing code.
pub async fn create_worker(
    token: &str,
    name: &str,
    coordinator: bool,
) -> Result<Pairing, ApiError> {
    let body = serde_json::to_string(&NewWorker {
        name: name.to_owned(),
        coordinator,
    })
    .map_err(|e| local_error(e.to_string()))?;
    post_json(token, "/api/v1/workers", &body).await
}

/// Coordinators: a new pairing code for an existing worker.
pub async fn new_pairing(token: &str, name: &str) -> Result<Pairing, ApiError> {
    let path = format!(
        "/api/v1/workers/{}/pairing",
        js_sys::encode_uri_component(name)
    );
    post_json(token, &path, "{}").await
}

fn local_error(message: String) -> ApiError {
    ApiError {
        error: ErrorCode::Internal,
        message,
        records: Vec::new(),
    }
}

async fn post_json<T: serde::de::DeserializeOwned>(
    token: &str,
    path: &str,
    body: &str,
) -> Result<T, ApiError> {
    let response = send("POST", path, Some(token), Some(body))
        .await
        .map_err(|_| local_error("network".into()))?;
    let text = read_text(&response)
        .await
        .map_err(|_| local_error("network".into()))?;
    if response.status() == 200 {
        serde_json::from_str(&text).map_err(|e| local_error(e.to_string()))
    } else {
        Err(serde_json::from_str(&text).unwrap_or_else(|_| local_error(text)))
    }
}

/// The team's (or one worker's) report; `query` is `from=…&to=…[&program=…]`.
pub async fn get_report(token: &str, query: &str) -> Result<ReportResponse, Failure> {
    let text = get_text(token, &format!("/api/v1/report?{query}")).await?;
    serde_json::from_str(&text).map_err(|_| Failure::Server)
}

/// The same report as CSV text.
pub async fn get_report_csv(token: &str, query: &str) -> Result<String, Failure> {
    get_text(token, &format!("/api/v1/report?{query}&format=csv")).await
}

async fn get_text(token: &str, path: &str) -> Result<String, Failure> {
    let response = send("GET", path, Some(token), None)
        .await
        .map_err(|_| Failure::Network)?;
    let text = read_text(&response).await.map_err(|_| Failure::Network)?;
    match response.status() {
        200 => Ok(text),
        401 | 403 => Err(Failure::Unauthorized),
        _ => Err(Failure::Server),
    }
}

/// The organisation's current taxonomy, or `None` when offline or unreadable.
pub async fn get_taxonomy() -> Option<Taxonomy> {
    let response = send("GET", "/api/v1/taxonomy", None, None).await.ok()?;
    if response.status() != 200 {
        return None;
    }
    serde_json::from_str(&read_text(&response).await.ok()?).ok()
}

async fn send(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<Response, JsValue> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = Request::new_with_str_and_init(path, &init)?;
    let headers = request.headers();
    if let Some(token) = token {
        headers.set("Authorization", &format!("Bearer {token}"))?;
    }
    if body.is_some() {
        headers.set("Content-Type", "application/json")?;
    }
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let response = JsFuture::from(window.fetch_with_request(&request)).await?;
    response.dyn_into::<Response>()
}

async fn read_text(response: &Response) -> Result<String, JsValue> {
    let text = JsFuture::from(response.text()?).await?;
    text.as_string()
        .ok_or_else(|| JsValue::from_str("body is not text"))
}
