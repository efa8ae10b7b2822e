// Node.js, Bun and Deno (ESM): the engine is ready when the import resolves.
import { readFileSync } from 'node:fs';
import { gzip } from 'node:zlib';
import * as raw from './web/clearance.js';
import { guard } from './guard.mjs';
import { makeWatcher } from './watcher.mjs';

raw.initSync({ module: readFileSync(new URL('./web/clearance_bg.wasm', import.meta.url)) });

export const { Engine, diff, lint, validate, version } = guard(raw);
// Level 1: an edge ships every decision; its CPU matters more than a few bytes.
export const Watcher = makeWatcher(Engine, { gzip: (bytes) => new Promise((resolve, reject) => gzip(bytes, { level: 1 }, (e, out) => (e ? reject(e) : resolve(out)))) });
