/**
 * A minimal API client for a server running in another process: register, log in, and make
 * authorised calls with fetch. Every call has a deadline, so a killed server fails calls fast
 * instead of hanging the test.
 */
import type { LoginResponse, NamespaceId } from 'sync-engine/protocol';
import { readResponse, type TestResponse } from '../test-server.js';

const CALL_TIMEOUT_MS = 20_000;

/** A logged-in device talking to `baseUrl`. */
export interface CrashClient {
  readonly token: string;
  readonly rootNamespace: NamespaceId;
  /** A JSON call; `target` is a path (`/files/list?...`) or an absolute URL. */
  json(method: string, target: string, body?: unknown): Promise<TestResponse>;
  /** A call with raw bytes (or no body) and extra headers. */
  send(
    method: string,
    target: string,
    body: Uint8Array | undefined,
    headers?: Record<string, string>,
  ): Promise<TestResponse>;
  /** The namespace's data key. */
  keyOf(namespace?: NamespaceId): Promise<Uint8Array>;
}

function resolve(baseUrl: string, target: string): string {
  return target.startsWith('http') ? target : `${baseUrl}${target}`;
}

/** Registers `email` and logs one device in. Throws when either step fails. */
export async function registerCrashClient(baseUrl: string, email: string): Promise<CrashClient> {
  const password = `password-${email}`;
  const post = (p: string, body: unknown) =>
    fetch(`${baseUrl}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    }).then(readResponse);
  const registered = await post('/auth/register', { email, password, name: 'Crash' });
  if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
  const login = await post('/auth/login', { email, password, deviceName: 'crash-device' });
  if (login.status !== 200) throw new Error(`login: ${login.status}`);
  const session = login.body as LoginResponse;

  const call = async (
    method: string,
    target: string,
    body: Uint8Array | string | undefined,
    headers: Record<string, string>,
  ) =>
    readResponse(
      await fetch(resolve(baseUrl, target), {
        method,
        body,
        headers: { authorization: `Bearer ${session.token}`, ...headers },
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      }),
    );
  const client: CrashClient = {
    token: session.token,
    rootNamespace: session.rootNamespace,
    json: (method, target, body) =>
      body === undefined
        ? call(method, target, undefined, {})
        : call(method, target, JSON.stringify(body), { 'content-type': 'application/json' }),
    send: (method, target, body, headers = {}) =>
      // A copy: fetch refuses views of resizable ArrayBuffers, which the block codec returns.
      call(method, target, body && new Uint8Array(body), {
        'content-type': 'application/octet-stream',
        ...headers,
      }),
    async keyOf(namespace = session.rootNamespace) {
      const res = await client.json('GET', `/keys/${namespace}`);
      if (res.status !== 200) throw new Error(`GET /keys/${namespace}: ${res.status}`);
      return new Uint8Array(Buffer.from((res.body as { key: string }).key, 'base64'));
    },
  };
  return client;
}
