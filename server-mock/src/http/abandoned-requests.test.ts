/**
 * A request whose client goes away before its answer starts no more store work
 * (request-signal.ts): a commit held just before the store, whose client then disconnects,
 * writes nothing; the same commit with its client still there lands. A simple upload cut off
 * midway gives its quota reservation back. Real server, real SQLite, real sockets.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ListResponse } from 'sync-engine/protocol';
import { seededBytes } from 'sync-engine/testkit';
import type { MetadataStore } from '../metadata/metadata-store.js';
import { openSqliteMetadataStore } from '../metadata/sqlite/sqlite-metadata-store.js';
import { RequestAbandonedError, requestSignal } from '../request-signal.js';
import { pauseStoreMethods, type PausedStore } from '../../test/paused-store.js';
import { countRows } from '../../test/services/test-databases.js';
import { encodeContent, putBlocks } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let server: TestServer | undefined;
let held: ClientRequest | undefined;
afterEach(async () => {
  held?.destroy();
  held = undefined;
  await server?.close();
  server = undefined;
});

/** The store with commitFile pausable, and what each commitFile call came to. */
function observedStore(file: string) {
  const paused: PausedStore = pauseStoreMethods(openSqliteMetadataStore(file), ['commitFile']);
  const settled: Array<Promise<unknown>> = [];
  const signals: Array<AbortSignal | undefined> = [];
  const store: MetadataStore = {
    ...paused.store,
    commitFile(input) {
      signals.push(requestSignal());
      const outcome = paused.store.commitFile(input);
      settled.push(
        outcome.then(
          () => 'committed',
          (error: unknown) => error,
        ),
      );
      return outcome;
    },
  };
  return { paused, store, settled, signals };
}

/** A commit of `blockId` at `path` sent on a raw socket (so the test can cut it). */
function sendCommit(url: string, client: TestClient, body: object): Promise<number> {
  const json = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    held = httpRequest(`${url}/files/commit`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${client.token}`,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(json)),
      },
    });
    held.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    held.on('error', reject);
    held.end(json);
  });
}

async function setUp() {
  let observed!: ReturnType<typeof observedStore>;
  server = await startTestServer({
    openStore: (file) => (observed = observedStore(file)).store,
  });
  const ann = await server.createUser('ann');
  const content = seededBytes('random', 1, 10_000);
  const blocks = await encodeContent(content, await ann.keyOf());
  await putBlocks(ann, blocks);
  const body = (path: string) => ({
    path,
    blocks: blocks.map((b) => b.id),
    size: content.length,
    modified: 1_700_000_000_000,
    parentRev: null,
  });
  return { ann, observed, body };
}

const listed = async (client: TestClient) => {
  const res = await client.json('GET', '/files/list?path=/');
  expect(res.status).toBe(200);
  return (res.body as ListResponse).entries.map((entry) => entry.path);
};

describe('a request whose client went away', () => {
  it('writes nothing: its commit, held before the store, is not started', async () => {
    const { ann, observed, body } = await setUp();
    const gate = observed.paused.holdNext();
    const answered = sendCommit(server!.url, ann, body('/gone.bin')).catch(() => 'cut');
    await gate.reached;
    const signal = observed.signals[0]!;
    expect(signal.aborted).toBe(false);
    held!.destroy();
    await vi.waitFor(() => expect(signal.aborted).toBe(true));
    gate.release();
    expect(await observed.settled[0]).toBeInstanceOf(RequestAbandonedError);
    expect(await answered).toBe('cut');
    expect(await listed(ann)).not.toContain('/gone.bin');
  });

  it('lands when the client stays (the same commit, held the same way)', async () => {
    const { ann, observed, body } = await setUp();
    const gate = observed.paused.holdNext();
    const answered = sendCommit(server!.url, ann, body('/stayed.bin'));
    await gate.reached;
    gate.release();
    expect(await answered).toBe(200);
    expect(await observed.settled[0]).toBe('committed');
    expect(await listed(ann)).toContain('/stayed.bin');
  });

  it('gives back the quota reservation of a simple upload cut off midway', async () => {
    server = await startTestServer({ defaultQuotaBytes: 4 * 1024 * 1024 });
    const ann = await server.createUser('ann');
    const reservations = () =>
      countRows(server!.dataDir, 'SELECT COUNT(*) AS n FROM quota_reservation');
    held = httpRequest(`${server.url}/files/upload?uploadType=media&path=/cut.bin`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ann.token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(3 * 1024 * 1024),
      },
    });
    held.on('error', () => undefined);
    held.write(seededBytes('random', 2, 64 * 1024));
    await vi.waitFor(async () => expect(await reservations()).toBe(1), { timeout: 10_000 });
    held.destroy();
    await vi.waitFor(async () => expect(await reservations()).toBe(0), { timeout: 10_000 });
    expect(await listed(ann)).not.toContain('/cut.bin');
  });
});
