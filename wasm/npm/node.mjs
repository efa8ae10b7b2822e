// Node.js, Bun and Deno (ESM): the engine is ready when the import resolves.
import { readFileSync } from 'node:fs';
import * as raw from './web/clearance.js';
import { guard } from './guard.mjs';
import { makeWatcher } from './watcher.mjs';

raw.initSync({ module: readFileSync(new URL('./web/clearance_bg.wasm', import.meta.url)) });

export const { Engine, diff, lint, validate, version } = guard(raw);
export const Watcher = makeWatcher(Engine);
