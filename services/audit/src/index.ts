export * from './routes.js';
export * from './history/routes.js';
export * from './history/summary.js';
export * from './config.js';
