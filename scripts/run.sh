#!/usr/bin/env bash
# Sets up what is missing, builds the PWA and the server, and runs Carnet on an embedded
# SQLite file (data/carnet.db). Prints the URL and, on first run, a worker token.
#
#   scripts/run.sh              # http://127.0.0.1:8080/
#   PORT=9000 scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh

echo "==> building the app (release wasm)"
scripts/build.sh
echo "==> building the server"
cargo build --profile server -p carnet-server
server=target/server/carnet-server

mkdir -p data
db=data/carnet.db
if [ ! -f "$db" ]; then
  echo
  echo "First run: creating the worker « poste-1 ». Open the URL below, choose a PIN, then in"
  echo "Réglages enter the pairing code (or paste the token under « Coller un jeton à la place »):"
  "$server" worker add poste-1 --db "$db"
  echo
else
  echo "Using $db. Add a worker with: $server worker add NAME --db $db"
fi
exec "$server" serve --db "$db" --dist dist --addr "127.0.0.1:${PORT:-8080}"
