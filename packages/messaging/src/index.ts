export * from './config.js';
export * from './producer.js';
export * from './admin.js';
export * from './wait.js';
export * from './consumer.js';
export * from './dead-letters.js';
export * from './article-events.js';
