/**
 * Builds the Fastify application: logging, the OpenAPI generator, the single error handler,
 * replies held until their writes are durable, request metrics, and every route module
 * (authenticated ones behind the bearer-token hook).
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { MAX_CURSOR_LENGTH } from '../journal/user-cursor.js';
import type { ServerContext } from '../server-context.js';
import { registerAccountRoutes } from './account-routes.js';
import { createAuthenticate } from './authenticate.js';
import { installDurableReplies } from './durable-replies.js';
import { registerAuthRoutes } from './auth-routes.js';
import { installErrorHandling } from './error-handler.js';
import { installRequestSignals } from './request-signals.js';
import { registerOperationsRoutes } from './operations-routes.js';

/**
 * Query strings through WHATWG URLSearchParams: invalid percent-encoded UTF-8 becomes U+FFFD,
 * which the path rules refuse (the default parser passed `%FF` through literally). A repeated
 * parameter becomes an array, which every schema refuses.
 */
function parseQueryString(text: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const previous = result[key];
    if (previous === undefined) result[key] = value;
    else result[key] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return result;
}

/**
 * Longest request line plus headers Node's parser accepts, in bytes. Node's default (16 KiB)
 * is below MAX_CURSOR_LENGTH: a user with many shares holds a cursor the server itself issued
 * yet could not send back in `GET /changes?cursor=…`. The limit leaves 16 KiB for the rest of
 * the request line and the headers.
 */
export const MAX_REQUEST_HEAD_BYTES = MAX_CURSOR_LENGTH + 16 * 1024;

/**
 * Requests Node's HTTP parser rejects (bad bytes in the request line, a head over
 * MAX_REQUEST_HEAD_BYTES, …) get a wire error too, not Node's bare 400/431. The wire protocol has
 * no code of its own for 431 (codes and statuses are declared once, in protocol/errors.ts): an
 * oversized head is an invalid request.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const message =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? `request line and headers exceed ${MAX_REQUEST_HEAD_BYTES} bytes`
      : `malformed HTTP request (${error.code ?? 'parse error'})`;
  const body = JSON.stringify({ error: { code: 'invalid_request', message } });
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** JSON bodies are small (block lists of huge files are the largest); blocks have their own limit. */
const JSON_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/** Route modules behind authentication, each registered in its own encapsulated scope. */
export type RouteModule = (app: FastifyInstance, ctx: ServerContext) => Promise<void>;

export async function buildApp(
  ctx: ServerContext,
  authenticatedModules: readonly RouteModule[],
): Promise<FastifyInstance> {
  const { config } = ctx;
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : { level: config.logLevel, redact: ['req.headers.authorization'] },
    ...(config.tls
      ? {
          https: {
            cert: readFileSync(config.tls.certFile),
            key: readFileSync(config.tls.keyFile),
            maxHeaderSize: MAX_REQUEST_HEAD_BYTES,
          },
        }
      : { http: { maxHeaderSize: MAX_REQUEST_HEAD_BYTES } }),
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    // Keep-alive sockets with no request in flight are closed at shutdown; busy ones finish.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Unknown fields are refused (400), not silently dropped; `coerceTypes: true` turns query
    // strings into numbers and booleans but never an array into a scalar (Fastify's default
    // 'array' would accept {"path": ["/a"]} as "/a").
    ajv: { customOptions: { removeAdditional: false, allErrors: false, coerceTypes: true } },
    routerOptions: { querystringParser: parseQueryString },
    clientErrorHandler: answerClientError,
  }) as unknown as FastifyInstance;

  await app.register(swagger, {
    openapi: {
      info: { title: 'Ferry API', version: '1', description: 'See docs/protocol.md' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  installErrorHandling(app);
  installRequestSignals(app);
  installDurableReplies(app, ctx);
  ctx.metrics.countConnectionBytes(app.server);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpRequests.inc({ method: request.method, route, status: reply.statusCode });
    ctx.metrics.httpDuration.observe({ route }, reply.elapsedTime / 1000);
    // `forceCloseConnections: 'idle'` only closes sockets idle when shutdown begins; one that was
    // busy then would stay open until its keep-alive timeout (72 s) and hold close() up. End it
    // as soon as its response is out.
    if (ctx.shutdownSignal.aborted) request.raw.socket.end();
  });

  await registerOperationsRoutes(app, ctx);
  await registerAuthRoutes(app, ctx);
  const authenticate = createAuthenticate(ctx);
  await app.register(async (scope) => {
    // onRequest: refuse unauthenticated calls before their body is read.
    scope.addHook('onRequest', authenticate);
    await registerAccountRoutes(scope, ctx);
    for (const module of authenticatedModules) {
      await scope.register(async (inner) => module(inner, ctx));
    }
  });
  return app;
}
