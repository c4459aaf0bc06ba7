/**
 * The one place errors become HTTP responses: `{"error": {"code", "message"}}` with the status
 * declared for the code in protocol/errors.ts. Covers our ServerErrors, Fastify's own errors
 * (schema validation, content type, body limit, bad JSON) and unknown routes. Unexpected errors
 * are logged once, here, and answered as `internal_error` without their details.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { httpStatusOf, type WireErrorBody, type WireErrorCode } from 'sync-engine/protocol';
import { ServerError } from '../errors.js';
import { RequestAbandonedError } from '../request-signal.js';
import { StoreUnavailableError } from '../store-unavailable.js';

/** Retry-After of a 503 for a store that cannot be reached (a restart takes seconds). */
const STORE_RETRY_AFTER_MS = 5000;

/** Wire code for one of Fastify's own client errors, chosen by its status. */
function codeForFastifyStatus(status: number): WireErrorCode | undefined {
  switch (status) {
    case 400:
      return 'invalid_request';
    case 404:
      return 'not_found';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 416:
      return 'range_not_satisfiable';
    case 503:
      return 'unavailable';
    default:
      return status >= 400 && status < 500 ? 'invalid_request' : undefined;
  }
}

/** The `error` object of a wire error body: code, message and the code's extra fields. */
export function wireErrorOf(error: ServerError): WireErrorBody['error'] {
  return { code: error.code, message: error.message, ...(error.details ?? {}) };
}

/** Sends a wire error body with its status (and Retry-After when set). */
export function sendWireError(reply: FastifyReply, error: ServerError): FastifyReply {
  const body: WireErrorBody = { error: wireErrorOf(error) };
  if (error.retryAfterMs !== undefined) {
    reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
  }
  return reply.code(httpStatusOf(error.code)).type('application/json').send(body);
}

/** Turns anything thrown into a ServerError (logging the unexpected ones). */
export function toServerError(error: unknown, request: FastifyRequest): ServerError {
  if (error instanceof ServerError) {
    if (error.code === 'internal_error') request.log.error({ err: error }, error.message);
    return error;
  }
  if (error instanceof RequestAbandonedError) {
    // Nobody reads this answer: the client left (request-signal.ts).
    request.log.info(error.message);
    return new ServerError('unavailable', error.message, { cause: error });
  }
  if (error instanceof StoreUnavailableError) {
    request.log.warn({ err: error }, error.message);
    return new ServerError(
      'unavailable',
      `the server's ${error.store} storage cannot be reached; try again shortly`,
      { cause: error, retryAfterMs: STORE_RETRY_AFTER_MS },
    );
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    return new ServerError('invalid_request', fastifyError.message ?? 'invalid request', {
      cause: error,
    });
  }
  const status = fastifyError.statusCode;
  const code = status === undefined ? undefined : codeForFastifyStatus(status);
  if (code !== undefined) {
    return new ServerError(code, fastifyError.message ?? code, { cause: error });
  }
  request.log.error({ err: error }, 'unexpected error');
  return new ServerError('internal_error', 'internal server error', { cause: error });
}

/** Installs the error and not-found handlers on `app` (before any route is registered). */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const serverError = toServerError(error, request);
    if (reply.sent || reply.raw.headersSent) {
      // A streaming response failed midway: the status is gone; cut the connection so the
      // client sees a truncated body rather than a silently short file.
      request.log.warn({ err: error }, 'error after the response started');
      reply.raw.destroy(serverError);
      return;
    }
    // Refused before its body was read to the end (an upload over quota or no longer allowed
    // midway): the rest of the body is still on the wire, so the connection cannot carry
    // another request. Say so, and Node closes it after this answer (RFC 9112 §9.6).
    if (!request.raw.complete) reply.header('connection', 'close');
    return sendWireError(reply, serverError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendWireError(
      reply,
      new ServerError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
