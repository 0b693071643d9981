export * from './routes.js';
export * from './review-queue/index.js';
