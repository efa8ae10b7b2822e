#!/usr/bin/env bash
# The CLI tour: runs the `clearance` CLI on the built-in demo org (the
# reference org of SPEC §7) and prints explained decisions in English and
# Chinese, then the same decisions as JSON Lines.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --locked --quiet -p clearance-cli
bin=target/debug/clearance
org=examples/reference-org.json
records=examples/reference-records.json
requests=examples/demo-requests.jsonl

echo "== validate"
"$bin" validate "$org"
echo
echo "== explain (English)"
"$bin" explain "$org" --records "$records" --requests "$requests"
echo
echo "== explain (中文)"
"$bin" explain "$org" --records "$records" --requests "$requests" --lang zh
echo
echo "== check (JSON Lines, first two decisions)"
"$bin" check "$org" --records "$records" --requests "$requests" | head -n 2
