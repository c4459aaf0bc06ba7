/**
 * Faults the real server does not produce on demand: a stand-in HTTP server on loopback answers
 * what a broken proxy, a hostile server or a dead network would. Everything else of the client
 * is tested against the real server beside this file.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { BlockId, Cursor, NamespaceId, Rev } from '../protocol/index.js';
import { createRemoteClient, type RemoteClientOptions } from './remote-client.js';
import { RemoteError } from './remote-error.js';

const signal = () => AbortSignal.timeout(10_000);
const TOKEN = 'test-token_0123456789';

interface FakeServer {
  readonly url: string;
  /** TCP connections accepted so far. */
  readonly connections: () => number;
  /** Every request's method, URL and Authorization header. */
  readonly requests: { method: string; url: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

const running: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function startFakeServer(handler: Handler): Promise<FakeServer> {
  let connections = 0;
  const requests: FakeServer['requests'] = [];
  const server = http.createServer((request, response) => {
    requests.push({
      method: request.method ?? '',
      url: request.url ?? '',
      authorization: request.headers.authorization,
    });
    // Read the body to its end first, as a real server does, then answer.
    request.resume();
    request.on('end', () => handler(request, response));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const fake: FakeServer = {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  running.push(fake);
  return fake;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
}

function clientOf(server: FakeServer, options: Partial<RemoteClientOptions> = {}) {
  return createRemoteClient({ baseUrl: server.url, token: TOKEN, ...options });
}

async function rejection(promise: Promise<unknown>): Promise<RemoteError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RemoteError);
  return error as RemoteError;
}

/** A loopback port nothing listens on: bound, then released. */
async function deadPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const ACCOUNT = {
  userId: 'user-1',
  email: 'ann@test.example',
  name: 'Ann',
  usedBytes: 0,
  quotaBytes: 100,
  rootNamespace: 'ns-1',
};

describe('the transport under faults', () => {
  it('gives network_error when nothing listens, retryable and without a status', async () => {
    const client = createRemoteClient({ baseUrl: `http://127.0.0.1:${await deadPort()}` });
    try {
      const error = await rejection(client.getAccount(signal()));
      expect(error).toMatchObject({ code: 'network_error', status: undefined, isRetryable: true });
      expect(error.message).toMatch(/^read the account: /);
    } finally {
      client.close();
    }
  });

  it('gives unavailable with retryAfterMs for a 503 with Retry-After', async () => {
    const server = await startFakeServer(
      json(
        503,
        { error: { code: 'unavailable', message: 'shutting down' } },
        { 'retry-after': '7' },
      ),
    );
    const error = await rejection(clientOf(server).getAccount(signal()));
    expect(error).toMatchObject({
      code: 'unavailable',
      status: 503,
      retryAfterMs: 7000,
      isRetryable: true,
      serverMessage: 'shutting down',
    });
  });

  it("maps a proxy's 502 page to internal_error, retryable", async () => {
    const server = await startFakeServer((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<h1>Bad Gateway</h1>');
    });
    const error = await rejection(clientOf(server).getAccount(signal()));
    expect(error).toMatchObject({ code: 'internal_error', status: 502, isRetryable: true });
  });

  it.each([
    ['an empty object', json(200, {})],
    ['a wrong type', json(200, { ...ACCOUNT, usedBytes: '12' })],
    ['a negative size', json(200, { ...ACCOUNT, usedBytes: -1 })],
    [
      'text that is not JSON',
      ((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"userId": ');
      }) as Handler,
    ],
    [
      'JSON under another content type',
      ((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end(JSON.stringify(ACCOUNT));
      }) as Handler,
    ],
    ['a success status the endpoint never gives', json(204, ACCOUNT)],
  ])('gives invalid_response, never undefined fields, for %s', async (_name, handler) => {
    const server = await startFakeServer(handler);
    const error = await rejection(clientOf(server).getAccount(signal()));
    expect(error.code).toBe('invalid_response');
  });

  it.each([
    ['a path with ..', '/Docs/../../etc/passwd'],
    ['a relative path', 'etc/passwd'],
    ['a control character', '/Docs/a\u0007.txt'],
    ['an NFD path', '/cafe\u0301.txt'],
  ])('refuses a change entry with %s', async (_name, path) => {
    const entry = { tag: 'folder', path, fileId: 'f1', namespace: 'ns-1' };
    const server = await startFakeServer(
      json(200, { entries: [entry], cursor: 'c2', hasMore: false }),
    );
    const error = await rejection(
      clientOf(server).listChanges({ cursor: 'c1' as Cursor }, signal()),
    );
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain('$.entries[0]');
  });

  it('never returns a commit conflict whose detail is missing', async () => {
    const commit = {
      path: '/a.txt',
      blocks: [],
      size: 0,
      modified: 0,
      parentRev: null,
    };
    const noRev = await startFakeServer(
      json(409, { error: { code: 'rev_conflict', message: 'stale' } }),
    );
    expect((await rejection(clientOf(noRev).commitFile(commit, signal()))).code).toBe(
      'invalid_response',
    );
    const badMissing = await startFakeServer(
      json(412, { error: { code: 'missing_blocks', message: 'x', missing: ['not-a-hash'] } }),
    );
    expect((await rejection(clientOf(badMissing).commitFile(commit, signal()))).code).toBe(
      'invalid_response',
    );
    // A 500 whose body claims a conflict is still a server error, not a result.
    const confused = await startFakeServer(
      json(500, { error: { code: 'rev_conflict', message: 'x', currentRev: 'r1' } }),
    );
    expect((await rejection(clientOf(confused).commitFile(commit, signal()))).code).toBe(
      'internal_error',
    );
  });

  describe('a block list that contradicts itself', () => {
    const id = 'a'.repeat(64);
    const list = {
      path: '/a.bin',
      fileId: 'f1',
      namespace: 'ns-1',
      rev: 'r1',
      size: 10,
      // SHA-256 of the one raw 32-byte id above, as the server computes it.
      contentHash: createHash('sha256').update(Buffer.from(id, 'hex')).digest('hex'),
      modified: 0,
      blocks: [{ id, size: 10 }],
    };
    it('is accepted when it agrees (the cases below are not refused by accident)', async () => {
      const server = await startFakeServer(json(200, list));
      expect(await clientOf(server).getFileBlocks({ path: '/a.bin' }, signal())).toEqual(list);
    });
    it.each([
      ['another revision than asked', { ...list, rev: 'r2' }, 'revision r2 instead of r1'],
      ['sizes that do not add up', { ...list, size: 11 }, 'blocks of 10 bytes for a file of 11'],
      ['another content hash', { ...list, contentHash: 'b'.repeat(64) }, 'content hash'],
      ['an empty block', { ...list, size: 0, blocks: [{ id, size: 0 }] }, '$.blocks[0]'],
      ['a block id that is no hash', { ...list, blocks: [{ id: 'x', size: 10 }] }, '$.blocks[0]'],
      ['a path with ..', { ...list, path: '/../a.bin' }, '$.path'],
    ])('gives invalid_response for %s', async (_name, body, detail) => {
      const server = await startFakeServer(json(200, body));
      const error = await rejection(
        clientOf(server).getFileBlocks({ path: '/a.bin', rev: 'r1' as Rev }, signal()),
      );
      expect(error.code).toBe('invalid_response');
      expect(error.message).toContain(detail);
    });
  });

  it('refuses a block check that names a block it was not asked about', async () => {
    const asked = 'a'.repeat(64) as BlockId;
    const server = await startFakeServer(json(200, { missing: ['b'.repeat(64)] }));
    const error = await rejection(
      clientOf(server).checkBlocks({ namespace: 'ns-1' as NamespaceId, hashes: [asked] }, signal()),
    );
    expect(error.code).toBe('invalid_response');
  });

  it('stops reading an answer larger than the limit', async () => {
    const server = await startFakeServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      // Chunked, no Content-Length: only counting what arrives can stop it.
      const padding = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 16; i++) response.write(padding);
      response.end();
    });
    const error = await rejection(
      clientOf(server, { maxJsonResponseBytes: 100_000 }).getAccount(signal()),
    );
    expect(error.code).toBe('invalid_response');
    expect(error.message).toContain('larger than 100000 bytes');
  });

  it('gives timeout when the answer does not come, and a long-poll waits longer', async () => {
    const server = await startFakeServer((request, response) => {
      // Answers after 1.5 s: past the client's 300 ms, inside a 1 s long-poll plus its grace.
      setTimeout(
        () =>
          json(200, request.url?.startsWith('/notifications') ? { changes: false } : ACCOUNT)(
            request,
            response,
          ),
        1500,
      );
    });
    const client = clientOf(server, { responseTimeoutMs: 300, longPollGraceMs: 5000 });
    const error = await rejection(client.getAccount(signal()));
    expect(error).toMatchObject({ code: 'timeout', isRetryable: true });
    expect(await client.longPoll({ cursor: 'c' as Cursor, timeoutSeconds: 1 }, signal())).toEqual({
      changes: false,
    });
  });

  it('reuses one connection for sequential requests (keep-alive)', async () => {
    const server = await startFakeServer(json(200, ACCOUNT));
    const client = clientOf(server);
    for (let i = 0; i < 5; i++) await client.getAccount(signal());
    expect(server.connections()).toBe(1);
    expect(server.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    client.close();
  });

  it('reuses the connection after a download read to its end', async () => {
    const server = await startFakeServer((_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': '300000',
        'x-ferry-rev': 'r1',
        'x-ferry-content-hash': 'c'.repeat(64),
      });
      response.end(Buffer.alloc(300_000, 7));
    });
    const client = clientOf(server);
    for (let i = 0; i < 4; i++) {
      const download = await client.downloadFile({ path: '/a.bin' }, signal());
      let received = 0;
      for await (const chunk of download.body) received += chunk.length;
      expect(received).toBe(300_000);
    }
    expect(server.connections()).toBe(1);
    client.close();
  });

  it('fails a download body cut short of its Content-Length with network_error', async () => {
    const server = await startFakeServer((_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': '1000',
        'x-ferry-rev': 'r1',
        'x-ferry-content-hash': 'c'.repeat(64),
      });
      response.write(Buffer.alloc(400));
      setTimeout(() => response.socket?.destroy(), 50);
    });
    const download = await clientOf(server).downloadFile({ path: '/a.bin' }, signal());
    expect(download.lengthBytes).toBe(1000);
    let received = 0;
    const error = await (async () => {
      for await (const chunk of download.body) received += chunk.length;
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ code: 'network_error' });
    expect(received).toBeLessThan(1000);
  });

  it('sends a session URL of another host to the configured server only', async () => {
    const server = await startFakeServer((request, response) => {
      if (request.method === 'POST') {
        response.writeHead(200, { location: 'http://evil.example:9/files/upload/sessions/s1' });
        response.end();
        return;
      }
      response.writeHead(308, { range: 'bytes=0-9' });
      response.end();
    });
    const client = clientOf(server);
    const session = await client.startUpload({ path: '/a.bin', totalBytes: 100 }, signal());
    expect(session.url).toBe(`${server.url}/files/upload/sessions/s1`);
    expect(await client.queryUpload(session, signal())).toEqual({
      kind: 'incomplete',
      receivedBytes: 10,
    });
    expect(server.requests.at(-1)).toMatchObject({
      method: 'PUT',
      url: '/files/upload/sessions/s1',
      authorization: `Bearer ${TOKEN}`,
    });
  });

  it('keeps a path prefix of the base URL and cleans control characters from messages', async () => {
    const server = await startFakeServer(
      json(404, { error: { code: 'not_found', message: 'no \u001b[31mroute\u001b[0m\nhere' } }),
    );
    const client = createRemoteClient({ baseUrl: `${server.url}/ferry/`, token: TOKEN });
    const error = await rejection(client.getAccount(signal()));
    expect(server.requests[0]?.url).toBe('/ferry/account');
    expect(error.code).toBe('not_found');
    expect(error.serverMessage).toBe('no [31mroute [0m here');
    client.close();
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => createRemoteClient({ baseUrl: 'ftp://example.com' })).toThrow(TypeError);
    expect(() => createRemoteClient({ baseUrl: 'not a url' })).toThrow(TypeError);
  });
});
