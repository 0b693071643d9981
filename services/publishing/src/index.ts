export * from './routes.js';
export * from './scheduler.js';
