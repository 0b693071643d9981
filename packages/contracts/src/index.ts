export * from './codec.js';
export * from './text.js';
export * from './content.js';
export * from './actor.js';
export * from './commands.js';
export * from './events.js';
export * from './rejections.js';
export * from './problem.js';
