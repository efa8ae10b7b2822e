export * from './web/clearance.js';
export * from './watcher.mjs';
