//! Entry point of the PWA's app module (`dist/app/`): loaded by the start-up module
//! (`src/main.rs`), everything lives in the `carnet` library (see `lib.rs`).

fn main() {
    carnet::start();
}
