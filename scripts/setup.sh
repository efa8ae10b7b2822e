#!/usr/bin/env bash
# Installs what the project needs on a fresh machine, skipping what is
# already there at the right version: the wasm32 target, wasm-bindgen-cli at
# exactly the lockfile's wasm-bindgen version, trunk 0.21.14 (0.22 needs a
# newer rustc), Node.js, Chromium and ChromeDriver (Debian's, for the admin
# app's component and end-to-end tests, with a CJK font), and the npm dev
# tools (binaryen's wasm-opt, tsc, playwright-core, and the Deno, Bun,
# workerd and edge-runtime binaries).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "[setup] rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must equal the crate exactly; no --locked: the CLI's own lockfile
# pins a crate version (webpki-roots) this registry does not serve.
wasm_bindgen=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qxF "wasm-bindgen $wasm_bindgen"; then
  echo "[setup] cargo install wasm-bindgen-cli $wasm_bindgen"
  cargo install wasm-bindgen-cli --version "$wasm_bindgen" --quiet
fi

trunk_version=0.21.14
if ! trunk --version 2>/dev/null | grep -qxF "trunk $trunk_version"; then
  echo "[setup] cargo install trunk $trunk_version"
  cargo install trunk --version "$trunk_version" --locked --quiet
fi

missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v chromium >/dev/null || missing+=(chromium fonts-dejavu-core)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
# The end-to-end tests tamper with a server's SQLite state as an intruder would.
command -v sqlite3 >/dev/null || missing+=(sqlite3)
# Chinese glyphs for the admin app's 中文 screenshots.
[ -n "$(fc-list :lang=zh 2>/dev/null)" ] || missing+=(fonts-wqy-zenhei)
if ((${#missing[@]})); then
  echo "[setup] apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

cargo fetch --locked --quiet
