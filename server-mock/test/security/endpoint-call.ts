/**
 * One HTTP call described as data (method, path, body, headers) with an arbitrary Authorization
 * header, for table-driven security suites. Real fetch against a real server.
 */
import { readResponse, type TestResponse } from '../test-server.js';

/** A request body: JSON (serialised, `application/json`) or raw bytes (`octet-stream`). */
export type CallBody =
  { readonly json: unknown } | { readonly bytes: Uint8Array; readonly contentType?: string };

/** A request as data. `path` is relative to the server URL and includes the query string. */
export interface EndpointCall {
  readonly method: string;
  readonly path: string;
  readonly body?: CallBody;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Sends `call` to `baseUrl` with `authorization` as the raw header value (none when undefined). */
export async function sendCall(
  baseUrl: string,
  call: EndpointCall,
  authorization?: string,
): Promise<TestResponse> {
  const headers: Record<string, string> = { ...call.headers };
  if (authorization !== undefined) headers.authorization = authorization;
  let body: Uint8Array | string | undefined;
  if (call.body && 'json' in call.body) {
    body = JSON.stringify(call.body.json);
    headers['content-type'] ??= 'application/json';
  } else if (call.body) {
    // A copy: encoded blocks may be views of resizable (pooled) ArrayBuffers, which Node 20's
    // fetch refuses as a body.
    body = new Uint8Array(call.body.bytes);
    headers['content-type'] ??= call.body.contentType ?? 'application/octet-stream';
  }
  return readResponse(
    await fetch(`${baseUrl}${call.path}`, { method: call.method, headers, body }),
  );
}

/** `Bearer <token>`. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}
