/**
 * Uploads refused for quota (SPEC: over quota → 507) store nothing and charge nothing: with a
 * declared length, a streamed (chunked, undeclared) body that runs over midway, a resumable
 * session larger than the quota, and a block that does not fit. The store snapshot and the
 * account's usedBytes are the same before and after each refusal. Open resumable sessions do
 * not stage more bytes on disk than the quota (else sessions are a way around it).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkStream, encodeBlock, hashBlock } from 'sync-engine/blocks';
import { takeStoreSnapshot } from '../store-snapshot.js';
import { seededBytes } from 'sync-engine/testkit';
import { readResponse, startTestServer, type TestClient, type TestServer } from '../test-server.js';

const CONTENT = seededBytes('random', 21, 12 * 1024 * 1024);

let server: TestServer;
let ann: TestClient;
let firstBlockBytes: number;

/** Size of the first content-defined block of CONTENT (the quota lets exactly that fit). */
async function firstBlockSize(): Promise<number> {
  async function* source() {
    yield CONTENT;
  }
  for await (const block of chunkStream(source())) return block.bytes.length;
  throw new Error('no block');
}

async function usedBytes(): Promise<number> {
  return ((await ann.json('GET', '/account')).body as { usedBytes: number }).usedBytes;
}

beforeAll(async () => {
  firstBlockBytes = await firstBlockSize();
  expect(firstBlockBytes).toBeLessThan(CONTENT.length);
  server = await startTestServer({ defaultQuotaBytes: firstBlockBytes + 1 });
  ann = await server.createUser('ann');
});
afterAll(async () => server?.close());

/** Runs `refuse`, expects 507 quota_exceeded, and an unchanged store and usage. */
async function expectRefusedWithoutTrace(refuse: () => Promise<{ status: number; body: unknown }>) {
  const before = await takeStoreSnapshot(server.dataDir);
  const usedBefore = await usedBytes();
  const res = await refuse();
  expect(res.status).toBe(507);
  expect(res.body).toMatchObject({
    error: { code: 'quota_exceeded', message: expect.any(String) },
  });
  expect(await usedBytes()).toBe(usedBefore);
  expect(await takeStoreSnapshot(server.dataDir)).toEqual(before);
}

describe('a refused upload stores and charges nothing', () => {
  it('simple upload with a Content-Length over the quota', async () => {
    await expectRefusedWithoutTrace(() =>
      ann.send('POST', '/files/upload?uploadType=media&path=/declared.bin', CONTENT),
    );
  });

  it('a block that does not fit', async () => {
    const plain = seededBytes('random', 22, firstBlockBytes + 2);
    const encoded = encodeBlock(plain, await ann.keyOf());
    await expectRefusedWithoutTrace(() =>
      ann.send('PUT', `/blocks/${ann.rootNamespace}/${hashBlock(plain)}`, encoded),
    );
  });

  it('a resumable session declaring more than the quota', async () => {
    await expectRefusedWithoutTrace(() =>
      ann.send('POST', '/files/upload?uploadType=resumable&path=/big.bin', new Uint8Array(0), {
        'x-upload-content-length': String(CONTENT.length),
      }),
    );
  });

  // Last: when it fails, the blocks it leaves behind use up the quota.
  it('simple upload streamed without a length, going over the quota after its first block', async () => {
    await expectRefusedWithoutTrace(async () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let offset = 0; offset < CONTENT.length; offset += 1024 * 1024) {
            controller.enqueue(CONTENT.slice(offset, offset + 1024 * 1024));
          }
          controller.close();
        },
      });
      const response = await ann.fetch('/files/upload?uploadType=media&path=/streamed.bin', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/octet-stream' },
        duplex: 'half',
      } as RequestInit);
      return readResponse(response);
    });
  });
});

describe('open resumable sessions', () => {
  it('cannot stage more bytes on disk than the quota allows', async () => {
    const quota = 1_000_000;
    const own = await startTestServer({ defaultQuotaBytes: quota });
    try {
      const bea = await own.createUser('bea');
      const size = 900_000;
      const refusals: unknown[] = [];
      // Each session alone fits; together they do not. Sessions live a day by default.
      for (let i = 0; i < 3; i++) {
        const started = await bea.send(
          'POST',
          `/files/upload?uploadType=resumable&path=/s${i}.bin`,
          new Uint8Array(0),
          { 'x-upload-content-length': String(size) },
        );
        if (started.status !== 200) {
          refusals.push(started.body);
          continue;
        }
        const session = new URL(started.headers.get('location') ?? '').pathname;
        const piece = await bea.send('PUT', session, seededBytes('random', i + 1, size - 1), {
          'content-range': `bytes 0-${size - 2}/${size}`,
        });
        if (piece.status !== 308) refusals.push(piece.body);
      }
      const uploads = path.join(own.dataDir, 'uploads');
      const staged = await Promise.all(
        (await readdir(uploads)).map(async (f) => (await stat(path.join(uploads, f))).size),
      );
      expect(staged.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(quota);
      expect(refusals.length).toBeGreaterThan(0);
      for (const body of refusals) {
        expect(body).toMatchObject({ error: { code: 'quota_exceeded' } });
      }
    } finally {
      await own.close();
    }
  });
});
