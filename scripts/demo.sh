#!/usr/bin/env bash
# The main job: builds the admin app once (Trunk, release) and serves the
# built files with the built-in demo org (the reference org of SPEC §7 and
# its records) on http://127.0.0.1:8080/ (PORT to change it). No file
# watcher runs: `bash scripts/web.sh serve` is the developer's live-reload
# loop. Installs what it needs first (see setup.sh). For the CLI on the same
# org: scripts/cli-demo.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/web.sh build
exec node scripts/serve-dist.mjs dist "${PORT:-8080}"
