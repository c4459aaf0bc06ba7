import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBlock, inspectFile } from 'sync-engine/blocks';
import type {
  FileBlocksResponse,
  FileMetadata,
  NamespaceId,
  ShareMetadata,
} from 'sync-engine/protocol';
import { createTestTempDir, seededBytes } from 'sync-engine/testkit';
import { commitContent, encodeContent, utf8 } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

const SEED = 4242;
const TEN_MB = 10 * 1024 * 1024;

let server: TestServer;
let ann: TestClient;
let cat: TestClient;
let temp: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
  cat = await server.createUser('cat');
  temp = await createTestTempDir('file-blocks');
});
afterAll(async () => {
  await server?.close();
  await temp?.remove();
});

const blocksOf = (client: TestClient, path: string, rev?: string) =>
  client.json(
    'GET',
    `/files/blocks?path=${encodeURIComponent(path)}${rev ? `&rev=${encodeURIComponent(rev)}` : ''}`,
  );

async function downloadText(client: TestClient, path: string) {
  const res = await client.fetch(`/files/download?path=${encodeURIComponent(path)}`);
  return { status: res.status, body: await res.text() };
}

/** A simple upload: the server chunks and encodes the bytes itself. */
async function upload(client: TestClient, path: string, content: Uint8Array) {
  const res = await client.send(
    'POST',
    `/files/upload?uploadType=media&path=${encodeURIComponent(path)}`,
    content,
  );
  expect(res.status).toBe(200);
  return res.body as FileMetadata;
}

/** GETs each listed block from the answer's namespace and decodes it with that namespace's key. */
async function assembleBlocks(client: TestClient, list: FileBlocksResponse): Promise<Buffer> {
  const key = await client.keyOf(list.namespace);
  const parts: Uint8Array[] = [];
  for (const block of list.blocks) {
    const res = await client.fetch(`/blocks/${list.namespace}/${block.id}`);
    expect(res.status).toBe(200);
    const plain = decodeBlock(new Uint8Array(await res.arrayBuffer()), key, block.id);
    expect(plain.length).toBe(block.size);
    parts.push(plain);
  }
  return Buffer.concat(parts);
}

function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe('GET /files/blocks', () => {
  it(`lists a 10 MB file's blocks as inspectFile chunks the same bytes (seed ${SEED})`, async () => {
    const content = seededBytes('random', SEED, TEN_MB);
    const local = join(temp.path, 'big.bin');
    await writeFile(local, content);
    const inspected = await inspectFile(local);
    expect(inspected.blocks.length).toBeGreaterThan(1);

    const file = await upload(ann, '/Media/big.bin', content);
    const res = await blocksOf(ann, '/Media/big.bin');
    expect(res.status).toBe(200);
    const list = res.body as FileBlocksResponse;
    expect(list).toEqual({
      path: '/Media/big.bin',
      fileId: file.fileId,
      namespace: ann.rootNamespace,
      rev: file.rev,
      size: TEN_MB,
      contentHash: file.contentHash,
      modified: file.modified,
      blocks: inspected.blocks.map((b) => ({ id: b.id, size: b.size })),
    });
    // The client-side encoder agrees too (ids and sizes), whatever the key.
    const encoded = await encodeContent(content, await ann.keyOf());
    expect(list.blocks).toEqual(encoded.map((b) => ({ id: b.id, size: b.size })));
    expect(Buffer.compare(await assembleBlocks(ann, list), content)).toBe(0);
  });

  it('lists a repeated block each time it occurs, and an empty file as no blocks', async () => {
    const chunk = seededBytes('random', SEED + 1, 1000);
    const committed = await commitContent(ann, '/tiny.txt', chunk);
    expect(committed.status).toBe(200);
    const tiny = (await blocksOf(ann, '/tiny.txt')).body as FileBlocksResponse;
    expect(tiny.blocks).toEqual([{ id: expect.stringMatching(/^[0-9a-f]{64}$/), size: 1000 }]);
    const blockId = tiny.blocks[0]!.id;
    // A version made of one block twice (commit names blocks, not bytes).
    const twice = await ann.json('POST', '/files/commit', {
      path: '/twice.bin',
      blocks: [blockId, blockId],
      size: 2000,
      modified: 1,
    });
    expect(twice.status).toBe(200);
    const list = (await blocksOf(ann, '/twice.bin')).body as FileBlocksResponse;
    expect(list.blocks).toEqual([
      { id: blockId, size: 1000 },
      { id: blockId, size: 1000 },
    ]);
    expect(Buffer.compare(await assembleBlocks(ann, list), Buffer.concat([chunk, chunk]))).toBe(0);

    await upload(ann, '/empty.txt', new Uint8Array(0));
    expect((await blocksOf(ann, '/empty.txt')).body).toMatchObject({ size: 0, blocks: [] });
  });

  it('lists an older revision with rev=, also of a file deleted at the path', async () => {
    const v1 = seededBytes('text', SEED + 2, 30_000);
    const v2 = seededBytes('text', SEED + 3, 20_000);
    const one = await upload(ann, '/notes.txt', v1);
    const two = await upload(ann, '/notes.txt', v2);
    const current = (await blocksOf(ann, '/notes.txt')).body as FileBlocksResponse;
    expect(current).toMatchObject({ rev: two.rev, size: v2.length });
    expect(Buffer.compare(await assembleBlocks(ann, current), v2)).toBe(0);

    const old = await blocksOf(ann, '/notes.txt', one.rev);
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({
      rev: one.rev,
      fileId: one.fileId,
      size: v1.length,
      contentHash: one.contentHash,
    });
    expect(Buffer.compare(await assembleBlocks(ann, old.body as FileBlocksResponse), v1)).toBe(0);

    expect((await ann.json('POST', '/files/delete', { path: '/notes.txt' })).status).toBe(200);
    expectError(await blocksOf(ann, '/notes.txt'), 404, 'not_found');
    expect((await blocksOf(ann, '/notes.txt', two.rev)).body).toMatchObject({ rev: two.rev });
  });

  it('refuses a revision of another file or an unknown one with 404, as download does', async () => {
    const other = await upload(ann, '/other.txt', utf8('other'));
    await upload(ann, '/mine.txt', utf8('mine'));
    const res = await blocksOf(ann, '/mine.txt', other.rev);
    expectError(res, 404, 'not_found');
    const download = await ann.fetch(`/files/download?path=/mine.txt&rev=${other.rev}`);
    expect(download.status).toBe(404);
    expectError(await blocksOf(ann, '/mine.txt', 'r_nonexistent'), 404, 'not_found');
  });

  it('gives the shared namespace for a file in a shared folder, and lets a viewer read', async () => {
    const content = seededBytes('random', SEED + 4, 3 * 1024 * 1024);
    expect((await ann.json('POST', '/files/mkdir', { path: '/Team' })).status).toBe(200);
    const shared = await ann.json('POST', '/shares', {
      path: '/Team',
      email: cat.email,
      role: 'viewer',
    });
    expect(shared.status).toBe(200);
    const namespace = (shared.body as ShareMetadata).namespace as NamespaceId;
    expect(namespace).not.toBe(ann.rootNamespace);
    const file = await upload(ann, '/Team/plan.bin', content);
    expect(file.namespace).toBe(namespace);

    const owner = (await blocksOf(ann, '/Team/plan.bin')).body as FileBlocksResponse;
    expect(owner).toMatchObject({ path: '/Team/plan.bin', namespace, rev: file.rev });
    // Cat sees the share mounted at /Team in his root: his path, the same namespace and blocks.
    const viewer = await blocksOf(cat, '/Team/plan.bin');
    expect(viewer.status).toBe(200);
    expect(viewer.body).toEqual(owner);
    expect(
      Buffer.compare(await assembleBlocks(cat, viewer.body as FileBlocksResponse), content),
    ).toBe(0);
  });

  it('answers like download for a pending file: 404 while new, the last version once it has one', async () => {
    const announced = await ann.json('POST', '/files/announce', {
      path: '/coming.bin',
      size: 4,
      modified: 5,
    });
    expect(announced.body).toMatchObject({ status: 'pending', rev: null });
    expectError(await blocksOf(ann, '/coming.bin'), 404, 'not_found');
    expect((await downloadText(ann, '/coming.bin')).status).toBe(404);

    const first = await upload(ann, '/again.txt', utf8('v1'));
    await ann.json('POST', '/files/announce', { path: '/again.txt', size: 10, modified: 5 });
    expect((await blocksOf(ann, '/again.txt')).body).toMatchObject({ rev: first.rev, size: 2 });
    expect(await downloadText(ann, '/again.txt')).toEqual({ status: 200, body: 'v1' });
  });

  it('refuses missing paths, folders, bad paths and bad parameters', async () => {
    await upload(ann, '/Docs/a.txt', utf8('a'));
    expectError(await blocksOf(ann, '/nothing.txt'), 404, 'not_found');
    expectError(await blocksOf(ann, '/Docs/none/deeper.txt'), 404, 'not_found');
    expectError(await blocksOf(ann, '/Docs'), 409, 'path_conflict');
    expectError(await blocksOf(ann, '/Docs/../etc'), 400, 'invalid_path');
    expectError(await blocksOf(ann, 'Docs/a.txt'), 400, 'invalid_path');
    expectError(await blocksOf(ann, '/a\u0000b'), 400, 'invalid_path');
    expectError(await ann.json('GET', '/files/blocks'), 400, 'invalid_request');
    expectError(await ann.json('GET', '/files/blocks?path='), 400, 'invalid_request');
    expectError(
      await ann.json('GET', '/files/blocks?path=/Docs/a.txt&revision=r_1'),
      400,
      'invalid_request',
    );
    expectError(
      await ann.json('GET', `/files/blocks?path=/Docs/a.txt&rev=${'r'.repeat(65)}`),
      400,
      'invalid_request',
    );
  });

  it("needs a token, and shows nothing of another user's files", async () => {
    const res = await server.request('GET', '/files/blocks?path=/Docs/a.txt');
    expectError(res, 401, 'unauthorized');
    expectError(await blocksOf(cat, '/Docs/a.txt'), 404, 'not_found');
  });
});
