/**
 * When the last share of a folder goes (revoked by the owner or left by the recipient), the
 * folder becomes an ordinary folder of the owner's root again (issue 7 item 6): it can be
 * deleted, and its files, their history and old revisions stay reachable at the same paths,
 * also after garbage collection with a zero grace period and after a delete.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ChangesResponse,
  Cursor,
  ListResponse,
  ListRevisionsResponse,
  NamespaceId,
  Rev,
  ShareMetadata,
} from 'sync-engine/protocol';
import { openFaultyBlockStore, type FaultyBlockStore } from '../../test/faulty-block-store.js';
import { commitContent, utf8 } from '../../test/test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let dataDir: string;
let blocks: FaultyBlockStore;
let server: TestServer;
let ann: TestClient;
let bob: TestClient;
let cat: TestClient;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ferry-unshare-'));
  blocks = await openFaultyBlockStore(dataDir);
  server = await startTestServer({ dataDir, gcGraceMs: 0, components: { blocks } });
  ann = await server.createUser('ann');
  bob = await server.createUser('bob');
  cat = await server.createUser('cat');
});
afterEach(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

const V1 = seededBytes('random', 1, 20_000);
const V2 = seededBytes('random', 2, 25_000);
const GONE = utf8('deleted before sharing');

async function download(client: TestClient, query: string) {
  const res = await client.fetch(`/files/download?${query}`);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}
const share = async (folder: string, to: TestClient) => {
  const res = await ann.json('POST', '/shares', { path: folder, email: to.email, role: 'editor' });
  expect(res.status).toBe(200);
  return res.body as ShareMetadata;
};
const revoke = async (created: ShareMetadata, by: TestClient = ann) =>
  expect((await by.json('DELETE', `/shares/${created.id}`)).status).toBe(200);
const revisions = async (filePath: string) => {
  const res = await ann.json('GET', `/files/list_revisions?path=${encodeURIComponent(filePath)}`);
  expect(res.status).toBe(200);
  return (res.body as ListRevisionsResponse).revisions.map((r) => r.rev);
};

/** /Proj/a.txt with two versions, /Proj/sub/b.bin, and /Proj/gone.txt deleted. */
async function seedProject() {
  const v1 = (await commitContent(ann, '/Proj/a.txt', V1)).file.rev as Rev;
  const v2 = (await commitContent(ann, '/Proj/a.txt', V2, { parentRev: v1 })).file.rev as Rev;
  await commitContent(ann, '/Proj/sub/b.bin', seededBytes('random', 3, 7_000));
  const gone = (await commitContent(ann, '/Proj/gone.txt', GONE)).file.rev as Rev;
  expect((await ann.json('POST', '/files/delete', { path: '/Proj/gone.txt' })).status).toBe(200);
  return { v1, v2, gone };
}

/** Everything of seedProject is readable by ann at its old paths, with its history. */
async function expectProjectReachable(revs: { v1: Rev; v2: Rev; gone: Rev }, deleted: boolean) {
  expect(await revisions('/Proj/a.txt')).toEqual([revs.v2, revs.v1]);
  expect(await revisions('/Proj/gone.txt')).toEqual([revs.gone]);
  for (const [rev, content] of [
    [revs.v1, V1],
    [revs.v2, V2],
  ] as const) {
    const old = await download(ann, `path=/Proj/a.txt&rev=${rev}`);
    expect(old.status).toBe(200);
    expect(old.bytes.equals(Buffer.from(content))).toBe(true);
  }
  const gone = await download(ann, `path=/Proj/gone.txt&rev=${revs.gone}`);
  expect(gone.bytes.toString()).toBe('deleted before sharing');
  const current = await download(ann, 'path=/Proj/a.txt');
  expect(current.status).toBe(deleted ? 404 : 200);
  if (!deleted) expect(current.bytes.equals(Buffer.from(V2))).toBe(true);
}

async function rootEntry(folder: string) {
  const listing = (await ann.json('GET', '/files/list?path=/')).body as ListResponse;
  return listing.entries.find((e) => e.path === folder);
}

describe('revoking the last share of a folder', () => {
  it('makes it an ordinary folder again: deletable, history reachable before and after the delete', async () => {
    const revs = await seedProject();
    const created = await share('/Proj', bob);
    expect(await rootEntry('/Proj')).toMatchObject({ mount: { namespace: created.namespace } });
    await commitContent(bob, '/Proj/from-bob.txt', utf8('bob wrote this'), {
      namespace: created.namespace,
    });
    const cursor = ((await ann.json('GET', '/changes/latest_cursor')).body as { cursor: Cursor })
      .cursor;
    await server.server.runPolicy();
    await revoke(created);

    const entry = await rootEntry('/Proj');
    expect(entry).toMatchObject({ type: 'folder', namespace: ann.rootNamespace });
    expect(entry).not.toHaveProperty('mount');
    expect((await download(ann, 'path=/Proj/from-bob.txt')).bytes.toString()).toBe(
      'bob wrote this',
    );
    // Ann's devices see the folder as a plain folder of the root, its files where they were.
    const page = (await ann.json('GET', `/changes?cursor=${cursor}`)).body as ChangesResponse;
    expect(page.entries.find((e) => e.path === '/Proj')).not.toHaveProperty('mount');
    expect(page.entries.map((e) => e.path)).toContain('/Proj/a.txt');
    await server.server.runPolicy();
    await expectProjectReachable(revs, false);

    const deleted = await ann.json('POST', '/files/delete', { path: '/Proj' });
    expect(deleted.status).toBe(200);
    await server.server.runPolicy();
    await expectProjectReachable(revs, true);
    const restored = await ann.json('POST', '/files/restore', {
      path: '/Proj/a.txt',
      rev: revs.v1,
    });
    expect(restored.status).toBe(200);
    expect((await download(ann, 'path=/Proj/a.txt')).bytes.equals(Buffer.from(V1))).toBe(true);
  });

  it('stays a shared folder while another share remains; the last one leaving ends it', async () => {
    const revs = await seedProject();
    const toBob = await share('/Proj', bob);
    const toCat = await share('/Proj', cat);
    await revoke(toBob);
    const refused = await ann.json('POST', '/files/delete', { path: '/Proj' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'path_conflict' } });
    await revoke(toCat, cat);
    expect(await rootEntry('/Proj')).not.toHaveProperty('mount');
    await server.server.runPolicy();
    await expectProjectReachable(revs, false);
    expect((await ann.json('POST', '/files/delete', { path: '/Proj' })).status).toBe(200);
  });

  it('can be shared again after the revoke, and unshared again', async () => {
    const revs = await seedProject();
    await revoke(await share('/Proj', bob));
    await server.server.runPolicy();
    const again = await share('/Proj', cat);
    const got = await download(cat, 'path=/Proj/a.txt');
    expect(got.bytes.equals(Buffer.from(V2))).toBe(true);
    await revoke(again);
    await server.server.runPolicy();
    await expectProjectReachable(revs, false);
    expect((await ann.json('POST', '/files/delete', { path: '/Proj' })).status).toBe(200);
  });

  it('lets a folder that contains a formerly shared folder be deleted', async () => {
    await commitContent(ann, '/Outer/Inner/x.txt', utf8('x'));
    await revoke(await share('/Outer/Inner', bob));
    expect((await ann.json('POST', '/files/delete', { path: '/Outer' })).status).toBe(200);
    expect((await revisions('/Outer/Inner/x.txt')).length).toBe(1);
  });

  it('keeps the blocks written back into the root while a zero-grace GC runs in the middle', async () => {
    const revs = await seedProject();
    const created = await share('/Proj', bob);
    // Collect the root's old copies, so the way back has to write every block again.
    await server.server.runPolicy();
    const held = blocks.pauseAfterPut((namespace: NamespaceId) => namespace === ann.rootNamespace);
    const revoking = ann.json('DELETE', `/shares/${created.id}`);
    const ended = revoking.then(() => 'the revoke wrote no block back into the root');
    expect(await Promise.race([held.reached.then(() => 'held'), ended])).toBe('held');
    // The sweep walks the root while the block's bytes are there and its row is not yet; it
    // must wait for the block lock the write holds, then find the row.
    const sweptRoot = blocks.listed(ann.rootNamespace);
    const collecting = server.server.runPolicy();
    await sweptRoot;
    held.release();
    await collecting;
    expect((await revoking).status).toBe(200);
    await server.server.runPolicy();
    await expectProjectReachable(revs, false);
    expect((await ann.json('POST', '/files/delete', { path: '/Proj' })).status).toBe(200);
    await server.server.runPolicy();
    await expectProjectReachable(revs, true);
  });

  it('still lets the folder be deleted when the way back failed at the revoke', async () => {
    const revs = await seedProject();
    const created = await share('/Proj', bob);
    await server.server.runPolicy();
    // Writing blocks back into the root fails during the revoke: the revoke itself stands.
    blocks.failPuts((namespace) => namespace === ann.rootNamespace);
    await revoke(created);
    expect(await rootEntry('/Proj')).toMatchObject({ mount: { namespace: created.namespace } });
    expect((await bob.json('GET', '/shares')).body).toEqual({ owned: [], received: [] });
    blocks.heal();
    await server.server.runPolicy();
    const deleted = await ann.json('POST', '/files/delete', { path: '/Proj' });
    expect(deleted.status).toBe(200);
    await server.server.runPolicy();
    await expectProjectReachable(revs, true);
  });

  it('stays shared when a new share lands while the way back runs, and loses nothing', async () => {
    const revs = await seedProject();
    const toBob = await share('/Proj', bob);
    await server.server.runPolicy();
    const held = blocks.pauseAfterPut((namespace: NamespaceId) => namespace === ann.rootNamespace);
    const revoking = ann.json('DELETE', `/shares/${toBob.id}`);
    await held.reached;
    const toCat = await share('/Proj', cat);
    expect(toCat.namespace).toBe(toBob.namespace);
    held.release();
    expect((await revoking).status).toBe(200);
    expect(await rootEntry('/Proj')).toMatchObject({ mount: { namespace: toBob.namespace } });
    await server.server.runPolicy();
    const got = await download(cat, 'path=/Proj/a.txt');
    expect(got.bytes.equals(Buffer.from(V2))).toBe(true);
    await expectProjectReachable(revs, false);
    expect(((await ann.json('GET', '/account')).body as { usedBytes: number }).usedBytes).toBe(
      V1.length + V2.length + 7_000 + GONE.length,
    );
  });
});
