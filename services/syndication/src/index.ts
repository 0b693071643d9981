export * from './routes.js';
export * from './public-articles/index.js';
export * from './config.js';
