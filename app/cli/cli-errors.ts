/**
 * The errors a command throws for runCli to print as `ferry: <message>` with the right exit
 * code: UsageError (2: bad input, found before anything changed) and CommandFailure (1: the
 * command could not do its job). A RemoteError prints its code too: `ferry: <message> (<code>)`.
 */
import { RemoteError } from 'sync-engine';
import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.js';

/** Bad input found after parsing (a missing password, a path outside the folder): exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command that could not do its job for a reason the user can act on: exit 1. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
  /** A snake_case code shown after the message, like a server error's. */
  readonly code: string | undefined;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }
}

/** What runCli prints (without the `ferry: ` prefix) and the exit code, for any thrown value. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof UsageError) return { message: error.message, exitCode: EXIT_USAGE };
  if (error instanceof RemoteError) {
    const wait =
      error.retryAfterMs !== undefined
        ? `; try again in ${Math.ceil(error.retryAfterMs / 1000)} s`
        : '';
    return { message: `${error.message} (${error.code})${wait}`, exitCode: EXIT_FAILURE };
  }
  if (error instanceof CommandFailure && error.code !== undefined) {
    return { message: `${error.message} (${error.code})`, exitCode: EXIT_FAILURE };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message, exitCode: EXIT_FAILURE };
}
