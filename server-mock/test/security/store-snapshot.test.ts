/**
 * The store snapshot must see real changes (or every "changes nothing" assertion of the
 * security suites would pass vacuously) and must ignore only the documented columns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeStoreSnapshot } from '../store-snapshot.js';
import { encodeContent, putBlocks, utf8 } from '../test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../test-server.js';

let server: TestServer;
let ann: TestClient;
let nowMs = 1_700_000_000_000;

beforeAll(async () => {
  server = await startTestServer({ components: { now: () => nowMs } });
  ann = await server.createUser('ann');
});
afterAll(async () => server?.close());

describe('takeStoreSnapshot', () => {
  it('reads every table and the block files of a live server (WAL included)', async () => {
    const snapshot = await takeStoreSnapshot(server.dataDir);
    expect(snapshot.tables.user).toHaveLength(1);
    expect(snapshot.tables.device).toHaveLength(1);
    expect(snapshot.tables.namespace_key?.[0]?.wrapped_key).toMatch(/^x'[0-9a-f]+'$/);
    expect(snapshot.files['master.key']).toMatch(/^\d+ [0-9a-f]{64}$/);
    expect(snapshot.schema.some((s) => s.startsWith('table file:'))).toBe(true);
  });

  it('sees a metadata change', async () => {
    const before = await takeStoreSnapshot(server.dataDir);
    expect((await ann.json('POST', '/files/mkdir', { path: '/Docs' })).status).toBe(200);
    const after = await takeStoreSnapshot(server.dataDir);
    expect(after.tables.file).not.toEqual(before.tables.file);
    expect(after.tables.journal).not.toEqual(before.tables.journal);
  });

  it('sees a new block file', async () => {
    const before = await takeStoreSnapshot(server.dataDir);
    const blocks = await encodeContent(utf8('a block'), await ann.keyOf());
    expect((await putBlocks(ann, blocks))[0]?.status).toBe(200);
    const after = await takeStoreSnapshot(server.dataDir);
    const added = Object.keys(after.files).filter((f) => !(f in before.files));
    expect(added.some((f) => f.includes(blocks[0]!.id))).toBe(true);
  });

  it('ignores device last-seen by default, and sees it when asked to', async () => {
    const before = await takeStoreSnapshot(server.dataDir);
    const strictBefore = await takeStoreSnapshot(server.dataDir, { ignoredColumns: {} });
    nowMs += 10 * 60_000; // past the once-a-minute last-seen write
    expect((await ann.json('GET', '/account')).status).toBe(200);
    expect(await takeStoreSnapshot(server.dataDir)).toEqual(before);
    const strictAfter = await takeStoreSnapshot(server.dataDir, { ignoredColumns: {} });
    expect(strictAfter.tables.device).not.toEqual(strictBefore.tables.device);
  });
});
