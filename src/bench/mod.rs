//! Bench-only hooks (`--cfg carnet_bench`; never in a shipped build) for `end2end/bench/`
//! (BENCHMARKS.md): `performance` marks around the steps the budgets time, and (in
//! [`seed`]) a seeding entry point the page calls as `window.wasmBindings.bench_seed(...)`.
//!
//! The marks depend on nothing of the app, so any module may time itself with them, the
//! storage code included; the seeding, which needs the open profile's storage, is the
//! [`seed`] module's. In a normal build [`mark`] is an empty inline function.

pub mod seed;

/// A `performance.mark` in bench builds; nothing otherwise.
#[cfg(carnet_bench)]
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// A `performance.mark` in bench builds; nothing otherwise.
#[cfg(not(carnet_bench))]
#[inline(always)]
pub fn mark(_name: &str) {}
