//! Entry point of the coordinator's app (`/coordination/`): everything lives in the
//! `carnet` library (see `lib.rs` and `coordination/`).

fn main() {
    carnet::start_coordination();
}
