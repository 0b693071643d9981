export * from './routes.js';
export * from './history/routes.js';
export * from './history/summary.js';
export * from './config.js';
export * from './export/lines.js';
export * from './export/verify-export.js';
export * from './export/verify-consistency.js';
