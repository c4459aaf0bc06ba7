/**
 * A small HTTPS client for the TLS suite: node:https with a keep-alive agent that trusts exactly
 * the given CA (the test certificate), with certificate and hostname verification on. Global
 * fetch cannot be pointed at a private CA without the undici package, so this stands in for it.
 */
import { Agent, request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

/** A response read to the end; `body` is parsed JSON when the response was JSON. */
export interface HttpsResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly bytes: Buffer;
  readonly body: unknown;
}

/** Options of one call. */
export interface HttpsCallOptions {
  readonly token?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON (serialised, `application/json`) or raw bytes (`application/octet-stream`). */
  readonly json?: unknown;
  readonly bytes?: Uint8Array;
}

/** Calls the server at one base URL. Always `close()` it (it owns keep-alive sockets). */
export interface HttpsClient {
  call(method: string, path: string, options?: HttpsCallOptions): Promise<HttpsResponse>;
  close(): void;
}

/** A client for `baseUrl` (https://…) trusting `ca` (PEM) only; `ca: undefined` = system CAs. */
export function createHttpsClient(baseUrl: string, ca: string | undefined): HttpsClient {
  const agent = new Agent({ keepAlive: true, ...(ca === undefined ? {} : { ca }) });
  return {
    call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      let body: Uint8Array | undefined;
      if (options.json !== undefined) {
        body = Buffer.from(JSON.stringify(options.json));
        headers['content-type'] ??= 'application/json';
      } else if (options.bytes !== undefined) {
        body = options.bytes;
        headers['content-type'] ??= 'application/octet-stream';
      }
      if (body !== undefined) headers['content-length'] = String(body.length);
      return new Promise<HttpsResponse>((resolve, reject) => {
        const req = request(new URL(path, baseUrl), { method, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const bytes = Buffer.concat(chunks);
            const isJson = (res.headers['content-type'] ?? '').includes('application/json');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              bytes,
              body: isJson && bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : undefined,
            });
          });
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
