/**
 * Wire error codes and their HTTP statuses, declared once (STYLE.md section 5). The server maps
 * a code to its status with `httpStatusOf`; the client maps a response back to a code with
 * `wireErrorCodeOf`. Every error body on the wire is `{"error": {"code", "message"}}`.
 */

/** Every wire error code, with the HTTP status the server answers it with. */
export const WIRE_ERROR_STATUS = {
  /** The request is malformed: schema validation failed, a bad query value, bad JSON. */
  invalid_request: 400,
  /** A path broke the path rules (see paths.ts). */
  invalid_path: 400,
  /** A cursor string could not be decoded. */
  invalid_cursor: 400,
  /** An uploaded block failed verification (decryption, decompression or hash). */
  invalid_block: 400,
  /** An upload's bytes did not match its declared length or Content-Range. */
  invalid_upload: 400,
  /** Missing, unknown or revoked bearer token. */
  unauthorized: 401,
  /** Wrong email or password at login. */
  invalid_credentials: 401,
  /** Authenticated, but not allowed (another user's namespace, a viewer writing). */
  forbidden: 403,
  /** No such route, file, revision, share or upload session. */
  not_found: 404,
  /**
   * A block download batch names a block the namespace does not hold; nothing was sent. Body has
   * `missing`: the first such block.
   */
  block_not_found: 404,
  /**
   * A commit's parentRev is not the current revision (first writer wins), or a delete's `rev` is
   * not the file's current one. Body has currentRev.
   */
  rev_conflict: 409,
  /** The target of mkdir/move/commit is taken by an entry of the other kind, or a parent is a file. */
  path_conflict: 409,
  /** Registration with an email that already has an account. */
  email_taken: 409,
  /** The folder is already shared with that user (PATCH the share to change the role). */
  already_shared: 409,
  /**
   * The path moved to another namespace while the request ran (a folder above it was shared, or
   * a share's mount point moved); nothing was changed. Body has `namespace`, where the path is
   * now: a commit uploads its blocks there (encrypted with that namespace's key) and commits
   * again; any other request is simply sent again.
   */
  namespace_changed: 409,
  /**
   * A delete with `unchangedSince`: something at or under the path was journaled after that
   * cursor (an edit, a new file, a move in or out); nothing was deleted.
   */
  path_changed: 409,
  /** The cursor is older than the journal's retention: do a full listing. */
  cursor_expired: 410,
  /** The resumable upload session expired. */
  upload_expired: 410,
  /** A commit names blocks the server does not hold. Body has `missing`. */
  missing_blocks: 412,
  /** The body exceeds the limit of this endpoint. */
  payload_too_large: 413,
  /** The Content-Type is not accepted by this endpoint. */
  unsupported_media_type: 415,
  /** A Range header cannot be satisfied for this file. */
  range_not_satisfiable: 416,
  /** Too many attempts; retry after the Retry-After header. */
  rate_limited: 429,
  /** Unexpected server failure. */
  internal_error: 500,
  /** The server is shutting down or a store is unavailable; retry later. */
  unavailable: 503,
  /** The write would take the namespace owner over their storage quota. */
  quota_exceeded: 507,
} as const;

/**
 * Why an encoded block was rejected. Wire-visible (the server answers an upload with it), so the
 * set is closed and snake_case.
 * - `block_format_invalid`: too short, wrong magic, unknown flag bits or compression codec, or a
 *   length that does not fit the header.
 * - `block_version_unsupported`: a format version this build does not know.
 * - `block_auth_failed`: AES-GCM authentication failed: wrong key, wrong expected id (the id is
 *   authenticated data), or any modified byte.
 * - `block_decompress_failed`: the authenticated payload is not valid DEFLATE or Brotli (as the
 *   flags say) of the stated length.
 * - `block_hash_mismatch`: the plaintext does not hash to the expected id (an encoder holding the
 *   key labelled the block with someone else's id).
 * - `block_too_large`: the encoded block or its stated plaintext length exceeds the maximum.
 */
export const BLOCK_DECODE_ERROR_CODES = [
  'block_format_invalid',
  'block_version_unsupported',
  'block_auth_failed',
  'block_decompress_failed',
  'block_hash_mismatch',
  'block_too_large',
] as const;

/** One of {@link BLOCK_DECODE_ERROR_CODES}. */
export type BlockDecodeErrorCode = (typeof BLOCK_DECODE_ERROR_CODES)[number];

/** A wire error code (snake_case). */
export type WireErrorCode = keyof typeof WIRE_ERROR_STATUS;

/** The body of every error response. Extra fields appear only where documented per code. */
export interface WireErrorBody {
  readonly error: {
    readonly code: WireErrorCode;
    readonly message: string;
    /** `rev_conflict`: the current revision of the path (null when the path is a folder). */
    readonly currentRev?: string | null;
    /** `missing_blocks`: the block ids the server lacks; `block_not_found`: the first one. */
    readonly missing?: readonly string[];
    /** `invalid_block`: why the block failed verification. */
    readonly reason?: BlockDecodeErrorCode;
    /** `namespace_changed`: the namespace the path is in now. */
    readonly namespace?: string;
  };
}

/** True when `value` is one of the wire error codes. */
export function isWireErrorCode(value: unknown): value is WireErrorCode {
  return typeof value === 'string' && Object.hasOwn(WIRE_ERROR_STATUS, value);
}

/** The HTTP status the server answers `code` with. */
export function httpStatusOf(code: WireErrorCode): number {
  return WIRE_ERROR_STATUS[code];
}

/** The fallback code for a status when a response body carries no known code. */
const FALLBACK_BY_STATUS: Readonly<Record<number, WireErrorCode>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'rev_conflict',
  410: 'cursor_expired',
  412: 'missing_blocks',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  416: 'range_not_satisfiable',
  429: 'rate_limited',
  503: 'unavailable',
  507: 'quota_exceeded',
};

/**
 * The wire error code of a failed response: the body's code when it is a known one, otherwise
 * a code chosen by status (5xx without a known code → `internal_error`, or `unavailable` for 503).
 */
export function wireErrorCodeOf(status: number, body: unknown): WireErrorCode {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (typeof error === 'object' && error !== null && 'code' in error) {
      const code = (error as { code: unknown }).code;
      if (isWireErrorCode(code)) return code;
    }
  }
  return FALLBACK_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
}
