/**
 * The server's one error class. Every failure a client can see is a ServerError whose `code` is
 * a wire code from the protocol; the single HTTP error handler renders it with the status
 * declared in protocol/errors.ts. Messages never carry file contents, keys, tokens or passwords.
 */
import type {
  BlockDecodeErrorCode,
  BlockId,
  NamespaceId,
  Rev,
  WireErrorCode,
} from 'sync-engine/protocol';

/** Extra fields some codes carry in the error body (documented per code in protocol/errors.ts). */
export interface ServerErrorDetails {
  readonly currentRev?: Rev | null;
  readonly missing?: readonly BlockId[];
  readonly namespace?: NamespaceId;
  /** `invalid_block`: why the block failed verification. */
  readonly reason?: BlockDecodeErrorCode;
}

export interface ServerErrorOptions {
  readonly cause?: unknown;
  /** Sent as `Retry-After` (rounded up to seconds) when set. */
  readonly retryAfterMs?: number;
  readonly details?: ServerErrorDetails;
}

/** A failure with a wire code, a human message, and optionally a cause and a retry hint. */
export class ServerError extends Error {
  readonly code: WireErrorCode;
  readonly retryAfterMs: number | undefined;
  readonly details: ServerErrorDetails | undefined;

  constructor(code: WireErrorCode, message: string, options: ServerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServerError';
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }
}

/** Throws in exhaustive switches when a new union member is not handled. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
