//! Entry point of the PWA: everything lives in the `carnet` library (see `lib.rs`).

fn main() {
    carnet::start();
}
