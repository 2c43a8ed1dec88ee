//! Small browser facts the domain needs passed in (the time, randomness) and the browser's
//! timer as a future: leaves every other module may use.

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};
use uuid::Uuid;

/// A random (v4) UUID from the browser's cryptographic generator.
pub fn random_uuid() -> Uuid {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // No WebCrypto (very old browser): fall back to Math.random, still unique enough
        // for an idempotency key when combined with the clock.
        let now = js_sys::Date::now().to_bits().to_le_bytes();
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (js_sys::Math::random() * 256.0) as u8 ^ now[i % 8];
        }
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Now, with the device's current UTC offset.
pub fn now() -> DateTime<FixedOffset> {
    let date = js_sys::Date::new_0();
    let millis = date.get_time() as i64;
    // getTimezoneOffset is minutes *behind* UTC (300 in Québec in winter).
    let offset_secs = -(date.get_timezone_offset() as i32) * 60;
    let offset = FixedOffset::east_opt(offset_secs).unwrap_or_else(|| Utc.fix());
    DateTime::from_timestamp_millis(millis)
        .unwrap_or_default()
        .with_timezone(&offset)
}

/// The app's build: the hash of its module, as the start-up page names it
/// (`<meta name="carnet-app" data-js="/app/carnet-app-<hash>.js">`, `scripts/link_app.py`).
/// The server reads the same page, so a phone left on another build shows.
pub fn app_build() -> Option<String> {
    let meta = web_sys::window()?
        .document()?
        .query_selector("meta[name=carnet-app]")
        .ok()??;
    build_in(&meta.get_attribute("data-js")?)
}

/// The hash in `/app/carnet-app-<hash>.js`, found in a page or an attribute.
pub fn build_in(text: &str) -> Option<String> {
    let start = text.find("/app/carnet-app-")? + "/app/carnet-app-".len();
    let hash: String = text[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (text[start + hash.len()..].starts_with(".js") && !hash.is_empty()).then_some(hash)
}

/// Today's date on the device.
pub fn today() -> NaiveDate {
    now().date_naive()
}

/// A `setTimeout` as a future: `pause(0)` lets the browser paint and answer taps before
/// long work goes on.
pub async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Offers `text` as a file download named `name` (the CSV of a report).
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    download_blob(name, &blob)
}

/// Offers a blob as a file download named `name` (the xlsx report comes as one).
pub fn download_blob(name: &str, blob: &web_sys::Blob) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no document"))?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}

/// Opens the browser's print dialog (the print stylesheet gives a clean report).
pub fn print() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}
