/**
 * Hostile requests to the control API over real loopback HTTP: each is refused with a 4xx, a
 * code and a message naming the problem, and the engine behind it is never called.
 */
import { connect } from 'node:net';
import type http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeStartedServers,
  errorOf,
  send,
  startRecordingServer as start,
  type SendOptions,
} from './http-server.fixture.js';

afterEach(closeStartedServers);

/** Bad arguments of the file browser, history and sharing routes. */
function accountCases(): { name: string; request: SendOptions; message: string }[] {
  const body = (path: string, value: unknown) => ({
    method: 'POST',
    path,
    body: JSON.stringify(value),
  });
  const octets = (path: string) => ({
    method: 'POST',
    path,
    body: 'bytes',
    headers: { 'content-type': 'application/octet-stream' },
  });
  return [
    {
      name: 'a folder listing without path',
      request: { path: '/api/folder' },
      message: 'path is required',
    },
    {
      name: 'a folder listing of a .. path',
      request: { path: '/api/folder?path=/a/../..' },
      message: 'path has a . or .. segment',
    },
    {
      name: 'a folder listing with a repeated path',
      request: { path: '/api/folder?path=/a&path=/b' },
      message: 'query parameter "path" is repeated',
    },
    {
      name: 'the history of /',
      request: { path: '/api/revisions?path=/' },
      message: 'path must name a file or folder, not /',
    },
    {
      name: 'the history of a path with a NUL',
      request: { path: '/api/revisions?path=/a%00b' },
      message: 'path',
    },
    {
      name: 'a restore without rev',
      request: body('/api/revisions/restore', { path: '/a' }),
      message: 'rev is required',
    },
    {
      name: 'a restore of a rev with a slash',
      request: body('/api/revisions/restore', { path: '/a', rev: '../r1' }),
      message: 'rev must be 1 to 128 URL-safe characters',
    },
    {
      name: 'a restore with a numeric rev',
      request: body('/api/revisions/restore', { path: '/a', rev: 5 }),
      message: 'rev must be 1 to 128 URL-safe characters',
    },
    {
      name: 'a share with a bad email',
      request: body('/api/shares', { path: '/docs', email: 'not an email', role: 'viewer' }),
      message: 'email must be an address like name@example.com',
    },
    {
      name: 'a share with a control character in the email',
      request: body('/api/shares', { path: '/docs', email: 'a\u0007@b.c', role: 'viewer' }),
      message: 'email must be an address',
    },
    {
      name: 'a share with the owner role',
      request: body('/api/shares', { path: '/docs', email: 'a@b.c', role: 'owner' }),
      message: 'role must be one of viewer, editor',
    },
    {
      name: 'a share of /',
      request: body('/api/shares', { path: '/', email: 'a@b.c', role: 'viewer' }),
      message: 'path must name a file or folder, not /',
    },
    {
      name: 'a share with an extra field',
      request: body('/api/shares', { path: '/d', email: 'a@b.c', role: 'viewer', notify: 1 }),
      message: 'body field "notify" is not known (expected: path, email, role)',
    },
    {
      name: 'a role change without shareId',
      request: body('/api/shares/role', { role: 'viewer' }),
      message: 'shareId is required',
    },
    {
      name: 'an import without a path',
      request: { ...octets('/api/import'), body: 'abc' },
      message: 'path is required',
    },
    {
      name: 'an import into the engine’s own folder',
      request: octets('/api/import?path=/.ferry/tmp/x'),
      message: 'path must not be in .ferry',
    },
    {
      name: 'an import into the engine’s own folder spelled in capitals',
      request: octets('/api/import?path=/.FERRY/x'),
      message: 'path must not be in .ferry',
    },
    {
      name: 'an import sent as JSON',
      request: body('/api/import?path=/a.txt', { content: 'abc' }),
      message: 'the file must be sent as an application/octet-stream body',
    },
    {
      name: 'bytes sent to a JSON route',
      request: octets('/api/conflicts/resolve'),
      message: 'Content-Type must be application/json',
    },
    {
      name: 'a bandwidth limit of 0',
      request: body('/api/settings', { limitUpBytesPerSecond: 0 }),
      message: 'limitUpBytesPerSecond must be null or an integer from 1000 to 10000000000',
    },
    {
      name: 'a fractional bandwidth limit',
      request: body('/api/settings', { limitDownBytesPerSecond: 1500.5 }),
      message: 'limitDownBytesPerSecond must be null or an integer',
    },
    {
      name: 'a bandwidth limit as text',
      request: body('/api/settings', { limitDownBytesPerSecond: '5MB/s' }),
      message: 'limitDownBytesPerSecond must be null or an integer',
    },
    {
      name: 'ignore patterns with a NUL',
      request: body('/api/settings', { ignorePatterns: 'a\u0000b' }),
      message: 'ignorePatterns must not contain NUL',
    },
    {
      name: 'ignore patterns over 32 KiB',
      request: body('/api/settings', { ignorePatterns: 'x'.repeat(40_000) }),
      message: 'ignorePatterns must be text of at most 32768 characters',
    },
    {
      name: 'an excluded folder given as a path',
      request: body('/api/settings', { excludedFolders: ['Photos/2026'] }),
      message: 'excludedFolders must hold top-level folder names (one segment, no "/")',
    },
    {
      name: 'an excluded folder named ..',
      request: body('/api/settings', { excludedFolders: ['..'] }),
      message: 'excludedFolders must hold top-level folder names',
    },
    {
      name: 'excluded folders as one string',
      request: body('/api/settings', { excludedFolders: 'Photos' }),
      message: 'excludedFolders must be a list of at most 1000 folder names',
    },
    {
      name: 'too many excluded folders',
      request: body('/api/settings', {
        excludedFolders: Array.from({ length: 1001 }, (_, i) => `f${i}`),
      }),
      message: 'excludedFolders must be a list of at most 1000 folder names',
    },
    {
      name: 'an unknown setting',
      request: body('/api/settings', { selectiveSync: ['/a'] }),
      message: 'body field "selectiveSync" is not known',
    },
    {
      name: 'a first run against a file: URL',
      request: body('/api/first-run', {
        mode: 'signin',
        serverUrl: 'file:///etc',
        email: 'a@b.c',
        password: 'p',
      }),
      message: 'serverUrl must be an http(s) address',
    },
    {
      name: 'a first run against a URL with a path and credentials',
      request: body('/api/first-run', {
        mode: 'signin',
        serverUrl: 'http://u:p@h/x',
        email: 'a@b.c',
        password: 'p',
      }),
      message: 'serverUrl must be an http(s) address',
    },
    {
      name: 'a first run without a password',
      request: body('/api/first-run', {
        mode: 'signin',
        serverUrl: 'http://127.0.0.1:1',
        email: 'a@b.c',
        password: '',
      }),
      message: 'password must be 1 to 1024 characters',
    },
    {
      name: 'a sign-up without a name',
      request: body('/api/first-run', {
        mode: 'signup',
        serverUrl: 'http://127.0.0.1:1',
        email: 'a@b.c',
        password: 'p',
      }),
      message: 'name is required to create an account',
    },
    {
      name: 'a first run into a relative folder',
      request: body('/api/first-run', {
        mode: 'signin',
        serverUrl: 'http://127.0.0.1:1',
        email: 'a@b.c',
        password: 'p',
        folder: 'Ferry',
      }),
      message: 'folder must be an absolute path',
    },
    {
      name: 'a first run with a control character in the device name',
      request: body('/api/first-run', {
        mode: 'signin',
        serverUrl: 'http://127.0.0.1:1',
        email: 'a@b.c',
        password: 'p',
        deviceName: 'a\u001bb',
      }),
      message: 'deviceName must be 1 to 200 characters without control characters',
    },
    {
      name: 'a first run of an unknown mode',
      request: body('/api/first-run', {
        mode: 'sudo',
        serverUrl: 'http://127.0.0.1:1',
        email: 'a@b.c',
        password: 'p',
      }),
      message: 'mode must be signin or signup',
    },
    {
      name: 'a revoke of an id with spaces',
      request: body('/api/shares/revoke', { shareId: 'a b' }),
      message: 'shareId must be 1 to 128 URL-safe characters',
    },
  ];
}

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
    ...accountCases(),
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

  it('refuses two Host headers, even when the first is right, calling nothing', async () => {
    const { server, calls } = await start();
    const { port } = new URL(server.url);
    const right = `127.0.0.1:${port}`;
    for (const second of ['evil.example', right]) {
      // Node's client sends one Host only: the request is written by hand.
      const raw = await rawRequest(
        Number(port),
        `GET /api/status HTTP/1.1\r\nHost: ${right}\r\nHost: ${second}\r\n` +
          `Authorization: Bearer ${server.token}\r\nConnection: close\r\n\r\n`,
      );
      expect(raw).toMatch(/^HTTP\/1\.1 400 /);
      expect(raw).toContain('Host must be 127.0.0.1:');
    }
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

/** Writes `text` to the port as it is and reads the whole answer (the server closes). */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}
