export * from './projection.js';
export * from './query.js';
export * from './routes.js';
