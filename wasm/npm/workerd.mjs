// Cloudflare Workers (workerd) and other runtimes that import a `.wasm` file
// as a compiled `WebAssembly.Module`: no fetch, no compile from bytes.
import wasmModule from './web/clearance_bg.wasm';
import * as raw from './web/clearance.js';
import { guard } from './guard.mjs';
import { makeWatcher } from './watcher.mjs';

raw.initSync({ module: wasmModule });

export const { Engine, diff, lint, validate, version } = guard(raw);
export const Watcher = makeWatcher(Engine);
