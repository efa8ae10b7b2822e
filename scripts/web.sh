#!/usr/bin/env bash
# Builds the admin app with Trunk (`build`, into dist/), or runs the
# developer's live-reload loop (`serve [PORT]`, default 8080: Trunk's file
# watcher rebuilds on every save). The main command (demo.sh) builds once and
# serves dist/ without a watcher. Tools come from setup.sh; Trunk runs offline
# and uses the installed wasm-bindgen and npm binaryen's wasm-opt.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
case "${1:-build}" in
  build) trunk build --release ;;
  serve) trunk serve --release --address 127.0.0.1 --port "${2:-8080}" ;;
  *) echo "usage: scripts/web.sh build|serve [PORT]" >&2; exit 2 ;;
esac
