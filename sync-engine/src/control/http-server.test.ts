/**
 * The control API's HTTP layer over real loopback HTTP. The engine behind it is a small
 * EngineControl that records its calls (its long-poll is a real EventLog): what is under test
 * is the token, routing, error mapping and the long-poll's lifetime. Hostile inputs:
 * http-server-hostile.test.ts.
 */
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../testkit/index.js';
import { CONTROL_ROUTES, ControlError } from './contract.js';
import { startControlServer } from './http-server.js';
import {
  ACTIVITY,
  CONFLICT,
  FOLDER_ENTRY,
  REVISION,
  SHARE,
  STATUS,
  TOKEN,
  closeStartedServers,
  createRecordingControl,
  errorOf,
  send,
  startRecordingServer as start,
  trackServer,
} from './http-server.fixture.js';

afterEach(closeStartedServers);

describe('startControlServer', () => {
  it('listens on 127.0.0.1 with a generated 32-byte base64url token by default', async () => {
    const { control } = createRecordingControl();
    const server = await startControlServer({ control, port: 0 });
    trackServer(server);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+$/);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(server.token, 'base64url')).toHaveLength(32);
    const other = await startControlServer({ control, port: 0 });
    trackServer(other);
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

  it.each([
    {
      request: { path: `/api/folder?path=${encodeURIComponent('/docs/cafe\u0301')}` },
      call: { method: 'listFolder', args: ['/docs/café'] },
      body: [FOLDER_ENTRY],
    },
    {
      request: { path: '/api/folder?path=/' },
      call: { method: 'listFolder', args: ['/'] },
      body: [FOLDER_ENTRY],
    },
    {
      request: { path: '/api/revisions?path=/a.txt' },
      call: { method: 'listRevisions', args: ['/a.txt'] },
      body: [REVISION],
    },
    {
      request: {
        method: 'POST',
        path: '/api/revisions/restore',
        body: '{"path":"/a.txt","rev":"r2"}',
      },
      call: { method: 'restoreRevision', args: ['/a.txt', 'r2'] },
      body: { rev: 'r9' },
    },
    {
      request: { path: '/api/shares' },
      call: { method: 'listShares', args: [] },
      body: { owned: [SHARE], received: [] },
    },
    {
      request: {
        method: 'POST',
        path: '/api/shares',
        body: '{"path":"/docs","email":"cy@example.com","role":"viewer"}',
      },
      call: { method: 'shareFolder', args: ['/docs', 'cy@example.com', 'viewer'] },
      body: { ...SHARE, recipientEmail: 'cy@example.com', role: 'viewer' },
    },
    {
      request: {
        method: 'POST',
        path: '/api/shares/role',
        body: '{"shareId":"s1","role":"viewer"}',
      },
      call: { method: 'changeShareRole', args: ['s1', 'viewer'] },
      body: { ...SHARE, role: 'viewer' },
    },
    {
      request: { method: 'POST', path: '/api/shares/revoke', body: '{"shareId":"s1"}' },
      call: { method: 'revokeShare', args: ['s1'] },
      body: { id: 's1' },
    },
  ])('$call.method: $request.path passes its arguments', async ({ request, call, body }) => {
    const { server, calls } = await start();
    const answer = await send(server, request);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(body);
    expect(calls).toEqual([call]);
  });

  it('GET /api/downloads/<ticket> streams what the ticket names, without the token, once', async () => {
    const recording = createRecordingControl();
    const asked: string[] = [];
    const ticket = 'T'.repeat(43);
    const server = trackServer(
      await startControlServer({
        control: recording.control,
        port: 0,
        token: TOKEN,
        openDownload: async (given) => {
          asked.push(given);
          if (given !== ticket || asked.length > 1) return undefined;
          return {
            fileName: 'Équipe.zip',
            body: (async function* () {
              yield new TextEncoder().encode('PK-bytes');
            })(),
          };
        },
      }),
    );
    const answer = await send(server, { path: `/api/downloads/${ticket}`, token: null });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/zip');
    expect(answer.headers['content-disposition']).toBe(
      `attachment; filename="_quipe.zip"; filename*=UTF-8''%C3%89quipe.zip`,
    );
    expect(answer.body).toBe('PK-bytes');
    for (const path of [
      `/api/downloads/${ticket}`,
      '/api/downloads/short',
      '/api/downloads/..%2f..',
    ]) {
      const refused = await send(server, { path, token: null });
      expect(refused.status, path).toBe(404);
      expect(errorOf(refused).code, path).toMatch(/path_not_found|not_found/);
    }
    // Malformed tickets never reach the engine.
    expect(asked).toEqual([ticket, ticket]);
    const foreign = await send(server, {
      path: `/api/downloads/${ticket}`,
      token: null,
      headers: { origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
  });

  it('POST /api/import streams the body to the engine with the path', async () => {
    const { server, calls } = await start();
    const bytes = 'x'.repeat(200_000);
    const answer = await send(server, {
      method: 'POST',
      path: `/api/import?path=${encodeURIComponent('/Drop/café.txt')}`,
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ path: '/Drop/café.txt', sizeBytes: 200_000 });
    expect(calls).toEqual([{ method: 'importFile', args: ['/Drop/café.txt', 200_000] }]);
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
