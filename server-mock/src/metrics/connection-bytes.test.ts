import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

/** What one request on its own connection cost the client: bytes written and read. */
interface Exchange {
  readonly status: number;
  readonly body: string;
  readonly sentBytes: number;
  readonly receivedBytes: number;
}

/** One request on a fresh connection (no keep-alive), so its socket's counters are its own. */
function exchange(
  method: string,
  path: string,
  options: { body?: Buffer; headers?: Record<string, string> } = {},
): Promise<Exchange> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        agent: false,
        headers: { connection: 'close', ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const socket = req.socket!;
          socket.once('close', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              sentBytes: socket.bytesWritten,
              receivedBytes: socket.bytesRead,
            }),
          );
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function bytesTotal(metrics: string, direction: 'received' | 'sent'): number {
  const match = new RegExp(
    `^ferry_http_bytes_total\\{direction="${direction}"\\} (\\d+)`,
    'm',
  ).exec(metrics);
  if (!match) throw new Error(`no ferry_http_bytes_total{direction="${direction}"}`);
  return Number(match[1]);
}

describe('ferry_http_bytes_total', () => {
  it('counts every byte of heads and bodies both ways, streamed uploads included', async () => {
    const ann = await server.createUser('bytes');
    const first = await exchange('GET', '/metrics');
    const body = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const upload = await exchange('POST', '/files/upload?uploadType=media&path=/wire.bin', {
      body,
      headers: {
        authorization: `Bearer ${ann.token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(body.length),
      },
    });
    expect(upload.status).toBe(200);
    const second = await exchange('GET', '/metrics');

    // A scrape counts its own request (read before the counters are taken) but not its answer.
    expect(bytesTotal(second.body, 'received') - bytesTotal(first.body, 'received')).toBe(
      upload.sentBytes + second.sentBytes,
    );
    expect(bytesTotal(second.body, 'sent') - bytesTotal(first.body, 'sent')).toBe(
      first.receivedBytes + upload.receivedBytes,
    );
    expect(upload.sentBytes).toBeGreaterThan(body.length);
  });
});
