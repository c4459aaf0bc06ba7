/**
 * Test helpers for API tests over real HTTP: start a real server on 127.0.0.1 (port 0, a temp
 * data dir, silent logs, cheap scrypt), register and log in users, and make authorised calls.
 * Used by the per-resource tests and meant for authorization-matrix, hostile-input, HTTPS,
 * crash and benchmark suites too.
 *
 * @example
 * const server = await startTestServer();
 * const ann = await server.createUser('ann');
 * const res = await ann.json('POST', '/files/mkdir', { path: '/Docs' });
 * expect(res.status).toBe(200);
 * await server.close(); // also removes the data dir unless keepDataDir
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoginResponse, NamespaceId } from 'sync-engine/protocol';
import type { MetadataStore } from '../src/metadata/metadata-store.js';
import { databaseFor } from './services/test-databases.js';
import {
  startServer,
  type RunningServer,
  type ServerComponents,
  type ServerOptions,
} from '../src/index.js';

/** A response with its body read: `body` is parsed JSON when the response was JSON. */
export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly bytes: Uint8Array;
}

/** A logged-in device of a test user. */
export interface TestClient {
  readonly email: string;
  readonly password: string;
  readonly token: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly rootNamespace: NamespaceId;
  /** fetch with the bearer token; `path` is relative to the server URL (`/files/list?...`). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** A JSON call (body serialised when given); reads the whole response. */
  json(method: string, path: string, body?: unknown): Promise<TestResponse>;
  /** A call with a raw body (bytes), e.g. a block upload or a simple upload. */
  send(
    method: string,
    path: string,
    body: Uint8Array,
    headers?: Record<string, string>,
  ): Promise<TestResponse>;
  /** The namespace's data key (GET /keys/{namespace}). */
  keyOf(namespace?: NamespaceId): Promise<Uint8Array>;
  /** The account's used bytes (GET /account). */
  usedBytes(): Promise<number>;
}

export interface TestServer {
  readonly url: string;
  readonly dataDir: string;
  readonly server: RunningServer;
  /** Registers `name@test.example` (password `password-<name>`) and logs in one device. */
  createUser(name: string, options?: { deviceName?: string }): Promise<TestClient>;
  /** Logs in another device of an existing user. */
  login(email: string, password: string, deviceName?: string): Promise<TestClient>;
  /** A raw call without a token. */
  request(
    method: string,
    path: string,
    init?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<TestResponse>;
  /** Stops the server (gracefully) and removes the data dir unless `keepDataDir` was set. */
  close(): Promise<void>;
}

export interface TestServerOptions extends ServerOptions {
  /** Keep the data directory after close (for restart tests: pass it as `dataDir` again). */
  readonly keepDataDir?: boolean;
  readonly components?: ServerComponents;
  /**
   * Opens the metadata store on the server's database file (`<dataDir>/metadata.db`): for a
   * wrapper around the real store, without a data dir of the test's own to clean up.
   */
  readonly openStore?: (file: string) => MetadataStore;
}

/** Reads a fetch Response fully into a TestResponse. */
export async function readResponse(response: Response): Promise<TestResponse> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  let body: unknown = undefined;
  if (type.includes('application/json') && bytes.length > 0) {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } else if (type.startsWith('text/')) {
    body = new TextDecoder().decode(bytes);
  }
  return { status: response.status, headers: response.headers, body, bytes };
}

function makeClient(
  url: string,
  login: LoginResponse,
  email: string,
  password: string,
): TestClient {
  const authFetch = (p: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${login.token}`);
    return fetch(`${url}${p}`, { ...init, headers });
  };
  const client: TestClient = {
    email,
    password,
    token: login.token,
    userId: login.userId,
    deviceId: login.deviceId,
    rootNamespace: login.rootNamespace,
    fetch: authFetch,
    async json(method, p, body) {
      const init: RequestInit = { method };
      if (body !== undefined) {
        init.body = JSON.stringify(body);
        init.headers = { 'content-type': 'application/json' };
      }
      return readResponse(await authFetch(p, init));
    },
    async send(method, p, body, headers = {}) {
      return readResponse(
        await authFetch(p, {
          method,
          // A copy: fetch refuses views of resizable ArrayBuffers (which the codec may return).
          body: new Uint8Array(body),
          headers: { 'content-type': 'application/octet-stream', ...headers },
        }),
      );
    },
    async usedBytes() {
      const res = await client.json('GET', '/account');
      if (res.status !== 200) throw new Error(`GET /account: ${res.status}`);
      return (res.body as { usedBytes: number }).usedBytes;
    },
    async keyOf(namespace = login.rootNamespace) {
      const res = await client.json('GET', `/keys/${namespace}`);
      if (res.status !== 200) throw new Error(`GET /keys/${namespace}: ${res.status}`);
      return new Uint8Array(Buffer.from((res.body as { key: string }).key, 'base64'));
    },
  };
  return client;
}

/** Starts a server for a test. Always `await close()` (in afterEach/afterAll). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'ferry-server-test-')));
  const { keepDataDir, openStore, ...serverOptions } = options;
  // The "server on PostgreSQL" project: every server on a fresh database of the run's PostgreSQL.
  const postgres = process.env.FERRY_TEST_POSTGRES_URL;
  if (postgres !== undefined && !openStore && options.components?.store === undefined) {
    serverOptions.metadata ??= await databaseFor(dataDir, postgres);
  }
  const components = openStore
    ? { ...options.components, store: openStore(path.join(dataDir, 'metadata.db')) }
    : options.components;
  const server = await startServer(
    {
      port: 0,
      host: '127.0.0.1',
      logLevel: (process.env.FERRY_TEST_LOG_LEVEL as 'silent') ?? 'silent',
      scryptCost: 2 ** 10,
      codecWorkers: 1,
      policyIntervalMs: 0,
      ...serverOptions,
      dataDir,
    },
    components,
  );
  const url = server.url;

  const request: TestServer['request'] = async (method, p, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    return readResponse(await fetch(`${url}${p}`, { method, headers, body }));
  };

  const login: TestServer['login'] = async (email, password, deviceName = 'test-device') => {
    const res = await request('POST', '/auth/login', { body: { email, password, deviceName } });
    if (res.status !== 200)
      throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    return makeClient(url, res.body as LoginResponse, email, password);
  };

  return {
    url,
    dataDir,
    server,
    request,
    login,
    async createUser(name, opts = {}) {
      const email = `${name}@test.example`;
      const password = `password-${name}`;
      const res = await request('POST', '/auth/register', { body: { email, password, name } });
      if (res.status !== 201)
        throw new Error(`register ${email}: ${res.status} ${JSON.stringify(res.body)}`);
      return login(email, password, opts.deviceName ?? `${name}-laptop`);
    },
    async close() {
      await server.close();
      if (!keepDataDir && options.dataDir === undefined) {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
