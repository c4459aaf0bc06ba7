/**
 * The client's one HTTP stack, on got: keep-alive agents, a timeout for every phase, got's own
 * retries and redirects off (the loop owns backoff; a 308 is a resumable upload's progress, not
 * a redirect), bodies streamed both ways, and every failure turned into a RemoteError by
 * remote-error-mapping.ts. The endpoint modules above it only say what to send and what shape
 * to accept.
 */
import http from 'node:http';
import https from 'node:https';
import got, { type Got, type Headers, type Method } from 'got';
import { findShapeProblem, type Shape } from './check-shape.js';
import { RemoteError } from './remote-error.js';
import {
  UploadSourceFailure,
  errorFromResponse,
  errorFromTransport,
} from './remote-error-mapping.js';

/** How the transport is set up; every field but `baseUrl` has a default. */
export interface TransportOptions {
  /** The server, e.g. `https://ferry.example:8787` (a path prefix is kept). */
  readonly baseUrl: string;
  /** The device's bearer token; without one only register and login work. */
  readonly token?: string;
  /** Connecting (TCP, and TLS on top), ms. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** From the end of the request body to the response head, ms. Default 60 s. */
  readonly responseTimeoutMs?: number;
  /** The same for requests the server may work on for long (a share converts a folder). 10 min. */
  readonly slowResponseTimeoutMs?: number;
  /** A socket that moves no byte either way for this long is given up (a stalled transfer). 60 s. */
  readonly idleTimeoutMs?: number;
  /** Added to a long-poll's own `timeout` for the client's timeout, ms. Default 20 s. */
  readonly longPollGraceMs?: number;
  /** Sockets per origin (uploads in parallel plus one long-poll). Default 32. */
  readonly maxSockets?: number;
  /** Extra trusted certificates (PEM), for a server with a self-signed certificate. */
  readonly certificateAuthority?: string | Buffer | readonly (string | Buffer)[];
  /** The largest JSON answer accepted, bytes (a broken server must not fill memory). 256 MiB. */
  readonly maxJsonResponseBytes?: number;
  /** Epoch ms, for Retry-After dates. Default Date.now. */
  readonly now?: () => number;
}

/** How long the server may take to answer a request. */
export type ResponseTiming = 'normal' | 'slow' | { readonly longPollSeconds: number };

/** One request, relative to the base URL. */
export interface TransportRequest {
  readonly method: Method;
  /** `/files/commit`; ids inside must already be encoded. Ignored when `url` is given. */
  readonly path?: string;
  /** An absolute URL the server handed out (a session URL); see `rebase`. */
  readonly url?: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly json?: unknown;
  readonly body?: Uint8Array | AsyncIterable<Uint8Array>;
  /** A streamed body's exact length: sent as Content-Length and enforced. */
  readonly bodyBytes?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** True for register and login: no Authorization header. */
  readonly isAnonymous?: boolean;
  readonly timing?: ResponseTiming;
  /** The largest body accepted; default maxJsonResponseBytes. */
  readonly maxResponseBytes?: number;
  /** What is being done, for messages: `commit /a.txt`. Never a token or file contents. */
  readonly what: string;
  readonly signal: AbortSignal;
}

/** Any answer the server gave, error statuses included, with its whole body. */
export interface TransportResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Uint8Array;
}

/**
 * A streamed answer: `body` must be read to its end, or ended with `return()`, which releases the
 * connection even when reading never began.
 */
export interface StreamedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: AsyncGenerator<Uint8Array>;
}

const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** A token is base64url (the server's own) or at most token68 (RFC 9110 §11.2). */
const TOKEN_PATTERN = /^[A-Za-z0-9._~+/-]+=*$/;

/**
 * Copies each chunk (a source may reuse its buffer: readFileChunks does) and marks the source's
 * own failures. With `expectedBytes` (the Content-Length sent), a source that yields more or
 * fewer bytes fails before the request ends: Node would otherwise send a short body and leave
 * the server waiting for the rest.
 */
async function* guardedSource(
  source: AsyncIterable<Uint8Array>,
  expectedBytes: number | undefined,
): AsyncGenerator<Buffer> {
  let sent = 0;
  try {
    for await (const chunk of source) {
      if (!(chunk instanceof Uint8Array)) throw new TypeError('an upload chunk must be bytes');
      sent += chunk.length;
      if (expectedBytes !== undefined && sent > expectedBytes) break;
      yield Buffer.from(chunk);
    }
    if (expectedBytes !== undefined && sent !== expectedBytes) {
      throw new RangeError(`the source gave ${sent} bytes where ${expectedBytes} were declared`);
    }
  } catch (error) {
    throw new UploadSourceFailure('the upload source failed', { cause: error });
  }
}

function isJson(headers: Headers): boolean {
  const type = headers['content-type'];
  return typeof type === 'string' && /^application\/([a-z.+-]*\+)?json\b/i.test(type);
}

/** The JSON body of an answer, or undefined when it is not JSON or does not parse. */
export function parseJsonBody(response: TransportResponse): unknown {
  if (!isJson(response.headers) || response.bytes.length === 0) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(response.bytes));
  } catch {
    return undefined;
  }
}

/** The transport the endpoint modules share. */
export class HttpTransport {
  readonly #got: Got;
  readonly #agents: { http: http.Agent; https: https.Agent };
  readonly #base: URL;
  /** The base URL as a prefix: no trailing slash (a URL's path is never empty). */
  readonly #prefix: string;
  readonly #token: string | undefined;
  readonly #options: Required<Omit<TransportOptions, 'baseUrl' | 'token' | 'certificateAuthority'>>;

  /** @throws TypeError for a base URL that is not http(s) or a token with invalid characters. */
  constructor(options: TransportOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`the server URL must be http or https, not ${base.protocol}`);
    }
    if (base.search !== '' || base.hash !== '') throw new TypeError('the server URL has a query');
    if (options.token !== undefined && !TOKEN_PATTERN.test(options.token)) {
      throw new TypeError('the token has characters a bearer token cannot have');
    }
    this.#base = base;
    this.#prefix = base.toString().replace(/\/+$/, '');
    this.#token = options.token;
    this.#options = {
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      responseTimeoutMs: options.responseTimeoutMs ?? 60_000,
      slowResponseTimeoutMs: options.slowResponseTimeoutMs ?? 10 * 60_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
      longPollGraceMs: options.longPollGraceMs ?? 20_000,
      maxSockets: options.maxSockets ?? 32,
      maxJsonResponseBytes: options.maxJsonResponseBytes ?? 256 * 1024 * 1024,
      now: options.now ?? Date.now,
    };
    const agentOptions = { keepAlive: true, maxSockets: this.#options.maxSockets };
    this.#agents = {
      http: new http.Agent(agentOptions),
      https: new https.Agent({
        ...agentOptions,
        ...(options.certificateAuthority ? { ca: [options.certificateAuthority].flat() } : {}),
      }),
    };
    this.#got = got.extend({
      agent: this.#agents,
      retry: { limit: 0 },
      followRedirect: false,
      throwHttpErrors: false,
      // Bytes are bytes: ranges and lengths must be those of what travelled.
      decompress: false,
      headers: { 'user-agent': 'ferry-sync-engine' },
    });
  }

  /** Milliseconds since the epoch, from the injected clock. */
  now(): number {
    return this.#options.now();
  }

  /**
   * An absolute URL from the server on the configured origin: a session URL's path and query
   * are kept, its host is not, so the bearer token only ever goes where the user pointed it.
   */
  rebase(url: string): string {
    const parsed = new URL(url, this.#base);
    return new URL(`${parsed.pathname}${parsed.search}`, this.#base.origin).toString();
  }

  #urlOf(request: TransportRequest): string {
    const url = new URL(
      request.url !== undefined ? this.rebase(request.url) : `${this.#prefix}${request.path ?? ''}`,
    );
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  #optionsOf(request: TransportRequest) {
    const { timing = 'normal' } = request;
    const o = this.#options;
    const responseMs =
      timing === 'normal'
        ? o.responseTimeoutMs
        : timing === 'slow'
          ? o.slowResponseTimeoutMs
          : timing.longPollSeconds * 1000 + o.longPollGraceMs;
    const headers: Record<string, string> = { ...request.headers };
    if (!request.isAnonymous && this.#token !== undefined) {
      headers.authorization = `Bearer ${this.#token}`;
    }
    if (request.bodyBytes !== undefined) headers['content-length'] = String(request.bodyBytes);
    const body =
      request.body === undefined || request.body instanceof Uint8Array
        ? request.body
        : guardedSource(request.body, request.bodyBytes);
    return {
      method: request.method,
      headers,
      ...(request.json !== undefined ? { json: request.json } : {}),
      ...(body !== undefined ? { body } : {}),
      signal: request.signal,
      timeout: {
        lookup: o.connectTimeoutMs,
        connect: o.connectTimeoutMs,
        secureConnect: o.connectTimeoutMs,
        response: responseMs,
        // The socket is idle while the server works on the answer: never shorter than that wait.
        socket: Math.max(o.idleTimeoutMs, responseMs),
      },
    };
  }

  /** Sends `request` and reads the whole answer, whatever its status. */
  async send(request: TransportRequest): Promise<TransportResponse> {
    const maxBytes = request.maxResponseBytes ?? this.#options.maxJsonResponseBytes;
    let isTooLarge = false;
    const pending = this.#got(this.#urlOf(request), {
      ...this.#optionsOf(request),
      responseType: 'buffer',
    });
    pending.on('downloadProgress', ({ transferred, total }) => {
      if (transferred > maxBytes || (total ?? 0) > maxBytes) {
        isTooLarge = true;
        pending.cancel();
      }
    });
    try {
      const response = await pending;
      return { status: response.statusCode, headers: response.headers, bytes: response.body };
    } catch (error) {
      throw this.#failure(error, request, isTooLarge ? maxBytes : undefined);
    }
  }

  /**
   * Sends `request` and, for a status in `okStatuses`, returns its JSON body once it fits
   * `shape`. Any other status is thrown as the mapped RemoteError; a body that does not fit is
   * `invalid_response`.
   */
  async call<T>(
    request: TransportRequest,
    shape: Shape,
    okStatuses: readonly number[] = [200],
  ): Promise<T> {
    const response = await this.send(request);
    this.expectStatus(response, request.what, okStatuses);
    return this.readJson<T>(response, request.what, shape);
  }

  /** Throws the mapped RemoteError unless the answer's status is one of `okStatuses`. */
  expectStatus(response: TransportResponse, what: string, okStatuses: readonly number[]): void {
    if (okStatuses.includes(response.status)) return;
    throw errorFromResponse(
      { status: response.status, headers: response.headers, body: parseJsonBody(response) },
      what,
      this.now(),
    );
  }

  /** The answer's JSON body, checked against `shape`. */
  readJson<T>(response: TransportResponse, what: string, shape: Shape): T {
    const body = parseJsonBody(response);
    const problem = body === undefined ? 'the body is not JSON' : findShapeProblem(shape, body);
    if (problem !== undefined) {
      throw new RemoteError('invalid_response', `${what}: unexpected answer (${problem})`, {
        status: response.status,
      });
    }
    return body as T;
  }

  /**
   * Sends a GET and hands back the body as a stream once the head arrived. An error status is
   * read (a little) and thrown as its RemoteError; so is a failure while streaming, or a body
   * shorter than its Content-Length.
   */
  async stream(
    request: TransportRequest,
    okStatuses: readonly number[],
  ): Promise<StreamedResponse> {
    const source = this.#got.stream(this.#urlOf(request), {
      ...this.#optionsOf(request),
      isStream: true,
    });
    try {
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        source.once('response', resolve);
        source.once('error', reject);
      });
      const status = response.statusCode ?? 0;
      if (!okStatuses.includes(status)) {
        const bytes = await this.#readSome(source, MAX_ERROR_BODY_BYTES);
        this.expectStatus({ status, headers: response.headers, bytes }, request.what, []);
      }
      const declared = Number(response.headers['content-length'] ?? NaN);
      const body = this.#pump(source, request, declared);
      // A generator that never started skips its finally on return(): destroy here too.
      const finish = body.return.bind(body);
      body.return = (value) => {
        source.destroy();
        return finish(value);
      };
      return { status, headers: response.headers, body };
    } catch (error) {
      source.destroy();
      throw this.#failure(error, request, undefined);
    }
  }

  async #readSome(source: AsyncIterable<Buffer>, maxBytes: number): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of source) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= maxBytes) break;
    }
    return Buffer.concat(chunks).subarray(0, maxBytes);
  }

  async *#pump(
    source: AsyncIterable<Buffer> & { destroy(): void },
    request: TransportRequest,
    declaredBytes: number,
  ): AsyncGenerator<Uint8Array> {
    let received = 0;
    try {
      for await (const chunk of source) {
        received += chunk.length;
        yield chunk;
      }
    } catch (error) {
      throw this.#failure(error, request, undefined);
    } finally {
      source.destroy();
    }
    if (Number.isInteger(declaredBytes) && received !== declaredBytes) {
      throw new RemoteError(
        'network_error',
        `${request.what}: the body ended after ${received} of ${declaredBytes} bytes`,
      );
    }
  }

  #failure(error: unknown, request: TransportRequest, tooLargeBytes: number | undefined): unknown {
    const mapped = errorFromTransport(error, {
      what: request.what,
      signal: request.signal,
      ...(tooLargeBytes !== undefined ? { tooLargeBytes } : {}),
    });
    return mapped ?? error;
  }

  /** Closes every pooled socket; requests still running fail with `network_error`. */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }
}
