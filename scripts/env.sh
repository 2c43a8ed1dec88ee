# Sourced by the other scripts: puts the project's tools first on PATH.
# The npm binaryen's wasm-opt must win over any other (Debian's 108 breaks the output).
CARNET_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$CARNET_ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
