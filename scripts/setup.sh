#!/usr/bin/env bash
# Installs what the project needs on a fresh machine, skipping what is
# already there at the right version: the wasm32 target, wasm-bindgen-cli at
# exactly the lockfile's wasm-bindgen version, Node.js, and the npm dev tools
# (binaryen's wasm-opt, tsc, and the Deno, Bun, workerd and edge-runtime
# binaries the package is tested in).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "[setup] rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must equal the crate exactly; no --locked: its own lockfile pins a
# crate version this registry does not serve (see docs/TOOLCHAIN notes in ARCHITECTURE.md).
wasm_bindgen=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qxF "wasm-bindgen $wasm_bindgen"; then
  echo "[setup] cargo install wasm-bindgen-cli $wasm_bindgen"
  cargo install wasm-bindgen-cli --version "$wasm_bindgen" --quiet
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "[setup] apt-get install nodejs npm"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

# npm ci when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

cargo fetch --locked --quiet
