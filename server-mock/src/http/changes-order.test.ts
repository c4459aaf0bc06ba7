import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ChangesResponse,
  Cursor,
  ListResponse,
} from '../../../sync-engine/src/protocol/index.js';
import { ChangesReplay } from '../testing/changes-replay.js';
import { startTestServer, type TestClient, type TestServer } from '../testing/test-server.js';

let server: TestServer;
let users = 0;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

async function latest(client: TestClient): Promise<Cursor> {
  return ((await client.json('GET', '/changes/latest_cursor')).body as { cursor: Cursor }).cursor;
}

async function page(client: TestClient, cursor: Cursor, limit: number): Promise<ChangesResponse> {
  const res = await client.json('GET', `/changes?cursor=${cursor}&limit=${limit}`);
  if (res.status !== 200)
    throw new Error(`GET /changes: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ChangesResponse;
}

/** The user's whole tree as `kind path fileId` lines (what a replay must end with). */
async function listing(client: TestClient): Promise<string[]> {
  const res = await client.json('GET', '/files/list?path=/&recursive=true');
  return (res.body as ListResponse).entries
    .map((e) => `${e.type} ${e.path} ${e.fileId}`)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const NAMES = ['a', 'b', 'c'];
const pathArb = fc
  .array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 })
  .map((parts) => `/${parts.join('/')}`);
type Op =
  | { kind: 'mkdir' | 'commit' | 'delete'; path: string }
  | { kind: 'move'; from: string; to: string }
  | { kind: 'read'; limit: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('mkdir' as const), path: pathArb }),
  fc.record({ kind: fc.constant('commit' as const), path: pathArb }),
  fc.record({ kind: fc.constant('delete' as const), path: pathArb }),
  fc.record({ kind: fc.constant('move' as const), from: pathArb, to: pathArb }),
  fc.record({ kind: fc.constant('read' as const), limit: fc.integer({ min: 1, max: 3 }) }),
);

async function perform(client: TestClient, op: Exclude<Op, { kind: 'read' }>): Promise<void> {
  switch (op.kind) {
    case 'mkdir':
      await client.json('POST', '/files/mkdir', { path: op.path });
      return;
    case 'commit':
      // An empty file: no blocks to upload, and a new revision each time.
      await client.json('POST', '/files/commit', {
        path: op.path,
        blocks: [],
        size: 0,
        modified: 1,
      });
      return;
    case 'delete':
      await client.json('POST', '/files/delete', { path: op.path });
      return;
    case 'move':
      await client.json('POST', '/files/move', { from: op.from, to: op.to });
      return;
  }
}

describe('GET /changes order: parents first', () => {
  it('holds for random tree operations, pages of every size, and reads between writes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: Number(process.env.OPS ?? 25) }),
        async (ops) => {
          const writer = await server.createUser(`order${users++}`);
          const start = await latest(writer);
          // One device reads while the writes happen (compaction between its pages)...
          const live = new ChangesReplay();
          let cursor = start;
          for (const op of ops) {
            if (op.kind !== 'read') {
              await perform(writer, op);
              continue;
            }
            const got = await page(writer, cursor, op.limit);
            live.apply(got.entries, `after ${JSON.stringify(op)}: `);
            cursor = got.cursor;
          }
          for (let more = true; more;) {
            const got = await page(writer, cursor, 2);
            live.apply(got.entries, 'catching up: ');
            cursor = got.cursor;
            more = got.hasMore;
          }
          const expected = await listing(writer);
          expect(live.problems).toEqual([]);
          expect(live.lines()).toEqual(expected);
          // ...and a new device reads everything from the start, at every page size.
          const total = (await page(writer, start, 10_000)).entries.length;
          for (let limit = 1; limit <= Math.max(1, total); limit++) {
            const fresh = new ChangesReplay();
            let at = start;
            for (let more = true; more;) {
              const got = await page(writer, at, limit);
              fresh.apply(got.entries, `limit ${limit}: `);
              at = got.cursor;
              more = got.hasMore;
            }
            expect(fresh.problems).toEqual([]);
            expect(fresh.lines()).toEqual(expected);
          }
        },
      ),
      { numRuns: Number(process.env.RUNS ?? 60) },
    );
  });
});
