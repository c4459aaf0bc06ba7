/**
 * The one place where a failed request becomes a RemoteError (STYLE.md section 5): an error
 * response (status, `Retry-After`, body) through the protocol's `wireErrorCodeOf`, and a
 * transport failure (got's errors, the caller's abort) through its error code. Pure: no I/O; the
 * current time comes in as a number.
 */
import {
  WIRE_ERROR_STATUS,
  isBlockId,
  wireErrorCodeOf,
  type BlockDecodeErrorCode,
  type BlockId,
  type NamespaceId,
  type Rev,
  type WireErrorCode,
} from '../protocol/index.js';
import { findShapeProblem } from './check-shape.js';
import { RemoteError, type RemoteErrorCode } from './remote-error.js';
import { errorSchema } from './response-schemas.js';

/** A server's message is shown to users: at most this many characters of it are kept. */
const MAX_SERVER_MESSAGE_CHARS = 500;
/** A Retry-After further away than this is taken as this (a broken server must not park us). */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** An error response as the transport received it. */
export interface ErrorResponse {
  readonly status: number;
  /** Header values as Node gives them (lowercase names). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body, or undefined when it was not JSON. */
  readonly body: unknown;
}

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]+/g;

/** Removes control characters (a terminal escape from a hostile server) and shortens. */
function cleanMessage(raw: string): string {
  const clean = raw.replace(CONTROL_CHARACTERS, ' ').replace(/ {2,}/g, ' ').trim();
  return clean.length > MAX_SERVER_MESSAGE_CHARS
    ? `${clean.slice(0, MAX_SERVER_MESSAGE_CHARS)}…`
    : clean;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `Retry-After` in milliseconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3),
 * clamped to [0, MAX_RETRY_AFTER_MS]. Undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // An HTTP date opens with a day name (IMF-fixdate, RFC 850, asctime); Date.parse alone
    // would also take "-1" or "1.5" for dates.
    if (!/^[A-Za-z]{3,9},? /.test(text)) return undefined;
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    ms = date - nowMs;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

interface Details {
  readonly currentRev?: Rev | null;
  readonly missing?: readonly BlockId[];
  readonly namespace?: NamespaceId;
  readonly reason?: BlockDecodeErrorCode;
}

/**
 * The documented extra field of `code`, or a problem when the field the engine will act on is
 * absent or malformed (a 409 from a proxy, say). `reason` is informative only, never required.
 */
function detailsOf(code: WireErrorCode, fields: Record<string, unknown>): Details | string {
  switch (code) {
    case 'rev_conflict': {
      const rev = fields.currentRev;
      if (rev === null || (typeof rev === 'string' && rev.length > 0 && rev.length <= 64)) {
        return { currentRev: rev as Rev | null };
      }
      return 'rev_conflict without a valid currentRev';
    }
    case 'missing_blocks': {
      const missing = fields.missing;
      if (Array.isArray(missing) && missing.every((id) => typeof id === 'string' && isBlockId(id)))
        return { missing: missing as BlockId[] };
      return 'missing_blocks without a valid missing list';
    }
    case 'namespace_changed': {
      const namespace = fields.namespace;
      if (typeof namespace === 'string' && namespace.length > 0 && namespace.length <= 64)
        return { namespace: namespace as NamespaceId };
      return 'namespace_changed without a valid namespace';
    }
    case 'invalid_block':
      return typeof fields.reason === 'string'
        ? { reason: fields.reason as BlockDecodeErrorCode }
        : {};
    default:
      return {};
  }
}

/**
 * The RemoteError for an error response of the request described by `what` (`commit /a.txt`).
 * The code is the body's when the body is a well-formed wire error whose code belongs to this
 * status, otherwise the status's fallback; a code whose extra field is missing becomes
 * `invalid_response`, so no caller ever reads `currentRev` or `missing` as undefined.
 */
export function errorFromResponse(
  response: ErrorResponse,
  what: string,
  nowMs: number,
): RemoteError {
  const { status, headers } = response;
  const wellFormed = findShapeProblem(errorSchema, response.body) === undefined;
  const fields = wellFormed ? (response.body as { error: Record<string, unknown> }).error : {};
  let code: RemoteErrorCode = wireErrorCodeOf(status, wellFormed ? response.body : undefined);
  if (WIRE_ERROR_STATUS[code] !== status) {
    // A body code that belongs to another status (a proxy's page, a confused server) is not
    // believed: the status decides, so a 500 never passes for a rev_conflict.
    code = wireErrorCodeOf(status, undefined);
  }
  const serverMessage =
    typeof fields.message === 'string' ? cleanMessage(fields.message) : undefined;
  const retryAfterMs = parseRetryAfterMs(headerValue(headers['retry-after']), nowMs);
  const details = detailsOf(code, fields);
  const base = { status, retryAfterMs, serverMessage };
  if (typeof details === 'string') {
    return new RemoteError('invalid_response', `${what}: HTTP ${status}, ${details}`, base);
  }
  if (status >= 200 && status < 400) {
    // Never an error status: the endpoint answered something it never answers.
    code = 'invalid_response';
  }
  const text = serverMessage ?? `HTTP ${status}`;
  return new RemoteError(code, `${what}: ${text}`, { ...base, ...details });
}

/** An error of the upload's own body source, told apart from a failed socket write. */
export class UploadSourceFailure extends Error {
  override readonly name = 'UploadSourceFailure';
}

/** System and stream codes of a connection that could not be made or broke. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_SOCKET_CLOSED',
  'ERR_READING_RESPONSE_STREAM',
]);

/** Got's error codes for a broken TLS handshake or certificate check. */
const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|^EPROTO$/;

/** What the transport knows when a request failed without an answer. */
export interface TransportFailure {
  readonly what: string;
  /** The caller's signal: when it fired, the failure is an abort, whatever got reports. */
  readonly signal: AbortSignal;
  /** Set when the transport itself stopped the request because the body was too large. */
  readonly tooLargeBytes?: number;
}

/**
 * The RemoteError for a request that got no usable answer. Only got's RequestErrors (and the
 * caller's abort) are mapped; anything else is a bug and is rethrown unchanged by the caller
 * (undefined here), so that it is not disguised as being offline.
 */
export function errorFromTransport(
  error: unknown,
  failure: TransportFailure,
): RemoteError | undefined {
  const { what, signal } = failure;
  if (error instanceof RemoteError) return error;
  if (signal.aborted) {
    return new RemoteError('aborted', `${what}: aborted`, { cause: signal.reason });
  }
  if (failure.tooLargeBytes !== undefined) {
    return new RemoteError(
      'invalid_response',
      `${what}: the response is larger than ${failure.tooLargeBytes} bytes`,
      { cause: error },
    );
  }
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') {
    return undefined;
  }
  const cause = error.cause;
  if (cause instanceof UploadSourceFailure) {
    return new RemoteError('upload_source_failed', `${what}: reading the upload failed`, {
      cause: cause.cause,
    });
  }
  const code = error.code;
  if (error.name === 'TimeoutError' || code === 'ETIMEDOUT') {
    return new RemoteError('timeout', `${what}: ${error.message}`, { cause: error });
  }
  if (TLS_CODE.test(code)) {
    return new RemoteError('tls_error', `${what}: TLS failed (${code})`, { cause: error });
  }
  if (code.startsWith('HPE_')) {
    return new RemoteError('invalid_response', `${what}: malformed HTTP (${code})`, {
      cause: error,
    });
  }
  if (NETWORK_CODES.has(code) || error.name === 'ReadError') {
    return new RemoteError('network_error', `${what}: ${error.message}`, { cause: error });
  }
  return undefined;
}
