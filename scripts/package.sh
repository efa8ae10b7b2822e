#!/usr/bin/env bash
# Builds the npm package into wasm/pkg: the wasm engine (cargo, profile
# wasm-release), its JavaScript glue and TypeScript declarations
# (wasm-bindgen, `web` target for ESM runtimes and `nodejs` for CommonJS),
# wasm-opt from npm binaryen, and the hand-written entry points of wasm/npm.
# Prints the .wasm's raw and gzipped sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

out=wasm/pkg
cargo build --locked --quiet -p clearance-wasm --target wasm32-unknown-unknown --profile wasm-release
wasm=target/wasm32-unknown-unknown/wasm-release/clearance_wasm.wasm

rm -rf "$out"
mkdir -p "$out"
wasm-bindgen --target web --out-dir "$out/web" --out-name clearance "$wasm"
wasm-bindgen --target nodejs --out-dir "$out/cjs" --out-name clearance "$wasm"
for dir in web cjs; do
  # -Oz until it converges; the producers and target-features sections are
  # metadata no runtime reads. --low-memory-unused folds constant offsets
  # into loads and stores (-3 KB gzipped): it assumes nothing reads or writes
  # the first 1 KiB of memory through an address that wrapped around, which
  # holds here: rustc puts the stack first, at [0, 1 MiB), growing down, so
  # only a stack within 1 KiB of overflowing reaches it.
  wasm-opt -Oz --converge --low-memory-unused --strip-producers --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-reference-types --enable-multivalue \
    "$out/$dir/clearance_bg.wasm" -o "$out/$dir/clearance_bg.wasm"
done
# The CommonJS glue needs a scope where `.js` means CommonJS.
echo '{"type": "commonjs"}' > "$out/cjs/package.json"
cp wasm/npm/node.mjs wasm/npm/node.d.mts wasm/npm/workerd.mjs wasm/npm/browser.mjs wasm/npm/README.md "$out/"
# One guard source (with the decision builder it uses), exported for both module systems.
{ cat wasm/npm/decision.js wasm/npm/guard.js; echo 'export { guard };'; } > "$out/guard.mjs"
{ cat wasm/npm/decision.js wasm/npm/guard.js; echo 'module.exports = { guard };'; } > "$out/cjs/guard.js"
{ cat wasm/npm/watcher.js; echo 'export { makeWatcher };'; } > "$out/watcher.mjs"
{ cat wasm/npm/watcher.js; echo 'module.exports = { makeWatcher };'; } > "$out/cjs/watcher.js"
cp wasm/npm/watcher.d.mts "$out/"
cp wasm/npm/index.cjs "$out/cjs/index.js"
version=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)
sed "s/\"version\": \"0.0.0\"/\"version\": \"$version\"/" wasm/npm/package.json > "$out/package.json"

raw=$(wc -c < "$out/web/clearance_bg.wasm")
gz=$(gzip -9 -c "$out/web/clearance_bg.wasm" | wc -c)
echo "wasm/pkg: clearance_bg.wasm ${raw} bytes raw, ${gz} bytes gzipped (budget 307200 gzipped)"
if (( gz > 307200 )); then
  echo "warning: the .wasm exceeds its 300 KB gzipped budget (see bench/README.md)" >&2
fi
