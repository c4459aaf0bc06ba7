/**
 * Ferry's client engine as a plain Node library: block pipeline, local state, protocol. Never
 * imports Electron or any other top-level folder of the repository.
 */
export * from './errors.js';
export * from './protocol/index.js';
export * from './blocks/index.js';
export * from './state/index.js';
