import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHashOf } from 'sync-engine/blocks';
import type { AnnouncedBlocksResponse, FileMetadata } from 'sync-engine/protocol';
import { seededBytes } from 'sync-engine/testkit';
import { encodeContent, putBlocks, type TestBlock } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let server: TestServer;
let ann: TestClient;
let cat: TestClient;
beforeAll(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
  cat = await server.createUser('cat');
});
afterAll(async () => {
  await server?.close();
});

const announcedOf = (client: TestClient, path: string) =>
  client.json('GET', `/files/announced_blocks?path=${encodeURIComponent(path)}`);

const listOf = (blocks: readonly TestBlock[]) => blocks.map(({ id, size }) => ({ id, size }));
const sizeOf = (blocks: readonly TestBlock[]) => blocks.reduce((sum, b) => sum + b.size, 0);

async function someBlocks(seed: number): Promise<TestBlock[]> {
  return encodeContent(seededBytes('random', seed, 3 * 1024 * 1024), await ann.keyOf());
}

describe('streaming sync: announced block lists', () => {
  it('keeps the announced block list with the pending file until its commit', async () => {
    const blocks = await someBlocks(1);
    const announce = await ann.json('POST', '/files/announce', {
      path: '/big.bin',
      size: sizeOf(blocks),
      modified: 7,
      blocks: listOf(blocks),
    });
    expect(announce.status).toBe(200);
    expect(announce.body).toMatchObject({ status: 'pending', rev: null });

    const read = await announcedOf(ann, '/big.bin');
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      path: '/big.bin',
      fileId: (announce.body as FileMetadata).fileId,
      namespace: ann.rootNamespace,
      size: sizeOf(blocks),
      contentHash: contentHashOf(blocks.map((b) => b.id)),
      modified: 7,
      blocks: listOf(blocks),
    } satisfies AnnouncedBlocksResponse);

    await putBlocks(ann, blocks);
    const commit = await ann.json('POST', '/files/commit', {
      path: '/big.bin',
      blocks: blocks.map((b) => b.id),
      size: sizeOf(blocks),
      modified: 7,
    });
    expect(commit.status).toBe(200);
    // Committed: nothing is pending any more, GET /files/blocks has the real list.
    expect((await announcedOf(ann, '/big.bin')).status).toBe(404);
  });

  it('an announce without blocks, a committed file and a missing path have no list (404)', async () => {
    await ann.json('POST', '/files/announce', { path: '/plain.bin', size: 5, modified: 1 });
    expect((await announcedOf(ann, '/plain.bin')).status).toBe(404);
    expect((await announcedOf(ann, '/big.bin')).status).toBe(404);
    expect((await announcedOf(ann, '/nowhere')).status).toBe(404);
    expect((await announcedOf(ann, '/')).status).toBe(404);
  });

  it('a re-announce without blocks drops the old list', async () => {
    const blocks = await someBlocks(2);
    const body = { path: '/again.bin', size: sizeOf(blocks), modified: 1 };
    await ann.json('POST', '/files/announce', { ...body, blocks: listOf(blocks) });
    expect((await announcedOf(ann, '/again.bin')).status).toBe(200);
    await ann.json('POST', '/files/announce', body);
    expect((await announcedOf(ann, '/again.bin')).status).toBe(404);
  });

  it('another user cannot read the list: the path is in their own view (404)', async () => {
    const blocks = await someBlocks(3);
    await ann.json('POST', '/files/announce', {
      path: '/private.bin',
      size: sizeOf(blocks),
      modified: 1,
      blocks: listOf(blocks),
    });
    expect((await announcedOf(cat, '/private.bin')).status).toBe(404);
  });

  it('GET /blocks with waitMs answers as soon as the block is stored', async () => {
    const [block] = await someBlocks(4);
    const path = `/blocks/${ann.rootNamespace}/${block!.id}`;
    const waiting = ann.fetch(`${path}?waitMs=20000`);
    // Not there yet: the reader is waiting (a plain GET says 404 at once).
    expect((await ann.fetch(path)).status).toBe(404);
    const started = Date.now();
    await putBlocks(ann, [block!]);
    const got = await waiting;
    expect(got.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(block!.encoded))).toBe(true);
  });

  it('GET /blocks with waitMs gives up with 404 after waitMs', async () => {
    const [block] = await someBlocks(5);
    const started = Date.now();
    const res = await ann.fetch(`/blocks/${ann.rootNamespace}/${block!.id}?waitMs=300`);
    expect(res.status).toBe(404);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});
