#!/usr/bin/env bash
# The control plane's benchmark (issue 17): builds the server (release),
# starts a state on the generated 10,000-user org, serves it on loopback and
# runs bench/server/bench.mjs against it. Prints a Markdown table.
# `--postgres`: the state in a PostgreSQL started for the run (scripts/postgres.sh).
# `--freshness`: instead, apply → 50 watching Node engines (bench/server/freshness.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --quiet --release -p clearance-server -p clearance-cli
cargo build --locked --quiet --release -p clearance-bench --bin http_load
dir=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; [ -d "$dir/pg" ] && bash scripts/postgres.sh stop "$dir/pg"; rm -rf "$dir"' EXIT
database=()
if [ "${1:-}" = --freshness ]; then
  [ -f wasm/pkg/node.mjs ] || bash scripts/package.sh >/dev/null
fi
if [ "${1:-}" = --postgres ]; then
  mkdir -p "$dir/pg" && chmod 755 "$dir"  # initdb runs as the postgres user
  database=(--database "$(bash scripts/postgres.sh start "$dir/pg" "${CLEARANCE_PG_PORT:-55434}")")
fi
target/release/clearance generate --users 10000 --records 1000 --roles 1000 --departments 200 --groups 100 --seed 1 --out "$dir/org" >/dev/null
printf 'correct horse battery\n' > "$dir/password"
# user_26 holds access_approver (no session rules); user_1 is a sales rep.
target/release/clearance-server init --data "$dir/data" --policy "$dir/org/policy.json" --admin user_26 --password-file "$dir/password" "${database[@]}" >/dev/null
target/release/clearance-server password --data "$dir/data" --user user_1 --password-file "$dir/password" "${database[@]}" >/dev/null
target/release/clearance-server serve --data "$dir/data" --listen 127.0.0.1:0 "${database[@]}" > "$dir/out" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q '^listening on ' "$dir/out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$dir/out")
if [ "${1:-}" = --freshness ]; then
  node bench/server/freshness.mjs "$url" "$dir/data/bundle.key.pub" user_1 user_26 'correct horse battery' 50 5 "$dir/org/records.jsonl"
  exit 0
fi
node bench/server/bench.mjs "$url" "$pid" user_1 user_26 'correct horse battery'
# The same reads from a native client (Node's fetch costs the shared cores more than the server does).
target/release/http_load "$url" user_26 'correct horse battery'
