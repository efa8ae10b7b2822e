// Browsers and bundlers: call `await init()` once before using the engine
// (it fetches `clearance_bg.wasm` next to this file, or takes a module/URL).
export { default as init, initSync, Engine, diff, lint, validate, version } from './web/clearance.js';
