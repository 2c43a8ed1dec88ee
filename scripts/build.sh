#!/usr/bin/env bash
# Builds the phone app and the coordinator's app into dist/: the phone app's start-up
# module (index.html → dist/, the lock screen, service worker), its whole app
# (app/index.html → dist/app/, loaded once a PIN is checked, see src/boot/mod.rs), and the
# coordinator's app (coordination/index.html → dist/coordination/, online). Trunk empties
# its output folder first, so the start-up module goes first.
#
#   scripts/build.sh            # release builds into dist/ (what run.sh and test.sh use)
#   scripts/build.sh DIST       # into another folder (the bench build, BENCHMARKS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
dist="${1:-dist}"
# The shipped wasm is built with its own standard library (`-Zbuild-std`), so that no
# panic, std's included, carries its file and line (`-Zlocation-detail=none`): the app
# module −9 kB brotli, the first load −4 kB (BENCHMARKS.md, « The standard library built
# without panics' locations »). std's
# `optimize_for_size` feature is left out: 4.8 kB more, but slower sorts made « Mes
# chiffres », the unlock and the sync slower. Both options are unstable, allowed on the
# stable toolchain by RUSTC_BOOTSTRAP (checked with Rust 1.95); setup.sh installs
# `rust-src` and fetches std's own crates.
# Tests, clippy and `cargo build` elsewhere use the usual prebuilt std.
# Nor its message: a panic stops the module at once (`-Cpanic=immediate-abort`), no code
# formats one and none of their texts ships (the app module −8.4 kB brotli). Nobody reads
# a phone's console; what a worker sees is the crash screen (src/crash.rs).
export RUSTC_BOOTSTRAP=1
export CARGO_UNSTABLE_BUILD_STD="std,panic_abort"
# An exported RUSTFLAGS (the bench build's) replaces .cargo/config.toml's wasm32 flags.
export RUSTFLAGS="${RUSTFLAGS:---cfg erase_components} -Zlocation-detail=none -Zunstable-options -Cpanic=immediate-abort"
trunk build --release --dist "$dist"
trunk build --release=true --dist "$dist/app" --public-url /app/ app/index.html
trunk build --release=true --dist "$dist/coordination" --public-url /coordination/ coordination/index.html
scripts/post_build.sh "$dist"
