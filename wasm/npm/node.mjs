// Node.js, Bun and Deno (ESM): the engine is ready when the import resolves.
import { readFileSync } from 'node:fs';
import { initSync } from './web/clearance.js';

initSync({ module: readFileSync(new URL('./web/clearance_bg.wasm', import.meta.url)) });

export { Engine, diff, lint, validate, version } from './web/clearance.js';
