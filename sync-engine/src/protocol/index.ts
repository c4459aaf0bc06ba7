/**
 * The wire protocol shared by the client engine, the server and the UI: ids, error codes, path
 * rules, request and response shapes. Pure: no `node:` imports, no I/O, no side effects.
 */
export * from './ids.js';
