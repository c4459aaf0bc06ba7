/**
 * Group commit over real HTTP: a write is answered only once the metadata store's barrier
 * released it; concurrent writes share one fdatasync of the WAL while reads answer without
 * waiting; a failed fdatasync answers 503 instead of acknowledging, and keeps doing so.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FileMetadata, RemotePath } from 'sync-engine/protocol';
import type { MetadataStore } from '../metadata/metadata-store.js';
import {
  openSqliteMetadataStore,
  type SqliteStoreOptions,
} from '../metadata/sqlite/sqlite-metadata-store.js';
import { createGate, type Gate } from '../../test/held-body.js';
import { encodeContent, putBlocks, utf8 } from '../../test/test-blocks.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * A server on a real SQLite store whose `durable()` calls are counted and can be held at their
 * start (`holdNextBarrier`).
 */
async function startWatchedServer(options: SqliteStoreOptions = {}) {
  let real!: MetadataStore;
  let armed: Gate | undefined;
  const counts = { barrierCalls: 0 };
  server = await startTestServer({
    openStore: (file) => {
      real = openSqliteMetadataStore(file, options);
      return {
        ...real,
        async durable() {
          counts.barrierCalls++;
          const gate = armed;
          armed = undefined;
          await gate?.pass();
          return real.durable();
        },
      };
    },
  });
  return {
    server,
    real,
    counts,
    holdNextBarrier(): Gate {
      armed = createGate();
      return armed;
    },
  };
}

describe('replies wait for durability (group commit)', () => {
  it('answers a commit only after the barrier, with the commit already in the store', async () => {
    const { server, real, holdNextBarrier } = await startWatchedServer();
    const ann = await server.createUser('ann');
    const content = utf8('written before the answer');
    const blocks = await encodeContent(content, await ann.keyOf());
    await putBlocks(ann, blocks);

    const gate = holdNextBarrier();
    let answered = false;
    const reply = ann
      .json('POST', '/files/commit', {
        path: '/notes.txt',
        blocks: blocks.map((b) => b.id),
        size: content.length,
        modified: 1_700_000_000_000,
        parentRev: null,
      })
      .finally(() => (answered = true));
    await gate.reached;
    const committed = await real.getEntry(ann.rootNamespace, '/notes.txt' as RemotePath);
    expect(committed?.rev).toBeDefined();
    expect(answered).toBe(false);

    gate.open();
    const res = await reply;
    expect(res.status).toBe(200);
    expect((res.body as FileMetadata).rev).toBe(committed?.rev);
  });

  it('answers concurrent writes after at most two fdatasyncs of the WAL; reads do not wait', async () => {
    let syncs = 0;
    let heldSync: Gate | undefined;
    const { server, counts } = await startWatchedServer({
      syncFile: async (handle) => {
        syncs++;
        const gate = heldSync;
        heldSync = undefined;
        await gate?.pass();
        await handle.datasync();
      },
    });
    const ann = await server.createUser('ann');
    const before = { syncs, barrierCalls: counts.barrierCalls };

    heldSync = createGate();
    const firstSync = heldSync;
    const writes = Array.from({ length: 20 }, (_, i) =>
      ann.json('POST', '/files/mkdir', { path: `/folder-${i}` }),
    );
    await firstSync.reached;
    await vi.waitFor(() => expect(counts.barrierCalls - before.barrierCalls).toBe(20));

    // While the fdatasync is held: plain reads and read-only POSTs answer at once…
    expect((await ann.json('GET', '/files/list?path=/')).status).toBe(200);
    const check = await ann.json('POST', '/blocks/check', {
      namespace: ann.rootNamespace,
      hashes: [],
    });
    expect(check.status).toBe(200);
    // …but a cursor is handed out only once the entries before it are durable.
    let cursorAnswered = false;
    const cursor = ann.json('GET', '/changes/latest_cursor').finally(() => (cursorAnswered = true));
    await vi.waitFor(() => expect(counts.barrierCalls - before.barrierCalls).toBe(21));
    expect(cursorAnswered).toBe(false);

    firstSync.open();
    const statuses = (await Promise.all(writes)).map((r) => r.status);
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 200));
    expect((await cursor).status).toBe(200);
    expect(syncs - before.syncs).toBeGreaterThanOrEqual(1);
    expect(syncs - before.syncs).toBeLessThanOrEqual(2);
  });

  it('answers 503 instead of acknowledging when the fdatasync fails, and keeps refusing', async () => {
    let failing = false;
    const { server, real } = await startWatchedServer({
      syncFile: async (handle) => {
        if (failing) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
        await handle.datasync();
      },
    });
    const ann = await server.createUser('ann');
    failing = true;

    const refused = await ann.json('POST', '/files/mkdir', { path: '/maybe' });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: { code: 'unavailable' } });
    failing = false;
    const again = await ann.json('POST', '/files/mkdir', { path: '/later' });
    expect(again.status).toBe(503);
    // Reads that hand out no journal position still answer.
    expect((await ann.json('GET', '/files/list?path=/')).status).toBe(200);
    // The refused writes were committed, only their durability could not be promised.
    expect(await real.getEntry(ann.rootNamespace, '/later' as RemotePath)).toBeDefined();
  });
});
