// Node.js CommonJS (`require('clearance')`): the generated glue, guarded.
const raw = require('./clearance.js');
const { guard } = require('./guard.js');

module.exports = { ...raw, ...guard(raw) };
