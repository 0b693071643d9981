export * from './app.js';
export * from './auth.js';
export * from './command-handler.js';
export * from './config.js';
export * from './http-commands.js';
export * from './lifecycle.js';
export * from './problem.js';
