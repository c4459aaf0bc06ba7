import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/test-server.js';

let dir: string;
let server: TestServer;
let ca: Buffer;

/** A JSON request over HTTPS trusting only the test certificate. */
function call(
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, ca, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString() || 'null'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ferry-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  ca = await readFile(cert);
  server = await startTestServer({ tlsCertFile: cert, tlsKeyFile: key });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('HTTPS', () => {
  it('serves the API over TLS when given a certificate and key', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await call('GET', `${server.url}/healthz`)).toEqual({
      status: 200,
      body: { status: 'ok', stores: { metadata: 'up', blocks: 'up', bus: 'up' } },
    });
    const registered = await call('POST', `${server.url}/auth/register`, {
      email: 'tls@test.example',
      password: 'long-enough',
      name: 'T',
    });
    expect(registered.status).toBe(201);
  });

  it('refuses plain HTTP on the TLS port', async () => {
    const plain = server.url.replace('https:', 'http:');
    await expect(fetch(`${plain}/healthz`)).rejects.toThrow();
  });
});
