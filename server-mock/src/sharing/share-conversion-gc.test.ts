/**
 * The first share of a folder re-encodes its blocks into a new namespace while garbage
 * collection may run (issue 7 item 3). The block store is wrapped so that one of the
 * conversion's writes is held after its bytes are stored; meanwhile the server's own storage
 * policy runs with a zero grace period (refcount pass and orphan sweep). Every file must still
 * download byte-equal afterwards, and a conversion that fails leaves nothing charged or pinned.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NamespaceId, Rev, ShareMetadata } from 'sync-engine/protocol';
import { openFaultyBlockStore, type FaultyBlockStore } from '../../test/faulty-block-store.js';
import { commitContent, utf8 } from '../../test/test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let dataDir: string;
let blocks: FaultyBlockStore;
let server: TestServer;
let ann: TestClient;
let bob: TestClient;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ferry-share-gc-'));
  blocks = await openFaultyBlockStore(dataDir);
  server = await startTestServer({ dataDir, gcGraceMs: 0, components: { blocks } });
  ann = await server.createUser('ann');
  bob = await server.createUser('bob');
});
afterEach(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

const FILES: ReadonlyArray<readonly [string, Uint8Array]> = [
  ['/Album/one.bin', seededBytes('random', 1, 120_000)],
  ['/Album/two.bin', seededBytes('random', 2, 40_000)],
  ['/Album/deep/three.txt', utf8('three')],
  ['/Album/deep/four.bin', seededBytes('random', 4, 9_000)],
];
const OLD_VERSION = seededBytes('random', 9, 30_000);

async function download(client: TestClient, query: string) {
  const res = await client.fetch(`/files/download?${query}`);
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** Commits FILES, with an older version of one.bin in its history; returns that old rev. */
async function seedAlbum(): Promise<Rev> {
  const old = await commitContent(ann, '/Album/one.bin', OLD_VERSION);
  for (const [filePath, content] of FILES) {
    const parentRev = filePath === '/Album/one.bin' ? old.file.rev : null;
    expect((await commitContent(ann, filePath, content, { parentRev })).status).toBe(200);
  }
  return old.file.rev as Rev;
}

async function expectAlbumIntact(oldRev: Rev) {
  for (const client of [ann, bob]) {
    for (const [filePath, content] of FILES) {
      const got = await download(client, `path=${encodeURIComponent(filePath)}`);
      expect({ filePath, status: got.status }).toEqual({ filePath, status: 200 });
      expect(Buffer.from(got.bytes).equals(Buffer.from(content))).toBe(true);
    }
    const old = await download(client, `path=/Album/one.bin&rev=${oldRev}`);
    expect(old.status).toBe(200);
    expect(Buffer.from(old.bytes).equals(Buffer.from(OLD_VERSION))).toBe(true);
  }
}

const usedBytes = async () =>
  ((await ann.json('GET', '/account')).body as { usedBytes: number }).usedBytes;

async function storedNamespaces(): Promise<NamespaceId[]> {
  const result: NamespaceId[] = [];
  for await (const namespace of blocks.listNamespaces()) result.push(namespace);
  return result.sort();
}

describe('sharing a folder while garbage collection runs', () => {
  it('keeps every re-encoded block: a zero-grace GC run in the middle of the conversion deletes nothing needed', async () => {
    const oldRev = await seedAlbum();
    // Hold the first re-encoded block: its bytes are in the new namespace, the rest are not.
    const held = blocks.pauseAfterPut((namespace) => namespace !== ann.rootNamespace);
    const sharing = ann.json('POST', '/shares', {
      path: '/Album',
      email: bob.email,
      role: 'editor',
    });
    await held.reached;
    await server.server.runPolicy();
    held.release();
    const res = await sharing;
    expect(res.status).toBe(200);
    expect((res.body as ShareMetadata).path).toBe('/Album');
    await expectAlbumIntact(oldRev);
    // And again once the old copies in the root have been collected.
    await server.server.runPolicy();
    await expectAlbumIntact(oldRev);
  });

  it('holds at every block of the conversion, not only the first', async () => {
    const oldRev = await seedAlbum();
    const notRoot = (namespace: NamespaceId) => namespace !== ann.rootNamespace;
    // Let the first three re-encoded blocks through, hold the fourth (the last one).
    let seen = 0;
    const held = blocks.pauseAfterPut((namespace) => notRoot(namespace) && ++seen === 4);
    const sharing = ann.json('POST', '/shares', {
      path: '/Album',
      email: bob.email,
      role: 'viewer',
    });
    await held.reached;
    await server.server.runPolicy();
    held.release();
    expect((await sharing).status).toBe(200);
    await expectAlbumIntact(oldRev);
  });

  it('leaves nothing charged or pinned when the conversion fails, and sharing again works', async () => {
    const oldRev = await seedAlbum();
    await server.server.runPolicy();
    const usedBefore = await usedBytes();
    const namespacesBefore = await storedNamespaces();
    // The third re-encoded block cannot be written: the share fails after two were stored.
    blocks.failPuts((namespace) => namespace !== ann.rootNamespace, 2);
    const failed = await ann.json('POST', '/shares', {
      path: '/Album',
      email: bob.email,
      role: 'editor',
    });
    expect(failed.status).toBe(500);
    blocks.heal();
    expect((await ann.json('GET', '/files/list?path=/')).body).toMatchObject({
      entries: [expect.not.objectContaining({ mount: expect.anything() })],
    });
    await server.server.runPolicy();
    expect(await usedBytes()).toBe(usedBefore);
    expect(await storedNamespaces()).toEqual(namespacesBefore);

    const shared = await ann.json('POST', '/shares', {
      path: '/Album',
      email: bob.email,
      role: 'editor',
    });
    expect(shared.status).toBe(200);
    await server.server.runPolicy();
    await expectAlbumIntact(oldRev);
  });
});
