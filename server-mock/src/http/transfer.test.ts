import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileMetadata } from 'sync-engine/protocol';
import { utf8 } from '../../test/test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let server: TestServer;
let ann: TestClient;
beforeAll(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
});
afterAll(async () => server.close());

const upload = (client: TestClient, path: string, body: Uint8Array, extra = '') =>
  client.send(
    'POST',
    `/files/upload?uploadType=media&path=${encodeURIComponent(path)}${extra}`,
    body,
  );

describe('simple upload and download', () => {
  it('uploads a multi-block file and downloads identical bytes', async () => {
    const content = seededBytes('random', 7, 9 * 1024 * 1024 + 123);
    const res = await upload(ann, '/big.bin', content);
    expect(res.status).toBe(200);
    const file = res.body as FileMetadata;
    expect(file).toMatchObject({ path: '/big.bin', size: content.length, status: 'uploaded' });
    const got = await ann.fetch('/files/download?path=/big.bin');
    expect(got.status).toBe(200);
    expect(got.headers.get('content-length')).toBe(String(content.length));
    expect(got.headers.get('x-ferry-rev')).toBe(file.rev);
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(content))).toBe(true);
  });

  it('dedups: uploading the same bytes again stores nothing new', async () => {
    const content = seededBytes('random', 9, 2 * 1024 * 1024);
    await upload(ann, '/dup1.bin', content);
    const before = (await ann.json('GET', '/account')).body as { usedBytes: number };
    await upload(ann, '/dup2.bin', content);
    const after = (await ann.json('GET', '/account')).body as { usedBytes: number };
    expect(after.usedBytes).toBe(before.usedBytes);
  });

  it('honours Range requests across block boundaries (206) and refuses impossible ones (416)', async () => {
    const content = seededBytes('random', 11, 3 * 1024 * 1024);
    await upload(ann, '/ranged.bin', content);
    const start = 1024 * 1024 - 10;
    const res = await ann.fetch('/files/download?path=/ranged.bin', {
      headers: { range: `bytes=${start}-${start + 99}` },
    });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${start + 99}/${content.length}`);
    expect(
      Buffer.from(await res.arrayBuffer()).equals(
        Buffer.from(content.subarray(start, start + 100)),
      ),
    ).toBe(true);
    const tail = await ann.fetch('/files/download?path=/ranged.bin', {
      headers: { range: 'bytes=-5' },
    });
    expect(
      Buffer.from(await tail.arrayBuffer()).equals(
        Buffer.from(content.subarray(content.length - 5)),
      ),
    ).toBe(true);
    const bad = await ann.fetch('/files/download?path=/ranged.bin', {
      headers: { range: `bytes=${content.length}-` },
    });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe(`bytes */${content.length}`);
  });

  it('downloads an old revision with rev=, and 404s for a rev of another file', async () => {
    const v1 = (await upload(ann, '/v.txt', utf8('old'))).body as FileMetadata;
    await upload(ann, '/v.txt', utf8('new'));
    const old = await ann.fetch(`/files/download?path=/v.txt&rev=${v1.rev}`);
    expect(await old.text()).toBe('old');
    const other = (await upload(ann, '/w.txt', utf8('w'))).body as FileMetadata;
    expect((await ann.fetch(`/files/download?path=/v.txt&rev=${other.rev}`)).status).toBe(404);
  });

  it('with parentRev, a stale simple upload gets 409', async () => {
    const v1 = (await upload(ann, '/p.txt', utf8('1'))).body as FileMetadata;
    await upload(ann, '/p.txt', utf8('2'), `&parentRev=${v1.rev}`);
    const stale = await upload(ann, '/p.txt', utf8('3'), `&parentRev=${v1.rev}`);
    expect(stale.status).toBe(409);
  });

  it('refuses an upload larger than the quota with 507 before storing anything', async () => {
    const small = await startTestServer({ defaultQuotaBytes: 6 * 1024 * 1024 });
    try {
      const bob = await small.createUser('bob');
      const res = await upload(bob, '/too-big.bin', seededBytes('random', 1, 12 * 1024 * 1024));
      expect(res.status).toBe(507);
      expect(res.body).toMatchObject({ error: { code: 'quota_exceeded' } });
      expect(((await bob.json('GET', '/account')).body as { usedBytes: number }).usedBytes).toBe(0);
      // Without a Content-Length the server only learns the size while storing: the blocks it
      // stored before running out are discarded again.
      // Seed 8 cuts into blocks of 4.5, 5.3 and 2.2 MiB: the second one runs over.
      const big = seededBytes('random', 8, 12 * 1024 * 1024);
      const streamed = await bob.fetch('/files/upload?uploadType=media&path=/streamed.bin', {
        method: 'POST',
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            for (let at = 0; at < big.length; at += 1 << 20)
              controller.enqueue(big.slice(at, at + (1 << 20)));
            controller.close();
          },
        }),
        headers: { 'content-type': 'application/octet-stream' },
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(507);
      expect(((await bob.json('GET', '/account')).body as { usedBytes: number }).usedBytes).toBe(0);
      expect((await upload(bob, '/fits.bin', seededBytes('random', 1, 900))).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('answers 400 for a bad uploadType', async () => {
    const res = await ann.send('POST', '/files/upload?uploadType=multipart&path=/x', utf8('x'));
    expect(res.status).toBe(400);
  });
});
