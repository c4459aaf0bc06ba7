import { ClientStateError, type ClientStateErrorCode } from './client-state-error.js';

/** The parts of better-sqlite3's `SqliteError` this module reads. */
interface SqliteErrorLike {
  code: string;
  message: string;
}

function isSqliteError(error: unknown): error is SqliteErrorLike {
  return (
    error instanceof Error &&
    error.name === 'SqliteError' &&
    typeof (error as Partial<SqliteErrorLike>).code === 'string'
  );
}

/**
 * Runs `write` and turns SQLite constraint failures into {@link ClientStateError}s that say what
 * was being done (`action`, e.g. "put local item /docs/a.txt"), keeping the SQLite error as cause.
 * A UNIQUE failure gets `uniqueCode`: only the caller knows which unique key the statement can
 * hit (a tree's path, an item's id). Other errors pass through untouched: they are not the
 * caller's fault and must not be disguised.
 */
export function translateConstraintErrors<T>(
  action: string,
  write: () => T,
  uniqueCode: ClientStateErrorCode = 'state_constraint_violated',
): T {
  try {
    return write();
  } catch (error) {
    if (!isSqliteError(error) || !error.code.startsWith('SQLITE_CONSTRAINT')) throw error;
    switch (error.code) {
      case 'SQLITE_CONSTRAINT_UNIQUE':
        throw new ClientStateError(uniqueCode, `${action}: ${error.message}`, { cause: error });
      case 'SQLITE_CONSTRAINT_FOREIGNKEY':
        throw new ClientStateError(
          'state_unknown_item',
          `${action}: unknown item, or its kind differs`,
          { cause: error },
        );
      case 'SQLITE_CONSTRAINT_TRIGGER':
        throw new ClientStateError('state_invalid_block_list', `${action}: ${error.message}`, {
          cause: error,
        });
      default:
        throw new ClientStateError('state_constraint_violated', `${action}: ${error.message}`, {
          cause: error,
        });
    }
  }
}
