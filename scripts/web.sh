#!/usr/bin/env bash
# Builds the admin app with Trunk (`build`, into dist/) or serves it on
# 127.0.0.1 (`serve [PORT]`, default 8080). Tools come from setup.sh; Trunk
# runs offline and uses the installed wasm-bindgen and npm binaryen's wasm-opt.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
case "${1:-build}" in
  build) trunk build --release ;;
  serve) trunk serve --release --address 127.0.0.1 --port "${2:-8080}" ;;
  *) echo "usage: scripts/web.sh build|serve [PORT]" >&2; exit 2 ;;
esac
