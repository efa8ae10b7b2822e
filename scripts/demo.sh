#!/usr/bin/env bash
# The main job: serves the admin app with the built-in demo org (the
# reference org of SPEC §7 and its records) on http://127.0.0.1:8080/.
# Installs what it needs first (see setup.sh). For the CLI on the same org:
# scripts/cli-demo.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "the admin app will be at http://127.0.0.1:${PORT:-8080}/ (Ctrl-C stops it)"
exec bash scripts/web.sh serve "${PORT:-8080}"
