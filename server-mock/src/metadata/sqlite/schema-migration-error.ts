/**
 * Why the server database could not be brought to this server's schema. A ServerError (the
 * server has one error class), answered as `unavailable` should it ever reach a client; the
 * `reason` tells the two cases apart without reading the message.
 */
import { ServerError } from '../../errors.js';

/** The two ways a schema upgrade fails. */
export type SchemaMigrationFailure = 'schema_too_new' | 'migration_failed';

/** Thrown by applyMigrations; the store cannot open. */
export class SchemaMigrationError extends ServerError {
  override readonly name = 'SchemaMigrationError';

  constructor(
    readonly reason: SchemaMigrationFailure,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super('unavailable', message, options);
  }
}
