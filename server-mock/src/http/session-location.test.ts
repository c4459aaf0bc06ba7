import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/test-server.js';

let servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

/** Starts a resumable session with a chosen Host header; resolves the Location answered. */
function startSession(server: TestServer, token: string, host: string): Promise<string> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: Number(url.port),
        method: 'POST',
        path: '/files/upload?uploadType=resumable&path=%2Fa.bin',
        headers: {
          host,
          authorization: `Bearer ${token}`,
          'x-upload-content-length': '3',
          'content-length': '0',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`session start answered ${res.statusCode}`));
          else resolve(String(res.headers.location));
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('resumable session Location', () => {
  it('is built from the listening address, whatever Host the client sends', async () => {
    const server = await startTestServer();
    servers.push(server);
    const ann = await server.createUser('ann');
    const location = await startSession(server, ann.token, 'evil.example');
    expect(location.startsWith(`${server.url}/files/upload/sessions/up_`)).toBe(true);
  });

  it('uses the configured public URL (with its path prefix) behind a proxy', async () => {
    const server = await startTestServer({ publicUrl: 'https://files.example.com/ferry/' });
    servers.push(server);
    const ann = await server.createUser('ann');
    const location = await startSession(server, ann.token, 'evil.example');
    expect(location).toMatch(/^https:\/\/files\.example\.com\/ferry\/files\/upload\/sessions\/up_/);
    // The session itself works at that path on the server (the proxy strips the prefix).
    const sessionPath = new URL(location).pathname.replace(/^\/ferry/, '');
    const done = await ann.send('PUT', sessionPath, new Uint8Array([1, 2, 3]), {
      'content-range': 'bytes 0-2/3',
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ path: '/a.bin', size: 3 });
  });
});
