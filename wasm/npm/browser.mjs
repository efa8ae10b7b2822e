// Browsers and bundlers: call `await init()` once before using the engine
// (it fetches `clearance_bg.wasm` next to this file, or takes a module/URL).
import * as raw from './web/clearance.js';
import { guard } from './guard.mjs';
import { makeWatcher } from './watcher.mjs';

export { default as init, initSync } from './web/clearance.js';
export const { Engine, diff, lint, validate, version } = guard(raw);
export const Watcher = makeWatcher(Engine);
