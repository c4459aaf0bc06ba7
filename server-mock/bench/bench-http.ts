/**
 * A lean keep-alive HTTP/1.1 client for the server benchmark (node:http, one Agent per client),
 * so the load generator spends as little CPU as possible on the 2-core machine it shares with
 * the server. Loopback only.
 */
import http from 'node:http';

/** A finished response. */
export interface BenchResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A keep-alive client bound to one server and one bearer token. */
export interface BenchHttp {
  request(
    method: string,
    path: string,
    body?: Buffer | string,
    headers?: Record<string, string>,
  ): Promise<BenchResponse>;
  /** A JSON call: the body is serialised, the answer parsed; throws on a non-2xx status. */
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
  close(): void;
}

/** Creates a client with up to `maxSockets` connections to `baseUrl`. */
export function createBenchHttp(options: {
  baseUrl: string;
  token?: string;
  maxSockets: number;
}): BenchHttp {
  const url = new URL(options.baseUrl);
  if (url.hostname !== '127.0.0.1') throw new Error('the benchmark only talks to 127.0.0.1');
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const auth: Record<string, string> = options.token
    ? { authorization: `Bearer ${options.token}` }
    : {};
  const request: BenchHttp['request'] = (method, path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent,
          headers: {
            ...auth,
            ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    request,
    async json<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res =
        body === undefined
          ? await request(method, path)
          : await request(method, path, JSON.stringify(body), {
              'content-type': 'application/json',
            });
      if (res.status < 200 || res.status > 299) {
        throw new Error(
          `${method} ${path}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`,
        );
      }
      return JSON.parse(res.body.toString('utf8')) as T;
    },
    close: () => agent.destroy(),
  };
}
