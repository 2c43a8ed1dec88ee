//! `use_fetch`: what a screen reads from somewhere slow — the server, the browser's storage
//! estimate — as a signal, asked again when a signal it read changes, or on demand.
//!
//! Leptos's `LocalResource` does the same, but its machinery (`AsyncDerived`) adds about
//! 10 kB brotli to the phone's module, which has a size budget. The screens need only
//! this: the last answer, kept while the next one is asked for, and never an answer older
//! than the one shown (the answer for a period no longer on screen is dropped).
//!
//! ```ignore
//! // Asked once when the component is drawn; `None` until the first answer.
//! let usage = use_fetch(storage_guard::usage);
//! view! { {move || usage.get().flatten().map(|u| view! { <p>{u.used}</p> })} }
//! usage.refetch(); // asked again (after a change, on « Actualiser »)
//!
//! // Asked again whenever `wanted` changes: signals read before the future starts are
//! // tracked, as in a memo.
//! let figures = use_fetch(move || {
//!     let period = wanted.get();
//!     async move { fetch(period).await }
//! });
//! ```

use std::future::Future;

use crate::ui::effect::effect;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The answers of one source, from [`use_fetch`]. `Copy`, like a signal.
pub struct Fetch<T: Send + Sync + 'static> {
    answer: RwSignal<Option<T>>,
    again: Trigger,
}

impl<T: Send + Sync + 'static> Clone for Fetch<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Fetch<T> {}

impl<T: Send + Sync + 'static> Fetch<T> {
    /// The latest answer (tracked); `None` until the first one.
    pub fn get(&self) -> Option<T>
    where
        T: Clone,
    {
        self.answer.get()
    }

    /// Reads the latest answer (tracked) without cloning it.
    pub fn with<R>(&self, f: impl FnOnce(&Option<T>) -> R) -> R {
        self.answer.with(f)
    }

    /// Asks again; the current answer stays on screen until the new one comes.
    pub fn refetch(&self) {
        self.again.notify();
    }
}

/// Starts asking `fetch` (once the component is drawn), and again whenever a signal it
/// read before its future started changes, or [`Fetch::refetch`] is called. Of answers
/// that cross, only the last asked for is kept.
pub fn use_fetch<T, Fut>(fetch: impl Fn() -> Fut + 'static) -> Fetch<T>
where
    T: Send + Sync + 'static,
    Fut: Future<Output = T> + 'static,
{
    let answer = RwSignal::new(None);
    let again = Trigger::new();
    let asked = StoredValue::new(0u64);
    effect(move |_| {
        again.track();
        let future = fetch();
        asked.update_value(|n| *n += 1);
        let ticket = asked.get_value();
        spawn_local(async move {
            let value = future.await;
            // A later question was asked meanwhile (or the screen is gone): not this one.
            if asked.try_get_value() == Some(ticket) {
                answer.try_set(Some(value));
            }
        });
    });
    Fetch { answer, again }
}
