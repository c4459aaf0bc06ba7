/**
 * A revoked (or demoted) editor's upload does not land (issue 7, item 7). An upload that began
 * while Bob could write to Ann's shared folder and finishes after Ann revoked the share, or made
 * him a viewer, is refused with 403 forbidden: nothing committed, nothing charged to Ann, the
 * blocks it stored discarded. Forced interleavings: a simple upload whose body is held open, and
 * a resumable upload held after its last access check by a gate in the block store (before its
 * first block) or in the metadata store (before the commit's transaction): wrappers around the
 * real components, which only pause.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chunkStream } from 'sync-engine/blocks';
import type { ListResponse, ShareMetadata } from 'sync-engine/protocol';
import { LocalDirBlockStore, type BlockStore } from '../blocks/index.js';
import type { ServerComponents } from '../index.js';
import type { MetadataStore } from '../metadata/metadata-store.js';
import { openSqliteMetadataStore } from '../metadata/sqlite/sqlite-metadata-store.js';
import { createGate, createHeldBody, sendHeldUpload, type Gate } from '../../test/held-body.js';
import { commitContent, startResumableUpload, utf8 } from '../../test/test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import {
  startTestServer,
  type TestClient,
  type TestResponse,
  type TestServer,
} from '../../test/test-server.js';

let server: TestServer | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

const CONTENT = seededBytes('random', 31, 16 * 1024 * 1024);

async function blockFiles(): Promise<number> {
  const entries = await readdir(path.join(server!.dataDir, 'blocks'), {
    recursive: true,
    withFileTypes: true,
  });
  return entries.filter((e) => e.isFile()).length;
}

/** Bytes to send so that the server has stored at least one block (it encodes two ahead). */
async function bytesForOneStoredBlock(): Promise<number> {
  async function* source() {
    yield CONTENT;
  }
  const ends: number[] = [];
  for await (const block of chunkStream(source())) ends.push(block.offset + block.bytes.length);
  expect(ends.length).toBeGreaterThan(3);
  return ends[2]! + 1024;
}

type GatePoint = 'block put' | 'commit';

/**
 * The real block store and metadata store on a fresh data dir, one of them wrapped to wait at
 * `pass()` (block put: the first block of the finishing upload; commit: after every block).
 */
async function gatedComponents(point: GatePoint, pass: () => Promise<void> | undefined) {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ferry-revoke-'));
  const blocks = await LocalDirBlockStore.open({
    hotDir: path.join(dataDir, 'blocks', 'hot'),
    coldDir: path.join(dataDir, 'blocks', 'cold'),
  });
  const store = openSqliteMetadataStore(path.join(dataDir, 'metadata.db'));
  if (point === 'commit') {
    const gated: MetadataStore = {
      ...store,
      async commitFile(input) {
        await pass();
        return store.commitFile(input);
      },
    };
    return { blocks, store: gated };
  }
  const gated: BlockStore = {
    put: async (namespace, id, encoded) => {
      await pass();
      return blocks.put(namespace, id, encoded);
    },
    get: (namespace, id) => blocks.get(namespace, id),
    tierOf: (namespace, id) => blocks.tierOf(namespace, id),
    moveToCold: (namespace, id) => blocks.moveToCold(namespace, id),
    delete: (namespace, id) => blocks.delete(namespace, id),
    list: (namespace) => blocks.list(namespace),
    listNamespaces: () => blocks.listNamespaces(),
    close: () => blocks.close(),
  };
  return { blocks: gated, store };
}

async function setUp(components?: ServerComponents) {
  server = await startTestServer(dataDir ? { dataDir, components } : {});
  const ann = await server.createUser('ann');
  const bob = await server.createUser('bob');
  expect((await commitContent(ann, '/team/plan.txt', utf8('the plan'))).status).toBe(200);
  const shared = await ann.json('POST', '/shares', {
    path: '/team',
    email: bob.email,
    role: 'editor',
  });
  expect(shared.status).toBe(200);
  const share = shared.body as ShareMetadata;
  return { ann, bob, share, baseline: { used: await ann.usedBytes(), files: await blockFiles() } };
}

type Change = 'revoke' | 'viewer';

async function changeAccess(ann: TestClient, share: ShareMetadata, change: Change) {
  const res =
    change === 'revoke'
      ? await ann.json('DELETE', `/shares/${share.id}`)
      : await ann.json('PATCH', `/shares/${share.id}`, { role: 'viewer' });
  expect(res.status).toBe(200);
}

async function expectRefusedWithoutTrace(
  res: TestResponse,
  ann: TestClient,
  baseline: { used: number; files: number },
) {
  expect(res.status).toBe(403);
  expect(res.body).toMatchObject({
    error: { code: 'forbidden', message: expect.stringContaining('/team') },
  });
  const listing = (await ann.json('GET', '/files/list?path=/team')).body as ListResponse;
  expect(listing.entries.map((e) => e.path)).toEqual(['/team/plan.txt']);
  expect(await ann.usedBytes()).toBe(baseline.used);
  expect(await blockFiles()).toBe(baseline.files);
}

describe("an editor's upload that finishes after the owner took write access away", () => {
  it.each<Change>(['revoke', 'viewer'])(
    'a simple upload with its body still arriving (%s) is refused and leaves nothing',
    async (change) => {
      const { ann, bob, share, baseline } = await setUp();
      const sent = await bytesForOneStoredBlock();
      const held = createHeldBody();
      const answer = sendHeldUpload(bob, '/team/x.bin', held);
      held.push(CONTENT.subarray(0, sent));
      // Blocks are charged to Ann as they are stored: the upload is under way.
      await vi.waitFor(async () => expect(await ann.usedBytes()).toBeGreaterThan(baseline.used), {
        timeout: 10_000,
      });
      await changeAccess(ann, share, change);
      held.push(CONTENT.subarray(sent));
      held.end();
      await expectRefusedWithoutTrace(await answer, ann, baseline);
    },
  );

  it.each<[Change, GatePoint]>([
    ['revoke', 'block put'],
    ['viewer', 'block put'],
    ['revoke', 'commit'],
    ['viewer', 'commit'],
  ])(
    'a resumable upload past its last piece check (%s, held at its %s) is refused and leaves nothing',
    async (change, point) => {
      let gate: Gate | undefined;
      const { ann, bob, share, baseline } = await setUp(
        await gatedComponents(point, () => gate?.pass()),
      );
      const content = CONTENT.subarray(0, 3 * 1024 * 1024);
      const session = await startResumableUpload(bob, {
        path: '/team/y.bin',
        totalBytes: content.length,
      });
      gate = createGate();
      // The piece passes its access check, is staged, and the upload's commit begins.
      const answer = bob.send('PUT', session, content, {
        'content-range': `bytes 0-${content.length - 1}/${content.length}`,
      });
      await gate.reached;
      await changeAccess(ann, share, change);
      gate.open();
      gate = undefined;
      await expectRefusedWithoutTrace(await answer, ann, baseline);
    },
  );
});
