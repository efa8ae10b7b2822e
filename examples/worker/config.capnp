# workerd configuration for the example: `workerd serve config.capnp` after
# copying the package's `workerd.mjs`, `guard.mjs`, `watcher.mjs`, `web/clearance.js` and
# `web/clearance_bg.wasm` and the bundle, key and records beside this file
# (wasm/tests/examples.test.mjs does exactly that).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "clearance", esModule = embed "workerd.mjs"),
    # jose: wrangler bundles it; workerd lists its files (jose's `dist/webapi`
    # copied to `jose/`), the entry named "jose" — the test writes these lines.
    # JOSE_MODULES
    (name = "guard.mjs", esModule = embed "guard.mjs"),
    (name = "watcher.mjs", esModule = embed "watcher.mjs"),
    (name = "web/clearance.js", esModule = embed "clearance.js"),
    (name = "web/clearance_bg.wasm", wasm = embed "clearance_bg.wasm"),
    (name = "policy.bundle", data = embed "policy.bundle"),
    (name = "key.pub", text = embed "key.pub"),
    (name = "records.json", text = embed "records.json"),
    (name = "idp.pem", text = embed "idp.pem"),
    (name = "settings.json", text = embed "settings.json"),
  ],
  compatibilityDate = "2026-11-01",
);
