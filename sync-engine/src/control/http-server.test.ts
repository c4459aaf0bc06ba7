/**
 * The control API's HTTP layer over real loopback HTTP. The engine behind it is a small
 * EngineControl that records its calls (its long-poll is a real EventLog): what is under test
 * is routing, the token, validation, error mapping and the long-poll's lifetime.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActivityResponse } from '../protocol/index.js';
import { waitUntil } from '../testkit/index.js';
import {
  CONTROL_ROUTES,
  ControlError,
  type ConflictInfo,
  type EngineControl,
  type EngineStatus,
} from './contract.js';
import { EventLog } from './event-log.js';
import { startControlServer, type ControlServer } from './http-server.js';

const TOKEN = 'test-token-0123456789abcdef';

const STATUS: EngineStatus = {
  state: 'idle',
  folder: '/home/ann/Ferry',
  serverUrl: 'http://127.0.0.1:9',
  email: 'ann@example.com',
  deviceName: 'laptop',
  paused: false,
  account: { usedBytes: 1234, quotaBytes: 10_000 },
  progress: {
    filesPending: 0,
    bytesPending: 0,
    filesDone: 3,
    bytesUp: 300,
    bytesDown: 0,
    upBytesPerSecond: 0,
    downBytesPerSecond: 0,
  },
  problems: [{ code: 'not_portable', message: 'name not portable', path: '/a:b', sinceMs: 5 }],
  heldDeletes: null,
  lastSyncedMs: 1_700_000_000_000,
};
const CONFLICT: ConflictInfo = {
  id: 7,
  path: '/docs/café.txt',
  copyPath: '/docs/café (conflicted copy from laptop 2024-01-02 030405).txt',
  reason: 'edit_edit',
  detectedMs: 1_700_000_000_000,
};
const ACTIVITY = { events: [], cursor: '12', hasMore: false } as unknown as ActivityResponse;

interface Call {
  readonly method: string;
  readonly args: readonly unknown[];
}

/** An EngineControl that records every call; `failWith` makes every method throw it. */
function createRecordingControl() {
  const calls: Call[] = [];
  const signals: AbortSignal[] = [];
  const log = new EventLog();
  const state: { failWith: unknown } = { failWith: undefined };
  const answer = async <T>(method: string, args: unknown[], value: T): Promise<T> => {
    calls.push({ method, args });
    if (state.failWith !== undefined) throw state.failWith;
    return value;
  };
  const control: EngineControl = {
    getStatus: () => answer('getStatus', [], STATUS),
    listConflicts: () => answer('listConflicts', [], [CONFLICT]),
    resolveConflict: (path, keep) => answer('resolveConflict', [path, keep], CONFLICT),
    pause: () => answer('pause', [], { ...STATUS, state: 'paused', paused: true }),
    resume: () => answer('resume', [], STATUS),
    allowMassDelete: () => answer('allowMassDelete', [], STATUS),
    listActivity: (request) => answer('listActivity', [request], ACTIVITY),
    waitForEvents: async (after, timeoutMs, signal) => {
      if (signal) signals.push(signal);
      await answer('waitForEvents', [after, timeoutMs], undefined);
      return log.waitForEvents(after, timeoutMs, signal);
    },
  };
  return { control, calls, signals, log, state };
}

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

interface SendOptions {
  readonly method?: string;
  readonly path: string;
  /** Raw request body; JSON Content-Type unless `headers` says otherwise. */
  readonly body?: string;
  readonly headers?: http.OutgoingHttpHeaders;
  /** The bearer token; null sends no Authorization header. */
  readonly token?: string | null;
  /** False: no Host header at all. */
  readonly setHost?: boolean;
}

/** One request over a fresh connection; resolves with the status and the parsed JSON body. */
function send(server: ControlServer, options: SendOptions, signal?: AbortSignal): Promise<Answer> {
  const { port } = new URL(server.url);
  const token = options.token === undefined ? server.token : options.token;
  const headers: http.OutgoingHttpHeaders = {
    ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: Number(port),
        method: options.method ?? 'GET',
        path: options.path,
        headers,
        agent: false,
        setHost: options.setHost ?? true,
        ...(signal ? { signal } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: text === '' ? undefined : JSON.parse(text),
          });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const running: ControlServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function start(extra: { onUnexpectedError?: (error: unknown) => void } = {}) {
  const recording = createRecordingControl();
  const server = await startControlServer({
    control: recording.control,
    port: 0,
    token: TOKEN,
    ...extra,
  });
  running.push(server);
  return { server, ...recording };
}

const errorOf = (answer: Answer) =>
  (answer.body as { error: { code: string; message: string } }).error;

describe('startControlServer', () => {
  it('listens on 127.0.0.1 with a generated 32-byte base64url token by default', async () => {
    const { control } = createRecordingControl();
    const server = await startControlServer({ control, port: 0 });
    running.push(server);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+$/);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(server.token, 'base64url')).toHaveLength(32);
    const other = await startControlServer({ control, port: 0 });
    running.push(other);
    expect(other.token).not.toBe(server.token);
    expect((await send(server, { path: '/api/status' })).status).toBe(200);
  });

  it('refuses a bad token option, another host and a bad port; a taken port fails to listen', async () => {
    const { control } = createRecordingControl();
    await expect(startControlServer({ control, port: 0, token: 'short' })).rejects.toThrow(
      'token must be 16 to 512 URL-safe characters',
    );
    await expect(
      startControlServer({ control, port: 0, host: '0.0.0.0' as '127.0.0.1' }),
    ).rejects.toThrow('127.0.0.1 only');
    await expect(startControlServer({ control, port: 70_000 })).rejects.toThrow(
      'port must be an integer from 0 to 65535',
    );
    const { server } = await start();
    const port = Number(new URL(server.url).port);
    await expect(startControlServer({ control, port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('close() is idempotent and stops listening', async () => {
    const { control } = createRecordingControl();
    const server = await startControlServer({ control, port: 0, token: TOKEN });
    await Promise.all([server.close(), server.close()]);
    await server.close();
    await expect(send(server, { path: '/api/status' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});

describe('the access token', () => {
  const cases: { name: string; headers?: http.OutgoingHttpHeaders; token?: string | null }[] = [
    { name: 'no Authorization header', token: null },
    { name: 'a wrong token', token: 'test-token-0123456789abcdeX' },
    { name: 'the token with one more character', token: `${TOKEN}x` },
    { name: 'a prefix of the token', token: TOKEN.slice(0, -1) },
    { name: 'another scheme', token: null, headers: { authorization: `Basic ${TOKEN}` } },
    { name: 'a bare token', token: null, headers: { authorization: TOKEN } },
    {
      name: 'two Authorization headers',
      token: null,
      // Node sends an array header as repeated header lines.
      headers: { authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] as unknown as string },
    },
  ];

  it.each(cases)('refuses $name with 401 on every route, calling nothing', async (testCase) => {
    const { server, calls } = await start();
    for (const route of Object.values(CONTROL_ROUTES)) {
      const answer = await send(server, {
        method: route.method,
        path: route.path,
        token: testCase.token ?? null,
        ...(testCase.headers ? { headers: testCase.headers } : {}),
        ...(route.method === 'POST' ? { body: '{"path":"/a","keep":"mine"}' } : {}),
      });
      expect(answer.status, route.path).toBe(401);
      expect(errorOf(answer)).toEqual({
        code: 'unauthorized',
        message: 'missing or wrong access token (Authorization: Bearer …)',
      });
    }
    // Unknown routes too: nothing about the API shows without the token.
    expect((await send(server, { path: '/api/nope', token: null })).status).toBe(401);
    expect(calls).toEqual([]);
  });

  it('accepts the scheme in any case', async () => {
    const { server, calls } = await start();
    const answer = await send(server, {
      path: '/api/status',
      token: null,
      headers: { authorization: `bearer ${TOKEN}` },
    });
    expect(answer.status).toBe(200);
    expect(calls).toEqual([{ method: 'getStatus', args: [] }]);
  });
});

describe('routes', () => {
  it('GET /api/status answers the status, not cached', async () => {
    const { server, calls } = await start();
    const answer = await send(server, { path: '/api/status' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.body).toEqual(STATUS);
    expect(calls).toEqual([{ method: 'getStatus', args: [] }]);
  });

  it('GET /api/conflicts lists the conflicts', async () => {
    const { server, calls } = await start();
    const answer = await send(server, { path: '/api/conflicts' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([CONFLICT]);
    expect(calls).toEqual([{ method: 'listConflicts', args: [] }]);
  });

  it('POST /api/conflicts/resolve passes path (NFC) and keep', async () => {
    const { server, calls } = await start();
    for (const keep of ['mine', 'theirs', 'both']) {
      const answer = await send(server, {
        method: 'POST',
        path: '/api/conflicts/resolve',
        body: JSON.stringify({ path: '/docs/cafe\u0301.txt', keep }),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(CONFLICT);
    }
    expect(calls).toEqual([
      { method: 'resolveConflict', args: ['/docs/café.txt', 'mine'] },
      { method: 'resolveConflict', args: ['/docs/café.txt', 'theirs'] },
      { method: 'resolveConflict', args: ['/docs/café.txt', 'both'] },
    ]);
  });

  it('POST /api/pause, /api/resume and /api/mass-delete/allow take no body, {} or an empty JSON body', async () => {
    const { server, calls } = await start();
    const paused = await send(server, { method: 'POST', path: '/api/pause' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ state: 'paused', paused: true });
    const resumed = await send(server, { method: 'POST', path: '/api/resume', body: '{}' });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toEqual(STATUS);
    const allowed = await send(server, {
      method: 'POST',
      path: '/api/mass-delete/allow',
      body: '',
    });
    expect(allowed.status).toBe(200);
    expect(calls.map((call) => call.method)).toEqual(['pause', 'resume', 'allowMassDelete']);
  });

  it('GET /api/activity passes cursor and limit when given', async () => {
    const { server, calls } = await start();
    const answer = await send(server, { path: '/api/activity?cursor=12&limit=5' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(ACTIVITY);
    expect((await send(server, { path: '/api/activity' })).status).toBe(200);
    expect(calls).toEqual([
      { method: 'listActivity', args: [{ cursor: '12', limit: 5 }] },
      { method: 'listActivity', args: [{}] },
    ]);
  });

  it('GET /api/events answers the kept events at once, timeout in seconds', async () => {
    const { server, calls, log } = await start();
    log.publish({ type: 'state', state: 'syncing' });
    log.publish({ type: 'synced', action: 'download', path: '/a.txt', sizeBytes: 3 });
    const answer = await send(server, { path: '/api/events?after=1&timeout=60' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      events: [
        {
          seq: 2,
          timeMs: expect.any(Number),
          event: { type: 'synced', action: 'download', path: '/a.txt', sizeBytes: 3 },
        },
      ],
      next: 2,
    });
    // Without timeout: the default, 30 s.
    await send(server, { path: '/api/events?after=0' });
    expect(calls).toEqual([
      { method: 'waitForEvents', args: [1, 60_000] },
      { method: 'waitForEvents', args: [0, 30_000] },
    ]);
  });
});

describe('hostile requests', () => {
  const resolve = '/api/conflicts/resolve';
  const post = (body: string, headers?: http.OutgoingHttpHeaders) => ({
    method: 'POST',
    path: resolve,
    body,
    ...(headers ? { headers } : {}),
  });
  const cases: { name: string; request: SendOptions; message: string }[] = [
    { name: 'bad JSON', request: post('{"path": "/a",'), message: 'body is not valid JSON' },
    {
      name: 'a body over 64 KiB',
      request: post(JSON.stringify({ path: `/${'a'.repeat(70_000)}`, keep: 'mine' })),
      message: 'body exceeds 65536 bytes',
    },
    {
      name: 'a text/plain body',
      request: post('{"path":"/a","keep":"mine"}', { 'content-type': 'text/plain' }),
      message: 'Content-Type must be application/json',
    },
    {
      name: 'a form body',
      request: post('path=/a&keep=mine', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      message: 'Content-Type must be application/json',
    },
    {
      name: '__proto__ in the body',
      request: post('{"path":"/a","keep":"mine","__proto__":{"isAdmin":true}}'),
      message: 'body is not valid JSON',
    },
    {
      name: 'no body',
      request: { method: 'POST', path: resolve },
      message: 'body must be a JSON object',
    },
    { name: 'an array body', request: post('[]'), message: 'body must be a JSON object' },
    { name: 'a string body', request: post('"/a"'), message: 'body must be a JSON object' },
    {
      name: 'an extra field',
      request: post('{"path":"/a","keep":"mine","force":true}'),
      message: 'body field "force" is not known (expected: path, keep)',
    },
    {
      name: 'a numeric path',
      request: post('{"path":5,"keep":"mine"}'),
      message: 'path must be a string',
    },
    { name: 'a missing path', request: post('{"keep":"mine"}'), message: 'path is required' },
    { name: 'a missing keep', request: post('{"path":"/a"}'), message: 'keep is required' },
    {
      name: 'a bad keep',
      request: post('{"path":"/a","keep":"yours"}'),
      message: 'keep must be one of mine, theirs, both',
    },
    {
      name: 'a numeric keep',
      request: post('{"path":"/a","keep":1}'),
      message: 'keep must be one of mine, theirs, both',
    },
    {
      name: 'a relative path',
      request: post('{"path":"docs/a.txt","keep":"mine"}'),
      message: 'path must start with /',
    },
    {
      name: 'a .. segment',
      request: post('{"path":"/docs/../../etc/passwd","keep":"mine"}'),
      message: 'path has a . or .. segment',
    },
    {
      name: 'the root',
      request: post('{"path":"/","keep":"mine"}'),
      message: 'path must name a file or folder, not /',
    },
    {
      name: 'a body on an argument-less POST',
      request: { method: 'POST', path: '/api/pause', body: '{"now":true}' },
      message: 'body field "now" is not known (expected: none)',
    },
    {
      name: 'a non-object body on an argument-less POST',
      request: { method: 'POST', path: '/api/resume', body: 'null' },
      message: 'body must be absent or an empty JSON object',
    },
    {
      name: 'a query on an argument-less route',
      request: { path: '/api/status?verbose=1' },
      message: 'query field "verbose" is not known (expected: none)',
    },
    {
      name: 'a query on a body route',
      request: { ...post('{"path":"/a","keep":"mine"}'), path: `${resolve}?keep=both` },
      message: 'query field "keep" is not known (expected: none)',
    },
    {
      name: 'after=-1',
      request: { path: '/api/events?after=-1' },
      message: 'after must be a non-negative integer, got "-1"',
    },
    {
      name: 'a fractional after',
      request: { path: '/api/events?after=1.5' },
      message: 'after must be a non-negative integer, got "1.5"',
    },
    {
      name: 'a non-numeric after',
      request: { path: '/api/events?after=1e3' },
      message: 'after must be a non-negative integer, got "1e3"',
    },
    {
      name: 'an after past safe integers',
      request: { path: '/api/events?after=99999999999999999' },
      message: 'after must be a non-negative integer',
    },
    {
      name: 'a missing after',
      request: { path: '/api/events?timeout=5' },
      message: 'after is required',
    },
    {
      name: 'timeout=61',
      request: { path: '/api/events?after=0&timeout=61' },
      message: 'timeout must be a whole number of seconds from 0 to 60, got 61',
    },
    {
      name: 'a negative timeout',
      request: { path: '/api/events?after=0&timeout=-5' },
      message: 'timeout must be a whole number of seconds from 0 to 60',
    },
    {
      name: 'a repeated after',
      request: { path: '/api/events?after=1&after=2' },
      message: 'query parameter "after" is repeated; send it once',
    },
    {
      name: 'an unknown events parameter',
      request: { path: '/api/events?after=0&since=4' },
      message: 'query field "since" is not known (expected: after, timeout)',
    },
    {
      name: 'limit=0',
      request: { path: '/api/activity?limit=0' },
      message: 'limit must be an integer from 1 to 1000, got 0',
    },
    {
      name: 'limit=1001',
      request: { path: '/api/activity?limit=1001' },
      message: 'limit must be an integer from 1 to 1000, got 1001',
    },
    {
      name: 'an empty cursor',
      request: { path: '/api/activity?cursor=' },
      message: 'cursor must be a non-empty string',
    },
    {
      name: 'a foreign Host (DNS rebinding)',
      request: { path: '/api/status', headers: { host: 'evil.example' } },
      message: 'Host must be 127.0.0.1:',
    },
    {
      name: 'a Host with another port',
      request: { path: '/api/status', headers: { host: '127.0.0.1:1' } },
      message: 'Host must be 127.0.0.1:',
    },
    {
      name: 'a foreign Host even with the token and a valid body',
      request: { ...post('{"path":"/a","keep":"mine"}', { host: 'attacker.test:80' }) },
      message: 'Host must be 127.0.0.1:',
    },
    {
      name: 'no Host header',
      request: { path: '/api/status', setHost: false },
      message: 'Host must be 127.0.0.1:',
    },
  ];

  it.each(cases)('refuses $name with 400 invalid_request, calling nothing', async (testCase) => {
    const { server, calls } = await start();
    const answer = await send(server, testCase.request);
    expect(answer.status).toBe(400);
    expect(errorOf(answer).code).toBe('invalid_request');
    expect(errorOf(answer).message).toContain(testCase.message);
    expect(calls).toEqual([]);
  });

  it('accepts Host localhost:PORT', async () => {
    const { server } = await start();
    const host = `localhost:${new URL(server.url).port}`;
    expect((await send(server, { path: '/api/status', headers: { host } })).status).toBe(200);
    const upper = `LOCALHOST:${new URL(server.url).port}`;
    expect((await send(server, { path: '/api/status', headers: { host: upper } })).status).toBe(
      200,
    );
  });

  it.each([
    { method: 'GET', path: '/api/nope' },
    { method: 'DELETE', path: '/api/status' },
    { method: 'GET', path: '/api/pause' },
    { method: 'POST', path: '/api/status' },
    { method: 'HEAD', path: '/api/events?after=0' },
    { method: 'GET', path: '/' },
  ])('answers $method $path with 404 not_found, calling nothing', async ({ method, path }) => {
    const { server, calls } = await start();
    const answer = await send(server, { method, path });
    expect(answer.status).toBe(404);
    if (method !== 'HEAD') {
      expect(errorOf(answer)).toEqual({
        code: 'not_found',
        message: `no route ${method} ${path.split('?')[0]}`,
      });
    }
    expect(calls).toEqual([]);
  });

  it('answers a malformed HTTP request with a JSON 400', async () => {
    const { server } = await start();
    const { port } = new URL(server.url);
    const net = await import('node:net');
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write('GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n');
      });
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('"code":"invalid_request"');
  });
});

describe('errors from the engine', () => {
  it.each([
    { error: new ControlError('conflict_not_found', 'no conflict at /a'), status: 404 },
    { error: new ControlError('nothing_held', 'no mass delete is held'), status: 409 },
    { error: new ControlError('engine_stopped', 'the engine has stopped'), status: 503 },
    { error: new ControlError('not_found', 'nothing there'), status: 404 },
  ])('answers ControlError $error.code with $status', async ({ error, status }) => {
    const { server, state, calls } = await start();
    state.failWith = error;
    const answer = await send(server, {
      method: 'POST',
      path: '/api/conflicts/resolve',
      body: '{"path":"/a","keep":"mine"}',
    });
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ error: { code: error.code, message: error.message } });
    expect(calls).toEqual([{ method: 'resolveConflict', args: ['/a', 'mine'] }]);
  });

  it('answers anything else with 500 internal_error without its message or stack, and reports it', async () => {
    const seen: unknown[] = [];
    const { server, state } = await start({ onUnexpectedError: (error) => seen.push(error) });
    const failure = new Error('SQLITE_CORRUPT at /home/ann/.ferry/state.db');
    state.failWith = failure;
    for (const path of ['/api/status', '/api/conflicts', '/api/activity']) {
      const answer = await send(server, { path });
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({
        error: { code: 'internal_error', message: 'internal error in the engine' },
      });
    }
    expect(seen).toEqual([failure, failure, failure]);
    state.failWith = new ControlError('internal_error', 'details of the failure');
    const answer = await send(server, { method: 'POST', path: '/api/pause' });
    expect(answer.status).toBe(500);
    expect(errorOf(answer).message).toBe('internal error in the engine');
    expect(seen).toHaveLength(4);
  });
});

describe('the event long-poll', () => {
  it('returns as soon as an event is published', async () => {
    const { server, log, calls } = await start();
    log.publish({ type: 'state', state: 'idle' });
    const polling = send(server, { path: '/api/events?after=1&timeout=60' });
    await waitUntil(() => calls.length === 1 && log.waiterCount === 1, { what: 'the wait' });
    log.publish({ type: 'synced', action: 'upload', path: '/new.txt', sizeBytes: 5 });
    const answer = await polling;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      events: [{ seq: 2, event: { type: 'synced', path: '/new.txt' } }],
      next: 2,
    });
    expect(log.waiterCount).toBe(0);
  });

  it('returns an empty batch at the timeout', async () => {
    const { server, log } = await start();
    log.publish({ type: 'state', state: 'idle' });
    const startedMs = performance.now();
    const answer = await send(server, { path: '/api/events?after=1&timeout=1' });
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(950);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ events: [], next: 1 });
    expect(log.waiterCount).toBe(0);
  });

  it('stops the wait when the client closes the connection', async () => {
    const { server, log, signals } = await start();
    const client = new AbortController();
    const polling = send(server, { path: '/api/events?after=0&timeout=60' }, client.signal);
    await waitUntil(() => log.waiterCount === 1, { what: 'the wait' });
    client.abort();
    await expect(polling).rejects.toMatchObject({ name: 'AbortError' });
    await waitUntil(() => signals[0]?.aborted === true && log.waiterCount === 0, {
      what: 'the aborted wait',
    });
  });

  it('ends pending waits at close() with 503 engine_stopped', async () => {
    const { control, log, signals } = createRecordingControl();
    const server = await startControlServer({ control, port: 0, token: TOKEN });
    const polling = send(server, { path: '/api/events?after=0&timeout=60' });
    await waitUntil(() => log.waiterCount === 1, { what: 'the wait' });
    await server.close();
    const answer = await polling;
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({
      error: { code: 'engine_stopped', message: 'the control API is shutting down' },
    });
    expect(signals[0]?.aborted).toBe(true);
    expect(log.waiterCount).toBe(0);
  });
});
