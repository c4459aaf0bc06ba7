/**
 * The engine's base error: every failure the engine throws on purpose is an EngineError whose
 * `code` comes from a closed union, so callers branch on `code` or `instanceof`, never on message
 * text (STYLE.md section 5). Messages never carry file contents, keys or tokens.
 *
 * It imports nothing: each subsystem declares its own code set and subclass (BlockDecodeError,
 * ClientStateError), and the public entry names the union of them (`EngineErrorCode`).
 */

export interface EngineErrorOptions {
  readonly cause?: unknown;
  /** When a retry is expected to succeed later: how long to wait first. */
  readonly retryAfterMs?: number;
}

/** A failure with a code from a closed set, a human message, a cause and a retry hint. */
export class EngineError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly retryAfterMs: number | undefined;

  constructor(code: Code, message: string, options: EngineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
  }
}
