//! The cut `wasm-streams` in a real browser (scripts/wasm-test.sh): chunks go through a web
//! `ReadableStream` and back unchanged, an error reaches the reader, and a reader that
//! stops early cancels the Rust stream behind it.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use futures_util::stream::{self, StreamExt};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_streams::ReadableStream;

wasm_bindgen_test_configure!(run_in_browser);

fn chunks(texts: &[&str]) -> Vec<Result<JsValue, JsValue>> {
    texts.iter().map(|t| Ok(JsValue::from_str(t))).collect()
}

async fn read_all(stream: ReadableStream) -> Vec<Result<JsValue, JsValue>> {
    stream.into_stream().collect().await
}

#[wasm_bindgen_test]
async fn chunks_cross_a_web_stream_unchanged() {
    let raw =
        ReadableStream::from_stream(stream::iter(chunks(&["un", "deux", "trois"]))).into_raw();
    let read = read_all(ReadableStream::from_raw(raw)).await;
    let texts: Vec<String> = read
        .into_iter()
        .map(|c| c.expect("a chunk").as_string().expect("text"))
        .collect();
    assert_eq!(texts, ["un", "deux", "trois"]);
}

#[wasm_bindgen_test]
async fn an_empty_stream_ends_at_once() {
    let read = read_all(ReadableStream::from_stream(stream::iter(chunks(&[])))).await;
    assert!(read.is_empty());
}

#[wasm_bindgen_test]
async fn an_error_reaches_the_reader_and_ends_the_stream() {
    let items = vec![
        Ok(JsValue::from_str("un")),
        Err(JsValue::from_str("coupé")),
        Ok(JsValue::from_str("jamais")),
    ];
    let read = read_all(ReadableStream::from_stream(stream::iter(items))).await;
    assert_eq!(read.len(), 2, "{read:?}");
    assert_eq!(
        read[0]
            .as_ref()
            .ok()
            .and_then(JsValue::as_string)
            .as_deref(),
        Some("un")
    );
    assert_eq!(
        read[1]
            .as_ref()
            .err()
            .and_then(JsValue::as_string)
            .as_deref(),
        Some("coupé")
    );
}

#[wasm_bindgen_test]
async fn a_body_made_by_the_browser_reads_as_its_bytes() {
    let response = web_sys::Response::new_with_opt_str(Some("abc")).expect("a response");
    let body = response.body().expect("a body");
    let mut bytes = Vec::new();
    for chunk in read_all(ReadableStream::from_raw(body)).await {
        bytes.extend(js_sys::Uint8Array::new(&chunk.expect("a chunk")).to_vec());
    }
    assert_eq!(bytes, b"abc");
}

/// Sets its flag when dropped: tells whether the Rust stream behind a web stream is gone.
struct Dropped(Rc<Cell<bool>>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[wasm_bindgen_test]
async fn a_reader_that_stops_early_cancels_the_source() {
    let dropped = Rc::new(Cell::new(false));
    let guard = Dropped(dropped.clone());
    let endless = stream::repeat(()).map(move |()| {
        let _kept = &guard;
        Ok(JsValue::from_str("encore"))
    });
    let mut reading = ReadableStream::from_stream(endless).into_stream();
    let first = reading
        .next()
        .await
        .expect("a chunk")
        .expect("not an error");
    assert_eq!(first.as_string().as_deref(), Some("encore"));
    assert!(!dropped.get());
    drop(reading);
    // The cancellation goes through the browser's promise jobs.
    for _ in 0..10 {
        if dropped.get() {
            break;
        }
        let tick = js_sys::Promise::resolve(&JsValue::UNDEFINED);
        JsFuture::from(tick).await.expect("a resolved promise");
    }
    assert!(
        dropped.get(),
        "the Rust stream outlived the reader's cancellation"
    );
}
