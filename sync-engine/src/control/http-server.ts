/**
 * The control API over HTTP on 127.0.0.1 (issue 9, "Control API"): the routes of
 * CONTROL_ROUTES, each behind a bearer token, for the CLI, the desktop app and the browser UI.
 * Answers are the method's JSON value (200) or `{"error": {"code", "message"}}` with the status
 * the contract declares for the code.
 *
 * On Fastify, as the server is: its body limit, content-type matching, prototype-poisoning-safe
 * JSON parser, routing and connection handling at close are tested code we need not rewrite.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  CONTROL_ERROR_STATUS,
  CONTROL_ROUTES,
  ControlError,
  MAX_CONTROL_BODY_BYTES,
  type ControlErrorBody,
  type ControlMethod,
  type EngineControl,
} from './contract.js';
import { createControlHandlers } from './control-handlers.js';
import { TICKET_PATTERN } from './download-tickets.js';
import type { QueryFields } from './request-validation.js';
import { loadUiFiles, UI_CONTENT_SECURITY_POLICY, type UiFiles } from './static-ui.js';

/** Options of {@link startControlServer}. */
export interface ControlServerOptions {
  readonly control: EngineControl;
  /** TCP port; 0 picks a free one (read it from `url`). */
  readonly port: number;
  /** Only loopback is ever bound: the API has no TLS and one token for everything. */
  readonly host?: '127.0.0.1';
  /**
   * The access token; by default 32 random bytes, base64url. A given one must be 16 … 512
   * URL-safe characters (`A-Z a-z 0-9 . _ ~ -`), so it fits a `#token=` fragment unescaped.
   */
  readonly token?: string;
  /** Told about each unexpected failure (answered as `internal_error`); log it there, once. */
  readonly onUnexpectedError?: (error: unknown) => void;
  /**
   * The browser UI's built files (dist/ui/), served at `/` without the token: a browser cannot
   * send a header when it opens a link, so the page reads the token from its `#token=`
   * fragment (never sent to any server) and sends it with each API call.
   */
  readonly uiDir?: string;
  /**
   * Serves `GET /api/downloads/<ticket>` (without the token: the ticket is the key) from what
   * it resolves; undefined answers 404. The engine's `openZipDownload`.
   */
  readonly openDownload?: (
    ticket: string,
    signal: AbortSignal,
  ) => Promise<{ readonly fileName: string; readonly body: AsyncIterable<Uint8Array> } | undefined>;
}

/** A running control server. */
export interface ControlServer {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  readonly url: string;
  readonly token: string;
  /** Ends pending long-polls (503 `engine_stopped`) and stops listening; idempotent. */
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';
const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{16,512}$/;
const BEARER_PATTERN = /^Bearer +([^\s]+) *$/i;

/**
 * Starts the control API on 127.0.0.1:`port` over `control`.
 *
 * @example
 * const server = await startControlServer({ control: engine, port: 0 });
 * console.log(`${server.url}/#token=${server.token}`);
 * await server.close();
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { control, port, onUnexpectedError } = options;
  if ((options.host ?? LOOPBACK) !== LOOPBACK) {
    throw new ControlError('invalid_request', 'the control API listens on 127.0.0.1 only');
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ControlError(
      'invalid_request',
      `port must be an integer from 0 to 65535, got ${port}`,
    );
  }
  if (options.token !== undefined && !TOKEN_PATTERN.test(options.token)) {
    throw new ControlError('invalid_request', 'token must be 16 to 512 URL-safe characters');
  }
  const token = options.token ?? randomBytes(32).toString('base64url');
  const uiFiles = options.uiDir === undefined ? undefined : await loadUiFiles(options.uiDir);
  const isTokenValid = createTokenCheck(token);
  const state = {
    port: 0,
    openRequests: new Set<AbortController>(),
    shutdown: new AbortController(),
  };

  const app = Fastify({
    logger: false,
    bodyLimit: MAX_CONTROL_BODY_BYTES,
    // A HEAD beside every GET would run the handler (a long-poll) for nothing.
    exposeHeadRoutes: false,
    // Node would answer a request without Host itself, with an empty 400; the Host check below
    // refuses it with a JSON error like every other bad request.
    http: { requireHostHeader: false },
    routerOptions: { querystringParser: parseQueryString },
    clientErrorHandler: answerClientError,
  }) as unknown as FastifyInstance;
  installJsonOnly(app);
  installErrorHandling(app, onUnexpectedError);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    // DNS-rebinding defence: a web page can make the browser resolve its own host name to
    // 127.0.0.1 and talk to this port as "same origin". The browser still sends that page's
    // host name in Host, so only the names that really mean this machine are accepted.
    // One Host only: a proxy and this server could each read another of several.
    const hosts = request.raw.headersDistinct.host ?? [];
    const host = hosts.length === 1 ? hosts[0]?.toLowerCase() : undefined;
    if (host !== `${LOOPBACK}:${state.port}` && host !== `localhost:${state.port}`) {
      throw new ControlError(
        'invalid_request',
        `Host must be ${LOOPBACK}:${state.port} or localhost:${state.port}`,
      );
    }
    // Another page's script may send requests here (no CORS answer lets it read them, but a
    // POST would still act): only this origin's own page is served.
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) {
      throw new ControlError(
        'forbidden_origin',
        `requests from ${origin.slice(0, 100)} are refused`,
      );
    }
    if (request.routeOptions.config.isUiFile === true) return;
    if (request.routeOptions.config.isTicket === true) return;
    // Checked before the body is read, so an unauthenticated request costs nothing.
    if (!isTokenValid(request.raw.headersDistinct.authorization)) {
      throw new ControlError(
        'unauthorized',
        'missing or wrong access token (Authorization: Bearer …)',
      );
    }
  });
  // Once shutdown began, close each connection after its answer so close() need not wait for
  // keep-alive sockets to time out.
  app.addHook('onResponse', async (request) => {
    if (state.shutdown.signal.aborted) request.raw.socket.end();
  });

  const handlers = createControlHandlers(control);
  for (const method of Object.keys(CONTROL_ROUTES) as ControlMethod[]) {
    const route = CONTROL_ROUTES[method];
    app.route({
      method: route.method,
      url: route.path,
      config: { takesFile: route.input === 'file' },
      // The import streams to disk; other bodies keep the JSON limit.
      ...(route.input === 'file' ? { bodyLimit: Number.MAX_SAFE_INTEGER } : {}),
      handler: async (request, reply) => {
        // Ends the wait (a long-poll) when the client goes away or the server shuts down.
        const done = new AbortController();
        const onClose = (): void => done.abort();
        reply.raw.once('close', onClose);
        state.openRequests.add(done);
        if (state.shutdown.signal.aborted) done.abort();
        try {
          const value = await handlers[method]({
            query: request.query as QueryFields,
            body: request.body,
            signal: done.signal,
          });
          return reply.code(200).type('application/json').send(JSON.stringify(value));
        } finally {
          reply.raw.off('close', onClose);
          state.openRequests.delete(done);
        }
      },
    });
  }

  if (uiFiles !== undefined) installUiRoutes(app, uiFiles);
  if (options.openDownload !== undefined) installDownloadRoute(app, options.openDownload, state);

  try {
    await app.listen({ host: LOOPBACK, port });
  } catch (error) {
    await app.close();
    throw error;
  }
  state.port = (app.server.address() as { port: number }).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${LOOPBACK}:${state.port}`,
    token,
    close: () => {
      closing ??= (async () => {
        state.shutdown.abort();
        for (const poll of state.openRequests) poll.abort();
        await app.close();
      })();
      return closing;
    },
  };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A file of the browser UI: answered without the token. */
    isUiFile?: boolean;
    /** A route whose body is a file's bytes (input `file`). */
    takesFile?: boolean;
    /** A one-time download: its ticket is the key, not the token. */
    isTicket?: boolean;
  }
}

/** GET /api/downloads/:ticket, streaming what the ticket names. */
function installDownloadRoute(
  app: FastifyInstance,
  openDownload: NonNullable<ControlServerOptions['openDownload']>,
  state: { shutdown: AbortController },
): void {
  app.get<{ Params: { ticket: string } }>(
    '/api/downloads/:ticket',
    { config: { isTicket: true } },
    async (request, reply) => {
      const { ticket } = request.params;
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      const download = TICKET_PATTERN.test(ticket)
        ? await openDownload(ticket, AbortSignal.any([gone.signal, state.shutdown.signal]))
        : undefined;
      if (download === undefined) {
        throw new ControlError('path_not_found', 'this download link is unknown, used or expired');
      }
      const ascii = download.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
      return reply
        .code(200)
        .type('application/zip')
        .header(
          'content-disposition',
          `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(download.fileName)}`,
        )
        .header('x-content-type-options', 'nosniff')
        .send(Readable.from(download.body));
    },
  );
}

/** GET routes for the UI's files, with headers that keep the page to itself. */
function installUiRoutes(app: FastifyInstance, files: UiFiles): void {
  for (const [path, file] of files) {
    app.get(path, { config: { isUiFile: true } }, async (_request, reply) =>
      reply
        .code(200)
        .header('content-security-policy', UI_CONTENT_SECURITY_POLICY)
        .header('x-content-type-options', 'nosniff')
        .header('x-frame-options', 'DENY')
        .header('referrer-policy', 'no-referrer')
        .header('cross-origin-opener-policy', 'same-origin')
        .header('cross-origin-resource-policy', 'same-origin')
        .type(file.contentType)
        .send(file.body),
    );
  }
}

/**
 * A check of `Authorization` header values against `token`: exactly one header, `Bearer`
 * scheme, equal token. Compares SHA-256 digests in constant time, so neither the token's
 * content nor its length leaks through timing.
 */
function createTokenCheck(token: string): (headers: readonly string[] | undefined) => boolean {
  const expected = createHash('sha256').update(token).digest();
  return (headers) => {
    if (headers?.length !== 1) return false;
    const given = BEARER_PATTERN.exec(headers[0] ?? '')?.[1];
    if (given === undefined) return false;
    return timingSafeEqual(createHash('sha256').update(given).digest(), expected);
  };
}

/**
 * Query strings through WHATWG URLSearchParams (bad percent-encoding becomes U+FFFD, which the
 * path rules refuse); a repeated parameter becomes an array, which validation refuses.
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
 * Bodies are JSON only (any other Content-Type is refused). An empty body with a JSON
 * Content-Type is no body, as browsers' `fetch` send it for argument-less POSTs.
 */
function installJsonOnly(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  // A file's bytes, for the import route only: handed on as the request stream, never buffered.
  app.addContentTypeParser('application/octet-stream', (request, payload, done) => {
    if (request.routeOptions.config.takesFile === true) done(null, payload);
    else done(new ControlError('invalid_request', 'Content-Type must be application/json'));
  });
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.length === 0) done(null, undefined);
    else parseJson(request, text, done);
  });
}

/** The ControlError for anything thrown while answering a request. */
function toControlError(error: unknown): ControlError | undefined {
  if (error instanceof ControlError) return error;
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ControlError('invalid_request', `body exceeds ${MAX_CONTROL_BODY_BYTES} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ControlError(
        'invalid_request',
        'Content-Type must be application/json (application/octet-stream for /api/import)',
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ControlError('invalid_request', 'body is not valid JSON');
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return new ControlError('invalid_request', fastifyError.message ?? 'invalid request');
  }
  return undefined;
}

/** The single error handler and the not-found handler. */
function installErrorHandling(
  app: FastifyInstance,
  onUnexpectedError: ((error: unknown) => void) | undefined,
): void {
  app.setErrorHandler((error, request, reply) => {
    let controlError = toControlError(error);
    if (controlError === undefined || controlError.code === 'internal_error') {
      onUnexpectedError?.(error);
      // Never the message or stack of an unexpected error: they may name internals.
      controlError = new ControlError('internal_error', 'internal error in the engine');
    }
    // Refused before its body was read (401, a bad Host): the rest is still on the wire, so
    // the connection cannot carry another request.
    if (!request.raw.complete) reply.header('connection', 'close');
    return sendError(reply, controlError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new ControlError('not_found', `no route ${request.method} ${pathOf(request)}`),
    ),
  );
}

function pathOf(request: FastifyRequest): string {
  return (request.url.split('?')[0] ?? '').slice(0, 200);
}

function sendError(reply: FastifyReply, error: ControlError): FastifyReply {
  const body: ControlErrorBody = { error: { code: error.code, message: error.message } };
  return reply
    .code(CONTROL_ERROR_STATUS[error.code])
    .type('application/json')
    .send(JSON.stringify(body));
}

/** Requests Node's HTTP parser rejects get a JSON error too, not Node's bare 400. */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const body = JSON.stringify({
    error: {
      code: 'invalid_request',
      message: `malformed HTTP request (${error.code ?? 'parse error'})`,
    },
  });
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
