#!/usr/bin/env bash
# Installs what the project needs on a fresh machine, skipping what is
# already there. Today: the wasm32 target (CI builds clearance-core for it so
# the engine stays wasm-clean). Later issues add their tools here.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "[setup] rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
cargo fetch --locked --quiet
