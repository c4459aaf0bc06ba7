/**
 * The one error type of the remote client, an EngineError. Its codes are the wire codes of
 * protocol/errors.ts (what the server answered) plus the transport's own (what went wrong on the
 * way). Callers branch on `code` or `isRetryable`, never on the message.
 */
import { EngineError } from '../errors.js';
import {
  WIRE_ERROR_STATUS,
  type BlockDecodeErrorCode,
  type BlockId,
  type NamespaceId,
  type Rev,
  type WireErrorCode,
} from '../protocol/index.js';

/** What can fail between the client and the server before a wire error code exists. */
export const TRANSPORT_ERROR_CODES = [
  /** No connection, or it broke: refused, reset, DNS failure, a body cut short. Offline. */
  'network_error',
  /** Connecting, waiting for the answer, or a stalled transfer took longer than allowed. */
  'timeout',
  /** The TLS handshake failed (untrusted or invalid certificate). */
  'tls_error',
  /** The caller's AbortSignal fired; nothing more is known about the request's effect. */
  'aborted',
  /**
   * The server answered something outside the protocol: bad JSON, a body of the wrong shape, a
   * status the endpoint never gives, a body over the size limit. Never acted upon.
   */
  'invalid_response',
  /** The upload's own body source (a file being read) failed; `cause` holds its error. */
  'upload_source_failed',
] as const;

export type TransportErrorCode = (typeof TRANSPORT_ERROR_CODES)[number];

/** Every code a RemoteError can carry. */
export type RemoteErrorCode = WireErrorCode | TransportErrorCode;

/** Every RemoteError code, wire codes first. */
export const REMOTE_ERROR_CODES: readonly RemoteErrorCode[] = [
  ...(Object.keys(WIRE_ERROR_STATUS) as WireErrorCode[]),
  ...TRANSPORT_ERROR_CODES,
];

/**
 * Codes after which the same request may succeed later, unchanged: the loop retries them with
 * `retryDelayMs`. `namespace_changed` is here because "send it again" is the documented answer
 * for every request but a commit (which returns it as a result instead). Everything else needs
 * a different request, a different state, or the user.
 */
const RETRYABLE_CODES: ReadonlySet<RemoteErrorCode> = new Set<RemoteErrorCode>([
  'network_error',
  'timeout',
  'tls_error',
  'rate_limited',
  'internal_error',
  'unavailable',
  'namespace_changed',
]);

/** True when a request that failed with `code` may be sent again as it was. */
export function isRetryableCode(code: RemoteErrorCode): boolean {
  return RETRYABLE_CODES.has(code);
}

export interface RemoteErrorOptions {
  readonly cause?: unknown;
  /** The HTTP status, when the server answered. */
  readonly status?: number;
  readonly retryAfterMs?: number;
  /** The server's own message, cleaned of control characters and shortened. */
  readonly serverMessage?: string;
  readonly currentRev?: Rev | null;
  readonly missing?: readonly BlockId[];
  readonly namespace?: NamespaceId;
  readonly reason?: BlockDecodeErrorCode;
}

/**
 * A failed request: the wire code the server answered (with its documented extra fields) or a
 * transport code. `message` says what was being done (`commit /a.txt: …`); it never holds a
 * token, a key or file contents.
 */
export class RemoteError extends EngineError<RemoteErrorCode> {
  override readonly name = 'RemoteError';
  /** The HTTP status when the server answered, else undefined. */
  readonly status: number | undefined;
  /** True when the same request may succeed later (see `isRetryableCode`). */
  readonly isRetryable: boolean;
  readonly serverMessage: string | undefined;
  /** `rev_conflict`: the path's current revision (null when a folder is there). */
  readonly currentRev: Rev | null | undefined;
  /** `missing_blocks`: the blocks to upload first. */
  readonly missing: readonly BlockId[] | undefined;
  /** `namespace_changed`: the namespace the path is in now. */
  readonly namespace: NamespaceId | undefined;
  /** `invalid_block`: why the server refused the block. */
  readonly reason: BlockDecodeErrorCode | undefined;

  constructor(code: RemoteErrorCode, message: string, options: RemoteErrorOptions = {}) {
    super(code, message, { cause: options.cause, retryAfterMs: options.retryAfterMs });
    this.status = options.status;
    this.isRetryable = isRetryableCode(code);
    this.serverMessage = options.serverMessage;
    this.currentRev = options.currentRev;
    this.missing = options.missing;
    this.namespace = options.namespace;
    this.reason = options.reason;
  }
}
