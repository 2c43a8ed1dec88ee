//! `effect`: Leptos's `Effect::new` for the app's effects, all through one closure type.
//!
//! Each `Effect::new` instance compiles its own copy of Leptos's effect loop (a spawned
//! task that waits for a change, checks its sources, runs the closure): the closure is
//! boxed here, so the loop is compiled once for every effect of the app. What runs, and
//! when, is the same.
//!
//! ```ignore
//! effect(move |_| {
//!     if let Some(Err(messages)) = save.value().get() {
//!         errors.set(messages);
//!     }
//! });
//! ```

use leptos::prelude::*;

/// Runs `run` now (after the current tick, as `Effect::new` does) and again whenever a
/// signal it read changes; `run` gets `Some(())` from its second run on.
pub fn effect(run: impl FnMut(Option<()>) + 'static) {
    boxed(Box::new(run));
}

fn boxed(mut run: Box<dyn FnMut(Option<()>)>) {
    Effect::new(move |previous: Option<()>| run(previous));
}
