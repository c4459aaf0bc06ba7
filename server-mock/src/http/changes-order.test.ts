/**
 * The order of GET /changes (docs/protocol.md "Order"): random tree operations, replayed by a
 * device that reads pages of random sizes between the writes (so the journal compacts and is
 * pruned between its pages), and by a new device reading everything at every page size. Each
 * replay must never see an entry before its folder nor a folder end while it still holds
 * something, and must end with the user's listing. A failing run prints its seed and operations.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangesResponse, Cursor, ListResponse, ShareMetadata } from 'sync-engine/protocol';
import { ChangesReplay } from '../../test/changes-replay.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

const RUNS = Number(process.env.FERRY_PROPERTY_RUNS ?? 40);
const RETENTION_MS = 30 * 24 * 3600 * 1000;

let server: TestServer;
let users = 0;
let nowMs = Date.now();
beforeAll(async () => {
  // The clock jumps past journal retention at every prune; idle devices would expire after three
  // jumps (90 days), which is not what this test is about.
  server = await startTestServer({ deviceIdleExpiryMs: 0, components: { now: () => nowMs } });
});
afterAll(async () => server.close());

async function latest(client: TestClient): Promise<Cursor> {
  return ((await client.json('GET', '/changes/latest_cursor')).body as { cursor: Cursor }).cursor;
}

/** One page, or `expired` when the cursor is past retention (410). */
async function page(client: TestClient, cursor: Cursor, limit: number) {
  const res = await client.json('GET', `/changes?cursor=${cursor}&limit=${limit}`);
  if (res.status === 410) return 'expired' as const;
  if (res.status !== 200)
    throw new Error(`GET /changes: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ChangesResponse;
}

async function listing(client: TestClient) {
  const res = await client.json('GET', '/files/list?path=/&recursive=true');
  return (res.body as ListResponse).entries;
}

const linesOf = (entries: Awaited<ReturnType<typeof listing>>) =>
  entries
    .map((e) => `${e.type} ${e.path} ${e.fileId}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * A device of `client` replaying its journal. On 410 it does what a client must: take a cursor,
 * then list (so nothing between the two is missed), and go on from that cursor.
 */
class Device {
  readonly replay = new ChangesReplay();
  /** How many times a 410 made the device list its tree again. */
  relisted = 0;
  private constructor(
    private readonly client: TestClient,
    private cursor: Cursor,
  ) {}

  static async start(client: TestClient): Promise<Device> {
    return new Device(client, await latest(client));
  }

  async read(limit: number, label: string): Promise<boolean> {
    const got = await page(this.client, this.cursor, limit);
    if (got === 'expired') {
      this.relisted++;
      this.cursor = await latest(this.client);
      const entries = await listing(this.client);
      this.replay.reset(
        entries.map((e) => [
          e.path,
          { kind: e.type, fileId: e.fileId },
          e.type === 'folder' && e.mount !== undefined,
        ]),
      );
      return true;
    }
    this.replay.apply(got.entries, label);
    this.cursor = got.cursor;
    return got.hasMore;
  }

  async catchUp(): Promise<void> {
    while (await this.read(2, 'catching up: ')) {
      /* next page */
    }
  }
}

const NAMES = ['a', 'b', 'c'];
const relArb = fc
  .array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 })
  .map((parts) => `/${parts.join('/')}`);
type TreeOp =
  | { kind: 'mkdir' | 'commit' | 'delete'; path: string }
  | { kind: 'move'; from: string; to: string };
const treeOpArb: fc.Arbitrary<TreeOp> = fc.oneof(
  fc.record({ kind: fc.constant('mkdir' as const), path: relArb }),
  fc.record({ kind: fc.constant('commit' as const), path: relArb }),
  fc.record({ kind: fc.constant('delete' as const), path: relArb }),
  fc.record({ kind: fc.constant('move' as const), from: relArb, to: relArb }),
);
const readArb = fc.record({
  kind: fc.constant('read' as const),
  limit: fc.integer({ min: 1, max: 3 }),
});

/** Runs a tree operation under `base` (a folder of the user's view; '' for the root). */
async function perform(client: TestClient, base: string, op: TreeOp): Promise<void> {
  switch (op.kind) {
    case 'mkdir':
      await client.json('POST', '/files/mkdir', { path: base + op.path });
      return;
    case 'commit':
      // An empty file: no blocks to upload, a new revision each time.
      await client.json('POST', '/files/commit', {
        path: base + op.path,
        blocks: [],
        size: 0,
        modified: 1,
      });
      return;
    case 'delete':
      await client.json('POST', '/files/delete', { path: base + op.path });
      return;
    case 'move':
      await client.json('POST', '/files/move', { from: base + op.from, to: base + op.to });
      return;
  }
}

/** A new device reads from `start` at every page size up to the whole journal. */
async function expectEveryPageSize(client: TestClient, start: Cursor, expected: string[]) {
  const all = await page(client, start, 10_000);
  if (all === 'expired') throw new Error('a cursor from the start never expires');
  for (let limit = 1; limit <= Math.max(1, all.entries.length); limit++) {
    const replay = new ChangesReplay();
    let at = start;
    for (let more = true; more;) {
      const got = await page(client, at, limit);
      if (got === 'expired') throw new Error('a cursor from the start never expires');
      replay.apply(got.entries, `limit ${limit}: `);
      at = got.cursor;
      more = got.hasMore;
    }
    expect(replay.problems).toEqual([]);
    expect(replay.lines()).toEqual(expected);
  }
}

describe('GET /changes order: parents first', () => {
  it('holds in one namespace for random operations, page sizes, compaction and pruning', async () => {
    const opArb = fc.oneof(
      { arbitrary: treeOpArb, weight: 6 },
      { arbitrary: readArb, weight: 2 },
      { arbitrary: fc.record({ kind: fc.constant('prune' as const) }), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        const writer = await server.createUser(`order${users++}`);
        const start = await latest(writer);
        const device = await Device.start(writer);
        for (const op of ops) {
          if (op.kind === 'read') await device.read(op.limit, `after ${JSON.stringify(op)}: `);
          else if (op.kind === 'prune') {
            // Every tombstone so far is past retention: the policy run prunes them.
            nowMs += RETENTION_MS + 1000;
            await server.server.runPolicy();
          } else await perform(writer, '', op);
        }
        await device.catchUp();
        const expected = linesOf(await listing(writer));
        expect(device.replay.problems).toEqual([]);
        expect(device.replay.lines()).toEqual(expected);
        await expectEveryPageSize(writer, start, expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('holds across a shared folder: both members write, the recipient renames its mount', async () => {
    type ShareOp =
      | (TreeOp & { by: 'owner' | 'recipient' })
      | { kind: 'read'; limit: number }
      | { kind: 'rename' };
    const opArb: fc.Arbitrary<ShareOp> = fc.oneof(
      {
        arbitrary: fc
          .tuple(treeOpArb, fc.constantFrom('owner' as const, 'recipient' as const))
          .map(([op, by]) => ({ ...op, by })),
        weight: 6,
      },
      { arbitrary: readArb, weight: 2 },
      { arbitrary: fc.record({ kind: fc.constant('rename' as const) }), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
        const owner = await server.createUser(`owner${users}`);
        const recipient = await server.createUser(`recipient${users++}`);
        const start = await latest(recipient);
        const device = await Device.start(recipient);
        await owner.json('POST', '/files/mkdir', { path: '/s/a' });
        const shared = await owner.json('POST', '/shares', {
          path: '/s',
          email: recipient.email,
          role: 'editor',
        });
        expect((shared.body as ShareMetadata).path).toBe('/s');
        let mount = '/s';
        for (const op of ops) {
          if (op.kind === 'read') await device.read(op.limit, `after ${JSON.stringify(op)}: `);
          else if (op.kind === 'rename') {
            const to = mount === '/s' ? '/t' : '/s';
            const res = await recipient.json('POST', '/files/move', { from: mount, to });
            if (res.status === 200) mount = to;
          } else
            await perform(
              op.by === 'owner' ? owner : recipient,
              op.by === 'owner' ? '/s' : mount,
              op,
            );
        }
        await device.catchUp();
        const expected = linesOf(await listing(recipient));
        expect(device.replay.problems).toEqual([]);
        expect(device.replay.lines()).toEqual(expected);
        await expectEveryPageSize(recipient, start, expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('reads a new share from 0 in small pages after its tombstones were pruned, without a 410', async () => {
    const owner = await server.createUser(`owner${users}`);
    const first = await server.createUser(`first${users}`);
    const late = await server.createUser(`late${users++}`);
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      await owner.json('POST', '/files/commit', {
        path: `/Old/${name}`,
        blocks: [],
        size: 0,
        modified: 1,
      });
    }
    // The first share makes /Old a namespace; a delete in it is pruned a month later.
    await owner.json('POST', '/shares', { path: '/Old', email: first.email, role: 'viewer' });
    expect((await owner.json('POST', '/files/delete', { path: '/Old/e' })).status).toBe(200);
    nowMs += RETENTION_MS + 1000;
    await server.server.runPolicy();
    const device = await Device.start(late);
    await owner.json('POST', '/shares', { path: '/Old', email: late.email, role: 'viewer' });
    const seen: string[] = [];
    for (let more = true; more;) {
      const before = device.replay.lines().length;
      more = await device.read(1, 'new share: ');
      seen.push(`${device.replay.lines().length - before}`);
      expect(device.replay.problems).toEqual([]);
      // A 410 would reset the device from a listing: it must never be needed here.
      expect(device.relisted).toBe(0);
    }
    expect(device.replay.lines()).toEqual(linesOf(await listing(late)));
  });
});
