#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, the native test suites
# (unit, scenario corpus, bad-input corpus, properties, CLI contract, SQL
# plans on a real PostgreSQL), the wasm32 build of the core, the scenario
# corpus through the CLI, and the npm package (built, installed into a fresh
# project, type-checked, and run in Node, Deno, Bun, workerd, edge-runtime),
# and the admin app (component tests in headless Chromium, built by Trunk,
# end to end in Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
# One clean build per run: incremental caches only cost disk here.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
step() { echo; echo "== [+$((SECONDS - t0))s] $*"; }

step "setup"
bash scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, -D warnings)"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "clearance-core builds for wasm32-unknown-unknown"
cargo build --locked -p clearance-core --target wasm32-unknown-unknown --release --quiet

step "fuzz targets still build (cargo check; running them needs nightly cargo-fuzz)"
cargo check --locked --quiet --manifest-path fuzz/Cargo.toml --target-dir target

step "clearance test: the scenario corpus through the CLI"
cargo run --locked --quiet -p clearance-cli -- test tests/scenarios/*.json | tail -n 1

step "PostgreSQL on loopback for the plan tests"
pg_dir=$(mktemp -d)
trap 'bash scripts/postgres.sh stop "$pg_dir"' EXIT
CLEARANCE_POSTGRES=$(bash scripts/postgres.sh start "$pg_dir" "${CLEARANCE_PG_PORT:-55432}")
export CLEARANCE_POSTGRES CLEARANCE_REQUIRE_POSTGRES=1

step "cargo test --workspace"
mkdir -p target
cargo test --locked --workspace 2>&1 | tee target/test-output.log

step "the server's suites over HTTP again, its state on PostgreSQL"
CLEARANCE_SERVER_DATABASE=postgres cargo test --locked -p clearance-server --test '*' >target/test-pg-output.log 2>&1 ||
  { tail -n 120 target/test-pg-output.log; exit 1; }
grep -E '^test result' target/test-pg-output.log
cat target/test-pg-output.log >>target/test-output.log

step "npm package: build (wasm-bindgen, wasm-opt)"
bash scripts/package.sh

step "npm package: install into a fresh project, tsc, node:test in every runtime"
bash scripts/npm-test.sh | tee target/npm-test-output.log

step "admin app: component tests in headless Chromium (wasm-bindgen-test)"
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} cargo test --locked -p clearance-web --target wasm32-unknown-unknown --test browser 2>&1 | tee target/browser-test-output.log | grep -E '^(test |test result)'
grep -q '^test result: ok' target/browser-test-output.log || { cat target/browser-test-output.log; exit 1; }

step "admin app: trunk build (release), then end-to-end in Chromium"
bash scripts/web.sh build
gz=$(cat dist/*.wasm dist/*.js | gzip -9 | wc -c)
echo "admin app: .wasm + .js gzipped ${gz} bytes (budget 1572864)"
node --test --test-reporter=spec web/e2e/ 2>&1 | tee target/e2e-output.log | grep -E '^(✔|✖|ℹ (tests|pass|fail))' || true
grep -q '^ℹ fail 0$' target/e2e-output.log || { cat target/e2e-output.log; exit 1; }

step "peers agree with Clearance before any benchmark (small generated org)"
peers_dir=$(mktemp -d)
cargo run --locked --quiet -p clearance-cli -- generate --users 2000 --records 50000 --roles 200 --departments 40 --groups 20 --sharing-rules 40 --seed 3 --out "$peers_dir" >/dev/null
node bench/npm/peers.mjs "$peers_dir" --agree-only
rm -rf "$peers_dir"

# One closing line for the whole run (cargo's last line is a crate's doc-tests).
{
  grep -hE '^test result:' target/test-output.log target/browser-test-output.log | awk '{ print $4, $6 }'
  awk '/^ℹ pass /{ p = $3 } /^ℹ fail /{ f = $3 } END { print p + 0, f + 0 }' target/npm-test-output.log
  awk '/^ℹ pass /{ p = $3 } /^ℹ fail /{ f = $3 } END { print p + 0, f + 0 }' target/e2e-output.log
} | awk '{ passed += $1; failed += $2 } END { print passed " passed, " failed " failed" }'
