export * from './relay.js';
export * from './service.js';
