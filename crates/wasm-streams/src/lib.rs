//! A web `ReadableStream` to and from a Rust [`Stream`], as `wasm-streams` 0.5 offers them,
//! without the JavaScript classes that crate exports.
//!
//! The workspace puts this crate in place of the registry's (`[patch.crates-io]`): its only
//! user is `server_fn`'s browser client, which Leptos always compiles and Carnet never
//! calls. The registry's crate adapts Rust streams through exported `#[wasm_bindgen]`
//! classes, and exports are kept in every module whether called or not; here the adapter is
//! two closures made inside [`ReadableStream::from_stream`], so a module that never calls it
//! carries none of it.
//!
//! ```ignore
//! let raw = ReadableStream::from_stream(chunks).into_raw(); // a request's body
//! let chunks = ReadableStream::from_raw(response_body).into_stream();
//! ```

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_util::stream::{FusedStream, Stream, StreamExt};
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{ReadableStreamDefaultController, ReadableStreamDefaultReader};

/// A web `ReadableStream`, to read as a Rust [`Stream`] or made from one.
#[derive(Debug)]
pub struct ReadableStream {
    raw: web_sys::ReadableStream,
}

type Chunks = Pin<Box<dyn Stream<Item = Result<JsValue, JsValue>>>>;

impl ReadableStream {
    /// Wraps a web stream.
    pub fn from_raw(raw: web_sys::ReadableStream) -> Self {
        ReadableStream { raw }
    }

    /// The web stream.
    pub fn into_raw(self) -> web_sys::ReadableStream {
        self.raw
    }

    /// A web stream whose chunks are `stream`'s items; an `Err` errors it.
    ///
    /// Nothing is queued ahead (a high-water mark of 0, as `wasm-streams` does): the web
    /// stream asks for a chunk when its reader wants one, and never asks again before the
    /// last one came, so the Rust stream is polled by one pull at a time.
    pub fn from_stream<St>(stream: St) -> Self
    where
        St: Stream<Item = Result<JsValue, JsValue>> + 'static,
    {
        let slot: Rc<RefCell<Option<Chunks>>> = Rc::new(RefCell::new(Some(Box::pin(stream))));
        let pulled = slot.clone();
        let pull = Closure::<dyn FnMut(ReadableStreamDefaultController) -> Promise>::new(
            move |controller: ReadableStreamDefaultController| {
                let slot = pulled.clone();
                future_to_promise(async move {
                    // Out of its slot while awaited: no borrow is held across the await.
                    let taken = slot.borrow_mut().take();
                    let Some(mut stream) = taken else {
                        // Cancelled, or already ended.
                        return Ok(JsValue::UNDEFINED);
                    };
                    match stream.next().await {
                        Some(Ok(chunk)) => {
                            controller.enqueue_with_chunk(&chunk)?;
                            *slot.borrow_mut() = Some(stream);
                        }
                        Some(Err(err)) => return Err(err),
                        None => controller.close()?,
                    }
                    Ok(JsValue::UNDEFINED)
                })
            },
        );
        let cancel = Closure::<dyn FnMut(JsValue)>::new(move |_reason: JsValue| {
            // Dropping the Rust stream is its cancellation.
            slot.borrow_mut().take();
        });
        let source = web_sys::UnderlyingSource::new();
        // Owned by the web stream from here: freed when the browser collects it.
        source.set_pull(pull.into_js_value().unchecked_ref());
        source.set_cancel(cancel.into_js_value().unchecked_ref());
        let strategy = web_sys::QueuingStrategy::new();
        strategy.set_high_water_mark(0.0);
        let raw =
            web_sys::ReadableStream::new_with_underlying_source_and_strategy(&source, &strategy)
                .expect_throw("ReadableStream with an underlying source");
        ReadableStream::from_raw(raw)
    }

    /// The stream's chunks, read through a reader that locks it; dropping the Rust stream
    /// before the end cancels the web stream. Throws if the stream is already locked.
    pub fn into_stream(self) -> IntoStream {
        let reader =
            ReadableStreamDefaultReader::new(&self.raw).expect_throw("already locked to a reader");
        IntoStream {
            reader: Some(reader),
            read: None,
        }
    }
}

/// A web stream's chunks as a Rust [`Stream`] (see [`ReadableStream::into_stream`]).
#[must_use = "streams do nothing unless polled"]
#[derive(Debug)]
pub struct IntoStream {
    /// `None` once the stream ended or failed.
    reader: Option<ReadableStreamDefaultReader>,
    /// The read under way.
    read: Option<JsFuture>,
}

impl Stream for IntoStream {
    type Item = Result<JsValue, JsValue>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let Some(reader) = &this.reader else {
            return Poll::Ready(None);
        };
        let read = this
            .read
            .get_or_insert_with(|| JsFuture::from(reader.read()));
        let Poll::Ready(result) = Pin::new(read).poll(cx) else {
            return Poll::Pending;
        };
        this.read = None;
        Poll::Ready(match result {
            Ok(result) => {
                let result: web_sys::ReadableStreamReadResult = result.unchecked_into();
                if result.get_done().unwrap_or_default() {
                    this.reader = None;
                    None
                } else {
                    Some(Ok(result.get_value()))
                }
            }
            Err(err) => {
                this.reader = None;
                Some(Err(err))
            }
        })
    }
}

impl FusedStream for IntoStream {
    fn is_terminated(&self) -> bool {
        self.reader.is_none()
    }
}

impl Drop for IntoStream {
    fn drop(&mut self) {
        if let Some(reader) = self.reader.take() {
            // Not read to the end: the rest is not wanted (a refusal is of no interest).
            let ignore = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
            let _ = reader.cancel().catch(&ignore);
            // Kept by the promise until it settles, then collected.
            let _ = ignore.into_js_value();
        }
    }
}
