/**
 * Sends a hand-built HTTP/1.1 request over a plain TCP socket, for inputs fetch refuses to send
 * or would normalise: raw non-UTF-8 bytes in the request target, unencoded `..` segments, a
 * header sent twice.
 */
import { connect } from 'node:net';

/** A parsed response: status, lowercased headers, body bytes, and the JSON body if any. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly bytes: Buffer;
  readonly body: unknown;
}

/** What to send: `target` is the raw request-target bytes (path and query). */
export interface RawRequest {
  readonly method: string;
  readonly target: Uint8Array | string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Header lines sent as given, after `headers`, in order: a name may repeat. */
  readonly headerLines?: readonly (readonly [string, string])[];
  readonly body?: Uint8Array;
}

function parseResponse(raw: Buffer): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`incomplete HTTP response: ${raw.toString('latin1')}`);
  const [statusLine = '', ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const bytes = raw.subarray(split + 4);
  const isJson = (headers['content-type'] ?? '').includes('application/json') && bytes.length > 0;
  return { status, headers, bytes, body: isJson ? JSON.parse(bytes.toString('utf8')) : undefined };
}

/**
 * Sends `request` to `baseUrl` (http only) with `Connection: close` and reads the whole
 * response. Rejects on a socket error or after `timeoutMs`.
 */
export function sendRawRequest(
  baseUrl: string,
  request: RawRequest,
  timeoutMs = 10_000,
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = request.body ?? new Uint8Array(0);
  const headers = Object.entries(request.headers ?? {});
  // A Content-Length given by the caller (a malformed one, say) replaces the true one.
  const hasLength = headers.some(([k]) => k.toLowerCase() === 'content-length');
  const head = [
    `Host: ${url.host}`,
    'Connection: close',
    ...(hasLength ? [] : [`Content-Length: ${body.length}`]),
    ...headers.map(([k, v]) => `${k}: ${v}`),
    ...(request.headerLines ?? []).map(([k, v]) => `${k}: ${v}`),
  ].join('\r\n');
  const message = Buffer.concat([
    Buffer.from(`${request.method} `, 'latin1'),
    Buffer.from(request.target),
    Buffer.from(` HTTP/1.1\r\n${head}\r\n\r\n`, 'latin1'),
    body,
  ]);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
    socket.write(message);
  });
}
