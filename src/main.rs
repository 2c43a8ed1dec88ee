//! Entry point of the PWA's start-up module: the lock screen, which hands over to the
//! app's module (`src/bin/app.rs`) once a PIN is checked. See `boot` in `lib.rs`.

fn main() {
    carnet::start_boot();
}
