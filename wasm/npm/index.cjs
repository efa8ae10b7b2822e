// Node.js CommonJS (`require('clearance')`): the generated glue, guarded.
const raw = require('./clearance.js');
const { guard } = require('./guard.js');
const { makeWatcher } = require('./watcher.js');
const { gzip } = require('node:zlib');

const guarded = guard(raw);
// As node.mjs: zlib off the main thread, level 1 (an edge's CPU first).
const nodeGzip = (bytes) => new Promise((resolve, reject) => gzip(bytes, { level: 1 }, (e, out) => (e ? reject(e) : resolve(out))));
module.exports = { ...raw, ...guarded, Watcher: makeWatcher(guarded.Engine, { gzip: nodeGzip }) };
