/**
 * The wire protocol shared by the client engine, the server and the UI: ids, error codes, path
 * rules, request and response shapes. Pure: no `node:` imports, no I/O, no side effects.
 */
export * from './ids.js';
export * from './errors.js';
export * from './paths.js';
export * from './constants.js';
export * from './auth-types.js';
export * from './file-types.js';
export * from './block-types.js';
export * from './change-types.js';
export * from './share-types.js';
export * from './wire-schemas.js';
export * from './batch-types.js';
export * from './block-frames.js';
