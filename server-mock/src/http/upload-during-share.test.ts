/**
 * An upload in flight when its folder becomes shared (issue 7, item 1). The first share turns
 * the folder into a namespace of its own; an upload that resolved its target before that must
 * not commit into the owner's root under the mount point, where no path reaches it. Server-side
 * uploads (resumable, simple) land in the shared folder; a client commit of blocks uploaded to
 * the old namespace gets 409 namespace_changed naming the new one, and succeeds once the client
 * uploads its blocks there. The interleavings are forced: a resumable upload between pieces, a
 * simple upload whose body is held open, a commit held at the metadata store by a gate.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chunkStream } from 'sync-engine/blocks';
import type { FileMetadata, NamespaceId, ShareMetadata } from 'sync-engine/protocol';
import type { MetadataStore } from '../metadata/metadata-store.js';
import { openSqliteMetadataStore } from '../metadata/sqlite/sqlite-metadata-store.js';
import { createGate, createHeldBody, sendHeldUpload, type Gate } from '../../test/held-body.js';
import {
  commitContent,
  encodeContent,
  putBlocks,
  startResumableUpload,
  utf8,
} from '../../test/test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let server: TestServer | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

async function download(client: TestClient, p: string) {
  const res = await client.fetch(`/files/download?path=${encodeURIComponent(p)}`);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function shareRs(ann: TestClient, bob: TestClient): Promise<NamespaceId> {
  const res = await ann.json('POST', '/shares', { path: '/rs', email: bob.email, role: 'editor' });
  expect(res.status).toBe(200);
  return (res.body as ShareMetadata).namespace;
}

/** Both users read `content` at /rs/<name> (Bob's mount is /rs too: the name is free). */
async function expectReachable(
  ann: TestClient,
  bob: TestClient,
  name: string,
  content: Uint8Array,
) {
  for (const client of [ann, bob]) {
    const got = await download(client, `/rs/${name}`);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(Buffer.from(content))).toBe(true);
  }
}

/** Where each content-defined block of `content` ends. */
async function blockEnds(content: Uint8Array): Promise<number[]> {
  async function* source() {
    yield content;
  }
  const ends: number[] = [];
  for await (const block of chunkStream(source())) ends.push(block.offset + block.bytes.length);
  return ends;
}

async function twoUsers(options: Parameters<typeof startTestServer>[0] = {}) {
  server = await startTestServer(options);
  const ann = await server.createUser('ann');
  const bob = await server.createUser('bob');
  expect((await commitContent(ann, '/rs/old.txt', utf8('already here'))).status).toBe(200);
  return { ann, bob };
}

describe('an upload in flight when its folder becomes shared', () => {
  it('a resumable upload finished after the share lands in the shared folder', async () => {
    const { ann, bob } = await twoUsers();
    const content = seededBytes('random', 11, 2 * 1024 * 1024 + 7);
    const session = await startResumableUpload(ann, {
      path: '/rs/late.bin',
      totalBytes: content.length,
      firstPiece: content.subarray(0, 1024 * 1024),
    });
    const shared = await shareRs(ann, bob);
    const done = await ann.send('PUT', session, content.subarray(1024 * 1024), {
      'content-range': `bytes ${1024 * 1024}-${content.length - 1}/${content.length}`,
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ path: '/rs/late.bin', namespace: shared });
    await expectReachable(ann, bob, 'late.bin', content);
  });

  it('a simple upload whose body is still arriving at the share lands in the shared folder', async () => {
    const { ann, bob } = await twoUsers();
    const content = seededBytes('random', 12, 16 * 1024 * 1024);
    // The server encodes two blocks ahead before it stores the first: send three blocks' worth.
    const ends = await blockEnds(content);
    expect(ends.length).toBeGreaterThan(3);
    const sent = ends[2]! + 1024;
    const before = await ann.usedBytes();
    const held = createHeldBody();
    const answer = sendHeldUpload(ann, '/rs/held.bin', held);
    held.push(content.subarray(0, sent));
    // A block stored means the upload has resolved its target (Ann's root) and is writing.
    await vi.waitFor(async () => expect(await ann.usedBytes()).toBeGreaterThan(before), {
      timeout: 10_000,
    });
    const shared = await shareRs(ann, bob);
    held.push(content.subarray(sent));
    held.end();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ path: '/rs/held.bin', namespace: shared });
    await expectReachable(ann, bob, 'held.bin', content);
  });

  it('a client commit held across the share gets 409 namespace_changed, then commits in the shared folder', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ferry-late-commit-'));
    const real = openSqliteMetadataStore(path.join(dataDir, 'metadata.db'));
    let gate: Gate | undefined;
    const store: MetadataStore = {
      ...real,
      async commitFile(input) {
        await gate?.pass();
        return real.commitFile(input);
      },
    };
    const { ann, bob } = await twoUsers({ dataDir, components: { store } });
    const content = seededBytes('random', 13, 300_000);
    const blocks = await encodeContent(content, await ann.keyOf());
    await putBlocks(ann, blocks);
    const commit = {
      path: '/rs/committed.bin',
      blocks: blocks.map((b) => b.id),
      size: content.length,
      modified: 1_700_000_000_000,
      parentRev: null,
    };
    gate = createGate();
    const held = ann.json('POST', '/files/commit', commit);
    await gate.reached;
    const shared = await shareRs(ann, bob);
    gate.open();
    gate = undefined;
    const res = await held;
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      error: {
        code: 'namespace_changed',
        namespace: shared,
        message: expect.stringContaining('/rs/committed.bin'),
      },
    });
    expect((await download(ann, '/rs/committed.bin')).status).toBe(404);
    // What the error asks for: encrypt with the new namespace's key, upload there, commit again.
    const again = await encodeContent(content, await ann.keyOf(shared));
    await putBlocks(ann, again, shared);
    const retried = await ann.json('POST', '/files/commit', commit);
    expect(retried.status).toBe(200);
    expect((retried.body as FileMetadata).namespace).toBe(shared);
    await expectReachable(ann, bob, 'committed.bin', content);
  });
});
