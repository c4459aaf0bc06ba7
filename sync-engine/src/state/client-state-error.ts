/**
 * The one error type of the local state module, an EngineError. Callers branch on `code`, never
 * on the message.
 */
import { EngineError } from '../errors.js';

/** Every way the local state can fail, as a closed set. */
export const CLIENT_STATE_ERROR_CODES = [
  /** The database was written by a newer Ferry than this one: refuse rather than guess. */
  'state_schema_too_new',
  /** A migration threw; its transaction was rolled back and the schema is unchanged. */
  'state_migration_failed',
  /** The file could not be opened as a Ferry state database with the required settings. */
  'state_open_failed',
  /** Another item already holds this path in the same tree. */
  'state_path_taken',
  /** The item id is unknown, or the row's kind differs from the item's kind. */
  'state_unknown_item',
  /** A block list that is not contiguous from offset 0, or that belongs to no file row. */
  'state_invalid_block_list',
  /** Any other schema constraint (a CHECK on a column) rejected the write. */
  'state_constraint_violated',
] as const;

/** One of {@link CLIENT_STATE_ERROR_CODES}. */
export type ClientStateErrorCode = (typeof CLIENT_STATE_ERROR_CODES)[number];

/** A failure of the local SQLite state, with a code from a closed set and the original cause. */
export class ClientStateError extends EngineError<ClientStateErrorCode> {
  override readonly name = 'ClientStateError';

  constructor(code: ClientStateErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
