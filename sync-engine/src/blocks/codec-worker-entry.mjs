// Entry of a block codec worker thread. Ferry runs from TypeScript source, and a worker thread
// does not reliably inherit the parent's loader (under vitest it has none), so this plain
// JavaScript file loads the TypeScript worker through tsx's scoped import: it works whether or not
// tsx is already registered in the process.
import { tsImport } from 'tsx/esm/api';

await tsImport('./codec-worker.ts', import.meta.url);
