import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkStream, decodeBlock, encodeBlock, hashBlock } from '../blocks/index.js';
import type { BlockId, NamespaceId, Rev } from '../protocol/index.js';
import { seededBytes } from '../testkit/index.js';
import {
  startRemoteTestServer,
  type RemoteTestServer,
  type TestDevice,
} from '../testkit/remote-test-server.js';
import type { RemoteClient } from './remote-client.js';
import { isChangedSinceRefusal } from './file-api.js';
import { RemoteError } from './remote-error.js';

const signal = () => AbortSignal.timeout(30_000);
const SEED = 9001;
const MODIFIED = 1_700_000_000_000;

interface Encoded {
  readonly id: BlockId;
  readonly encoded: Uint8Array;
  readonly size: number;
}

/** Cuts `content` into blocks and encodes each with the namespace key, as the engine will. */
async function encodeContent(content: Uint8Array, key: Uint8Array): Promise<Encoded[]> {
  const blocks: Encoded[] = [];
  async function* source() {
    yield content;
  }
  for await (const { bytes } of chunkStream(source())) {
    const id = hashBlock(bytes);
    blocks.push({ id, encoded: encodeBlock(bytes, key, id), size: bytes.length });
  }
  return blocks;
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

/** Uploads what the server lacks of `content` and commits it at `path`. */
async function uploadAndCommit(
  client: RemoteClient,
  namespace: NamespaceId,
  input: { path: string; content: Uint8Array; parentRev?: Rev | null },
) {
  const key = await client.getNamespaceKey(namespace, signal());
  const blocks = await encodeContent(input.content, key);
  const missing = new Set(
    await client.checkBlocks({ namespace, hashes: blocks.map((b) => b.id) }, signal()),
  );
  for (const block of blocks.filter((b) => missing.has(b.id))) {
    await client.putBlock({ namespace, id: block.id, encoded: block.encoded }, signal());
  }
  const result = await client.commitFile(
    {
      path: input.path,
      blocks: blocks.map((b) => b.id),
      size: input.content.length,
      modified: MODIFIED,
      parentRev: input.parentRev ?? null,
    },
    signal(),
  );
  return { result, blocks, missing };
}

async function rejection(promise: Promise<unknown>): Promise<RemoteError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RemoteError);
  return error as RemoteError;
}

describe('blocks, commits and downloads against the real server', () => {
  let server: RemoteTestServer;
  let ann: TestDevice;
  let root: NamespaceId;
  beforeAll(async () => {
    server = await startRemoteTestServer();
    ann = await server.createUser('ann');
    root = ann.login.rootNamespace;
  });
  afterAll(() => server.close());

  it(`uploads engine-encoded blocks, commits, and downloads the same bytes (seed ${SEED})`, async () => {
    const content = seededBytes('random', SEED, 5 * 1024 * 1024 + 123);
    const { result, blocks, missing } = await uploadAndCommit(ann.client, root, {
      path: '/Docs/big.bin',
      content,
    });
    expect(blocks.length).toBeGreaterThan(1);
    expect(missing.size).toBe(blocks.length);
    if (result.kind !== 'committed') throw new Error(`expected a commit, got ${result.kind}`);
    expect(result.file).toMatchObject({ path: '/Docs/big.bin', size: content.length });

    const download = await ann.client.downloadFile({ path: '/Docs/big.bin' }, signal());
    expect(download).toMatchObject({
      rev: result.file.rev,
      contentHash: result.file.contentHash,
      totalBytes: content.length,
      offset: 0,
      lengthBytes: content.length,
    });
    expect(Buffer.compare(await readAll(download.body), content)).toBe(0);

    // Dedup: the server now holds every block, and a block read back decodes to its bytes.
    const hashes = blocks.map((b) => b.id);
    expect(await ann.client.checkBlocks({ namespace: root, hashes }, signal())).toEqual([]);
    const first = blocks[0]!;
    const encoded = await ann.client.getBlock({ namespace: root, id: first.id }, signal());
    const key = await ann.client.getNamespaceKey(root, signal());
    expect(
      Buffer.compare(decodeBlock(encoded, key, first.id), content.subarray(0, first.size)),
    ).toBe(0);
    expect(
      await ann.client.putBlock(
        { namespace: root, id: first.id, encoded: first.encoded },
        signal(),
      ),
    ).toEqual({ id: first.id, stored: false });
  });

  it('downloads a byte range and an old revision', async () => {
    const v1 = seededBytes('text', SEED + 1, 40_000);
    const v2 = seededBytes('text', SEED + 2, 30_000);
    const one = await uploadAndCommit(ann.client, root, { path: '/range.txt', content: v1 });
    if (one.result.kind !== 'committed') throw new Error(one.result.kind);
    const two = await uploadAndCommit(ann.client, root, {
      path: '/range.txt',
      content: v2,
      parentRev: one.result.file.rev,
    });
    if (two.result.kind !== 'committed') throw new Error(two.result.kind);

    const part = await ann.client.downloadFile(
      { path: '/range.txt', start: 1000, end: 1999 },
      signal(),
    );
    expect(part).toMatchObject({ offset: 1000, lengthBytes: 1000, totalBytes: v2.length });
    expect(Buffer.compare(await readAll(part.body), v2.subarray(1000, 2000))).toBe(0);

    const tail = await ann.client.downloadFile({ path: '/range.txt', start: 29_000 }, signal());
    expect(Buffer.compare(await readAll(tail.body), v2.subarray(29_000))).toBe(0);

    const old = await ann.client.downloadFile(
      { path: '/range.txt', rev: one.result.file.rev },
      signal(),
    );
    expect(old.rev).toBe(one.result.file.rev);
    expect(Buffer.compare(await readAll(old.body), v1)).toBe(0);

    const beyond = await rejection(
      ann.client.downloadFile({ path: '/range.txt', start: 10_000_000 }, signal()),
    );
    expect(beyond).toMatchObject({ code: 'range_not_satisfiable', status: 416 });
    const absent = await rejection(ann.client.downloadFile({ path: '/nothing.txt' }, signal()));
    expect(absent.code).toBe('not_found');
  });

  it(
    'gives up a download before reading it without keeping the connection busy',
    { timeout: 20_000 },
    async () => {
      const content = seededBytes('random', SEED + 3, 3 * 1024 * 1024);
      await uploadAndCommit(ann.client, root, { path: '/abandoned.bin', content });
      // One socket only, and signals that never fire: had an abandoned response kept its socket,
      // the next download would wait for it until the test's own timeout.
      const single = server.client({ token: ann.login.token, maxSockets: 1 });
      const never = new AbortController().signal;
      for (let i = 0; i < 5; i++) {
        const download = await single.downloadFile({ path: '/abandoned.bin' }, never);
        await download.body.return(undefined);
      }
      const last = await single.downloadFile({ path: '/abandoned.bin' }, never);
      expect((await readAll(last.body)).length).toBe(content.length);
    },
  );

  it(`lists a file's blocks; the listed blocks, fetched and decoded, are its bytes (seed ${SEED})`, async () => {
    const v1 = seededBytes('random', SEED + 10, 6 * 1024 * 1024);
    const v2 = seededBytes('random', SEED + 11, 4 * 1024 * 1024 + 7);
    const one = await uploadAndCommit(ann.client, root, { path: '/Lists/file.bin', content: v1 });
    if (one.result.kind !== 'committed') throw new Error(one.result.kind);
    const two = await uploadAndCommit(ann.client, root, {
      path: '/Lists/file.bin',
      content: v2,
      parentRev: one.result.file.rev,
    });
    if (two.result.kind !== 'committed') throw new Error(two.result.kind);
    expect(one.blocks.length).toBeGreaterThan(1);

    const current = await ann.client.getFileBlocks({ path: '/Lists/file.bin' }, signal());
    expect(current).toEqual({
      path: '/Lists/file.bin',
      fileId: two.result.file.fileId,
      namespace: root,
      rev: two.result.file.rev,
      size: v2.length,
      contentHash: two.result.file.contentHash,
      modified: MODIFIED,
      blocks: two.blocks.map((b) => ({ id: b.id, size: b.size })),
    });

    const old = await ann.client.getFileBlocks(
      { path: '/Lists/file.bin', rev: one.result.file.rev },
      signal(),
    );
    expect(old).toMatchObject({ rev: one.result.file.rev, size: v1.length });
    expect(old.blocks).toEqual(one.blocks.map((b) => ({ id: b.id, size: b.size })));
    const key = await ann.client.getNamespaceKey(old.namespace, signal());
    const parts: Uint8Array[] = [];
    for (const block of old.blocks) {
      const encoded = await ann.client.getBlock(
        { namespace: old.namespace, id: block.id },
        signal(),
      );
      parts.push(decodeBlock(encoded, key, block.id));
    }
    expect(Buffer.compare(Buffer.concat(parts), v1)).toBe(0);

    const absent = await rejection(ann.client.getFileBlocks({ path: '/Lists/none.bin' }, signal()));
    expect(absent).toMatchObject({ code: 'not_found', status: 404 });
    const folder = await rejection(ann.client.getFileBlocks({ path: '/Lists' }, signal()));
    expect(folder).toMatchObject({ code: 'path_conflict', status: 409 });
    const unknownRev = await rejection(
      ann.client.getFileBlocks({ path: '/Lists/file.bin', rev: 'r_unknown' as Rev }, signal()),
    );
    expect(unknownRev.code).toBe('not_found');
    const badPath = await rejection(ann.client.getFileBlocks({ path: '/a/../b' }, signal()));
    expect(badPath).toMatchObject({ code: 'invalid_path', status: 400 });
  });

  it('returns rev_conflict with the current revision for a stale parentRev', async () => {
    const first = await uploadAndCommit(ann.client, root, {
      path: '/race.txt',
      content: seededBytes('text', SEED + 4, 100),
    });
    if (first.result.kind !== 'committed') throw new Error(first.result.kind);
    const stale = await uploadAndCommit(ann.client, root, {
      path: '/race.txt',
      content: seededBytes('text', SEED + 5, 100),
      parentRev: null,
    });
    expect(stale.result).toEqual({ kind: 'rev_conflict', currentRev: first.result.file.rev });
  });

  it('returns missing_blocks naming the blocks the namespace lacks', async () => {
    const content = seededBytes('random', SEED + 6, 2 * 1024 * 1024);
    const key = await ann.client.getNamespaceKey(root, signal());
    const blocks = await encodeContent(content, key);
    const result = await ann.client.commitFile(
      {
        path: '/unsent.bin',
        blocks: blocks.map((b) => b.id),
        size: content.length,
        modified: MODIFIED,
        parentRev: null,
      },
      signal(),
    );
    expect(result).toEqual({ kind: 'missing_blocks', missing: blocks.map((b) => b.id) });
  });

  it('maps a full quota to quota_exceeded with the server message, storing nothing', async () => {
    const bob = await server.createUser('bob');
    await server.server.setUserQuota(bob.email, 1000);
    const namespace = bob.login.rootNamespace;
    const content = seededBytes('random', SEED + 7, 5000);
    const [block] = await encodeContent(
      content,
      await bob.client.getNamespaceKey(namespace, signal()),
    );
    const refused = await rejection(
      bob.client.putBlock({ namespace, id: block!.id, encoded: block!.encoded }, signal()),
    );
    expect(refused).toMatchObject({ code: 'quota_exceeded', status: 507, isRetryable: false });
    expect(refused.serverMessage).toMatch(/quota/i);
    expect(refused.message).toContain(refused.serverMessage);
    expect((await bob.client.getAccount(signal())).usedBytes).toBe(0);
  });

  it('lists, moves, deletes, restores and keeps history', async () => {
    const v1 = seededBytes('text', SEED + 8, 500);
    const v2 = seededBytes('text', SEED + 9, 700);
    const one = await uploadAndCommit(ann.client, root, { path: '/Tree/a.txt', content: v1 });
    if (one.result.kind !== 'committed') throw new Error(one.result.kind);
    const two = await uploadAndCommit(ann.client, root, {
      path: '/Tree/a.txt',
      content: v2,
      parentRev: one.result.file.rev,
    });
    if (two.result.kind !== 'committed') throw new Error(two.result.kind);
    expect(await ann.client.createFolder('/Tree/Empty', signal())).toMatchObject({
      type: 'folder',
      path: '/Tree/Empty',
    });
    expect(await ann.client.createFolder('/Tree/Empty', signal())).toMatchObject({
      type: 'folder',
    });

    const listed = await ann.client.listFolder({ path: '/Tree' }, signal());
    expect(listed.map((e) => [e.type, e.path])).toEqual([
      ['folder', '/Tree/Empty'],
      ['file', '/Tree/a.txt'],
    ]);

    expect(await ann.client.movePath({ from: '/Tree', to: '/Moved' }, signal())).toEqual({
      from: '/Tree',
      to: '/Moved',
      moved: 3,
    });
    const history = await ann.client.listRevisions({ path: '/Moved/a.txt' }, signal());
    expect(history.revisions.map((r) => r.rev)).toEqual([two.result.file.rev, one.result.file.rev]);
    expect(history.fileId).toBe(one.result.file.fileId);

    const restored = await ann.client.restoreFile(
      { path: '/Moved/a.txt', rev: one.result.file.rev },
      signal(),
    );
    expect(restored.contentHash).toBe(one.result.file.contentHash);
    const back = await ann.client.downloadFile({ path: '/Moved/a.txt' }, signal());
    expect(Buffer.compare(await readAll(back.body), v1)).toBe(0);

    expect(await ann.client.deletePath('/Moved', signal())).toEqual({ path: '/Moved', deleted: 3 });
    const gone = await rejection(ann.client.listFolder({ path: '/Moved' }, signal()));
    expect(gone.code).toBe('not_found');
    const recursive = await ann.client.listFolder({ path: '/', recursive: true }, signal());
    expect(recursive.some((e) => e.path.startsWith('/Moved'))).toBe(false);
    const conflict = await rejection(ann.client.createFolder('/range.txt', signal()));
    expect(conflict.code).toBe('path_conflict');
  });

  it('deletes only while the precondition holds; a refusal is a changed-since refusal', async () => {
    const content = seededBytes('text', SEED + 3, 1000);
    const one = await uploadAndCommit(ann.client, root, { path: '/Cond/a.txt', content });
    if (one.result.kind !== 'committed') throw new Error('expected a commit');
    const cursor = await ann.client.getLatestCursor(signal());
    const two = await uploadAndCommit(ann.client, root, {
      path: '/Cond/a.txt',
      content: seededBytes('text', SEED + 4, 1000),
      parentRev: one.result.file.rev,
    });
    if (two.result.kind !== 'committed') throw new Error('expected a commit');
    const stale = await rejection(
      ann.client.deletePath({ path: '/Cond/a.txt', rev: one.result.file.rev }, signal()),
    );
    expect(stale).toMatchObject({ code: 'rev_conflict', currentRev: two.result.file.rev });
    const changed = await rejection(
      ann.client.deletePath({ path: '/Cond', unchangedSince: cursor }, signal()),
    );
    expect(changed.code).toBe('path_changed');
    expect([stale, changed].map(isChangedSinceRefusal)).toEqual([true, true]);
    expect(isChangedSinceRefusal(new RemoteError('not_found', 'gone'))).toBe(false);
    // Both refusals deleted nothing; the precondition that holds lets the delete go.
    const fresh = await ann.client.getLatestCursor(signal());
    expect(await ann.client.deletePath({ path: '/Cond', unchangedSince: fresh }, signal())).toEqual(
      { path: '/Cond', deleted: 2 },
    );
  });

  it('announces a file as pending without a revision', async () => {
    const announced = await ann.client.announceFile(
      { path: '/coming.bin', size: 10_000, modified: MODIFIED },
      signal(),
    );
    expect(announced).toMatchObject({ path: '/coming.bin', status: 'pending', rev: null });
  });
});
