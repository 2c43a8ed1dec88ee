#!/usr/bin/env bash
# Installs what building (and, with --browser, testing) Carnet needs, if it is missing.
# Idempotent: a second run only checks versions and takes seconds.
#
#   scripts/setup.sh            # Rust wasm target, trunk, wasm-bindgen-cli, npm binaryen and esbuild
#   scripts/setup.sh --browser  # … plus Debian Chromium and the Playwright npm package
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14 # 0.22 needs a newer rustc than these machines have
# The CLI must match the wasm-bindgen crate locked in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)

say() { printf '==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# npm ci when node_modules is missing or older than the lock file.
npm_install() {
  local dir=$1
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

# The release build compiles its own std (scripts/build.sh): std's sources.
if ! rustup component list --installed | grep -q '^rust-src'; then
  say "adding rust-src (the release build compiles its own std)"
  rustup component add rust-src
fi

if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
  say "installing trunk $TRUNK_VERSION (about 10 minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 5 minutes, once)"
  # Not --locked: its locked webpki-roots is not on the registry.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

npm_install tools

if [ "${1:-}" = "--browser" ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Debian chromium"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  fi
  npm_install end2end
fi

# Trunk builds offline (it must never download tools), which makes cargo offline too.
cargo fetch --locked --quiet
# … and std's own crates, for the release build's std (scripts/build.sh).
RUSTC_BOOTSTRAP=1 cargo fetch --locked --quiet -Zbuild-std --target wasm32-unknown-unknown
say "tools ready"
