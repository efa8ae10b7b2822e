// Cloudflare Workers (workerd) and other runtimes that import a `.wasm` file
// as a compiled `WebAssembly.Module`: no fetch, no compile from bytes.
import wasmModule from './web/clearance_bg.wasm';
import { initSync } from './web/clearance.js';

initSync({ module: wasmModule });

export { Engine, diff, lint, validate, version } from './web/clearance.js';
