import type { ExecuteOutcome } from './execute-context.js';

/** One operation's end in a batch: as a single operation's, or the error it alone failed with. */
export type BatchOutcome = ExecuteOutcome | { readonly error: unknown };
