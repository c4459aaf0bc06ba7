/**
 * HTTPS (SPEC "HTTP API (v1)": HTTPS when started with a certificate; tests cover both): the
 * server started with a generated certificate for 127.0.0.1 serves a representative flow over
 * TLS with verification on (register, login, simple, block and resumable uploads, downloads
 * byte-equal with Range, long-poll wake-up), refuses plain HTTP on its port, and is refused by
 * clients that do not trust its certificate.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cursor, LoginResponse } from 'sync-engine/protocol';
import { encodeContent } from '../test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import { startTestServer, type TestServer } from '../test-server.js';
import { createTlsCertificate, type TlsCertificate } from 'sync-engine/testkit';
import { createHttpsClient, type HttpsClient } from './https-client.js';

let cert: TlsCertificate;
let server: TestServer;
let client: HttpsClient;
let login: LoginResponse;

const FILE = seededBytes('random', 11, 3 * 1024 * 1024 + 123);

beforeAll(async () => {
  cert = await createTlsCertificate();
  server = await startTestServer({ tlsCertFile: cert.certFile, tlsKeyFile: cert.keyFile });
  client = createHttpsClient(server.url, cert.certPem);
});
afterAll(async () => {
  client?.close();
  await server?.close();
  await cert?.remove();
});

const call = (method: string, path: string, options: Parameters<HttpsClient['call']>[2] = {}) =>
  client.call(method, path, { token: login.token, ...options });

describe('the API over HTTPS', () => {
  it('announces an https URL and registers and logs in', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const credentials = { email: 'tls@test.example', password: 'password-tls' };
    const registered = await client.call('POST', '/auth/register', {
      json: { ...credentials, name: 'TLS' },
    });
    expect(registered.status).toBe(201);
    const res = await client.call('POST', '/auth/login', {
      json: { ...credentials, deviceName: 'tls-laptop' },
    });
    expect(res.status).toBe(200);
    login = res.body as LoginResponse;
    expect((await call('GET', '/account')).body).toMatchObject({ email: credentials.email });
    const anonymous = await client.call('GET', '/account');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('uploads a file and downloads it byte for byte, whole and by Range', async () => {
    const uploaded = await call('POST', '/files/upload?uploadType=media&path=/tls/big.bin', {
      bytes: FILE,
    });
    expect(uploaded.status).toBe(200);
    expect(uploaded.body).toMatchObject({ path: '/tls/big.bin', size: FILE.length });
    const whole = await call('GET', '/files/download?path=/tls/big.bin');
    expect(whole.status).toBe(200);
    expect(whole.bytes.equals(Buffer.from(FILE))).toBe(true);
    const part = await call('GET', '/files/download?path=/tls/big.bin', {
      headers: { range: 'bytes=1048570-1048600' },
    });
    expect(part.status).toBe(206);
    expect(part.bytes.equals(Buffer.from(FILE.subarray(1048570, 1048601)))).toBe(true);
  });

  it('uploads blocks, commits them and serves them back', async () => {
    const keyRes = await call('GET', `/keys/${login.rootNamespace}`);
    const key = new Uint8Array(Buffer.from((keyRes.body as { key: string }).key, 'base64'));
    const content = seededBytes('random', 12, 200_000);
    const blocks = await encodeContent(content, key);
    for (const block of blocks) {
      const put = await call('PUT', `/blocks/${login.rootNamespace}/${block.id}`, {
        bytes: block.encoded,
      });
      expect(put.status).toBe(200);
    }
    const got = await call('GET', `/blocks/${login.rootNamespace}/${blocks[0]!.id}`);
    expect(got.bytes.equals(Buffer.from(blocks[0]!.encoded))).toBe(true);
    const commit = await call('POST', '/files/commit', {
      json: {
        path: '/tls/blocks.bin',
        blocks: blocks.map((b) => b.id),
        size: content.length,
        modified: 1_700_000_000_000,
        parentRev: null,
      },
    });
    expect(commit.status).toBe(200);
    const download = await call('GET', '/files/download?path=/tls/blocks.bin');
    expect(download.bytes.equals(Buffer.from(content))).toBe(true);
  });

  it('runs a resumable upload whose session URL is https', async () => {
    const content = seededBytes('random', 13, 100_000);
    const started = await call('POST', '/files/upload?uploadType=resumable&path=/tls/r.bin', {
      headers: { 'x-upload-content-length': String(content.length) },
    });
    expect(started.status).toBe(200);
    const location = String(started.headers.location);
    expect(location).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/files\/upload\/sessions\//);
    const first = await call('PUT', location, {
      bytes: content.subarray(0, 60_000),
      headers: { 'content-range': `bytes 0-59999/${content.length}` },
    });
    expect(first.status).toBe(308);
    expect(first.headers.range).toBe('bytes=0-59999');
    const last = await call('PUT', location, {
      bytes: content.subarray(60_000),
      headers: { 'content-range': `bytes 60000-${content.length - 1}/${content.length}` },
    });
    expect(last.status).toBe(200);
    const download = await call('GET', '/files/download?path=/tls/r.bin');
    expect(download.bytes.equals(Buffer.from(content))).toBe(true);
  });

  it('wakes a long-poll when another device commits', async () => {
    const cursor = ((await call('GET', '/changes/latest_cursor')).body as { cursor: Cursor })
      .cursor;
    const poll = call('GET', `/notifications/longpoll?cursor=${cursor}&timeout=20`);
    const other = await client.call('POST', '/auth/login', {
      json: { email: 'tls@test.example', password: 'password-tls', deviceName: 'tls-phone' },
    });
    const otherToken = (other.body as LoginResponse).token;
    const mkdir = await client.call('POST', '/files/mkdir', {
      token: otherToken,
      json: { path: '/tls/from-phone' },
    });
    expect(mkdir.status).toBe(200);
    const woke = await poll;
    expect(woke.status).toBe(200);
    expect(woke.body).toMatchObject({ changes: true });
  });
});

describe('TLS is required and verified', () => {
  it('gives no HTTP response to plain HTTP on the HTTPS port', async () => {
    const port = new URL(server.url).port;
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest(`http://127.0.0.1:${port}/healthz`, (res) => {
        res.resume();
        resolve(`status ${res.statusCode}`);
      });
      req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? ''}`));
      req.end();
    });
    expect(outcome).toMatch(/^error /);
  });

  it('is refused by a client that does not trust the certificate', async () => {
    const untrusting = createHttpsClient(server.url, undefined);
    try {
      await expect(untrusting.call('GET', '/healthz')).rejects.toMatchObject({
        code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY/),
      });
    } finally {
      untrusting.close();
    }
  });

  it('is refused by a client that trusts a different certificate', async () => {
    const other = await createTlsCertificate();
    const wrongCa = createHttpsClient(server.url, other.certPem);
    try {
      await expect(wrongCa.call('GET', '/healthz')).rejects.toMatchObject({
        code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY/),
      });
    } finally {
      wrongCa.close();
      await other.remove();
    }
  });
});
