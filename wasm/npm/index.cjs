// Node.js CommonJS (`require('clearance')`): the generated glue, guarded.
const raw = require('./clearance.js');
const { guard } = require('./guard.js');
const { makeWatcher } = require('./watcher.js');

const guarded = guard(raw);
module.exports = { ...raw, ...guarded, Watcher: makeWatcher(guarded.Engine) };
