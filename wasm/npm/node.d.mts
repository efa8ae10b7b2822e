export * from './web/clearance.js';
