#!/usr/bin/env bash
# Tests the npm package as a user gets it: packs wasm/pkg, installs the
# tarball into a fresh project, type-checks a TypeScript consumer with tsc,
# and runs the node:test suites (corpus agreement with the native CLI, API
# contract) plus the smoke suites in Deno, Bun, workerd and edge-runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$root/node_modules/.bin:$PATH"
bin=${CLEARANCE_BIN:-$root/target/debug/clearance}
[ -x "$bin" ] || cargo build --locked --quiet -p clearance-cli
# The watcher's test serves bundles from a real control plane beside the CLI.
[ -x "$(dirname "$bin")/clearance-server" ] || cargo build --locked --quiet -p clearance-server

project=$(mktemp -d)
trap 'rm -rf "$project"' EXIT
(cd wasm/pkg && npm pack --silent --pack-destination "$project" >/dev/null)
cd "$project"
echo '{"name": "clearance-consumer", "private": true, "type": "module"}' > package.json
npm install --silent --no-audit --no-fund ./clearance-*.tgz
for dep in @types @edge-runtime edge-runtime deno bun workerd @deno @oven @cloudflare jose; do [ -e "$root/node_modules/$dep" ] && ln -s "$root/node_modules/$dep" "node_modules/$dep"; done
mkdir -p node_modules/.bin && for tool in deno bun workerd; do ln -sf "$root/node_modules/.bin/$tool" node_modules/.bin/$tool; done
cp -r "$root/wasm/tests" tests

echo "== tsc: a TypeScript consumer against the generated declarations"
tsc --noEmit --strict --module nodenext --moduleResolution nodenext --target es2022 --types node tests/consumer.ts

echo "== node --test"
CLEARANCE_ROOT=$root CLEARANCE_BIN=$bin node --test --test-reporter=spec tests/*.test.mjs > node-test.log 2>&1 || true
grep -E "^(✔|✖|ℹ (tests|pass|fail))|# load:" node-test.log || true
grep -q '^ℹ fail 0$' node-test.log || { cat node-test.log; exit 1; }
