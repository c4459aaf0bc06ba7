import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ActivityResponse,
  ChangeEntry,
  ChangesResponse,
  Cursor,
  LongPollResponse,
} from 'sync-engine/protocol';
import { MAX_CURSOR_LENGTH } from '../journal/user-cursor.js';
import { commitContent, utf8 } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';
import { waitForLongPolls } from '../../test/long-polls.js';
import { MAX_REQUEST_HEAD_BYTES } from './build-app.js';

let server: TestServer;
let ann: TestClient;
let phone: TestClient;
beforeEach(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
  phone = await server.login(ann.email, ann.password, 'phone');
});
afterEach(async () => server.close());

async function latest(client: TestClient): Promise<Cursor> {
  return ((await client.json('GET', '/changes/latest_cursor')).body as { cursor: Cursor }).cursor;
}

async function changes(
  client: TestClient,
  cursor: Cursor,
  limit?: number,
): Promise<ChangesResponse> {
  const res = await client.json(
    'GET',
    `/changes?cursor=${cursor}${limit ? `&limit=${limit}` : ''}`,
  );
  expect(res.status).toBe(200);
  return res.body as ChangesResponse;
}

const describeEntry = (e: ChangeEntry) => `${e.tag} ${e.path}`;

describe('GET /changes', () => {
  it('returns what happened since a cursor, then nothing', async () => {
    const start = await latest(phone);
    await commitContent(ann, '/a/b.txt', utf8('b'));
    await ann.json('POST', '/files/move', { from: '/a/b.txt', to: '/a/c.txt' });
    const page = await changes(phone, start);
    expect(page.entries.map(describeEntry)).toEqual([
      'folder /a',
      'file /a/c.txt',
      'deleted /a/b.txt',
    ]);
    const moved = page.entries[1]!;
    expect(moved).toMatchObject({
      tag: 'file',
      movedFrom: '/a/b.txt',
      size: 1,
      status: 'uploaded',
    });
    expect(page.entries[2]!.fileId).toBe(moved.fileId);
    expect(page.hasMore).toBe(false);
    expect((await changes(phone, page.cursor)).entries).toEqual([]);
  });

  it('pages with limit and hasMore until everything is read', async () => {
    const start = await latest(phone);
    for (let i = 0; i < 5; i++) await ann.json('POST', '/files/mkdir', { path: `/d${i}` });
    const seen: string[] = [];
    let cursor = start;
    for (let round = 0; round < 10; round++) {
      const page = await changes(phone, cursor, 2);
      seen.push(...page.entries.map((e) => e.path));
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    expect(seen).toEqual(['/d0', '/d1', '/d2', '/d3', '/d4']);
  });

  it('answers 400 invalid_cursor for garbage and 410 for a cursor older than retention', async () => {
    const bad = await phone.json('GET', '/changes?cursor=garbage');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_cursor' } });
    let now = Date.now();
    const first = await startTestServer({ keepDataDir: true, components: { now: () => now } });
    const bob = await first.createUser('bob');
    await commitContent(bob, '/gone.txt', utf8('x'));
    const old = await latest(bob);
    await bob.json('POST', '/files/mkdir', { path: '/later' });
    await bob.json('POST', '/files/delete', { path: '/gone.txt' });
    await first.close();
    // Past the 30-day default retention, the tombstone of /gone.txt is pruned.
    now += 31 * 24 * 3600 * 1000;
    const second = await startTestServer({
      dataDir: first.dataDir,
      components: { now: () => now },
    });
    try {
      await second.server.runPolicy();
      const again = await second.login(bob.email, bob.password);
      const expired = await again.json('GET', `/changes?cursor=${old}`);
      expect(expired.status).toBe(410);
      expect(expired.body).toMatchObject({ error: { code: 'cursor_expired' } });
      // A fresh cursor still works, and so does a cursor taken after the pruned tombstone.
      const fresh = await again.json('GET', `/changes?cursor=${await latest(again)}`);
      expect(fresh.status).toBe(200);
    } finally {
      await second.close();
      await rm(first.dataDir, { recursive: true, force: true });
    }
  });
});

describe('GET /notifications/longpoll', () => {
  it('wakes a waiting long-poll with changes:true on a commit by another device, long before its timeout', async () => {
    const cursor = await latest(phone);
    const poll = phone.json('GET', `/notifications/longpoll?cursor=${cursor}&timeout=30`);
    // The poll is held (subscribed and waiting) before the commit happens.
    await waitForLongPolls(server, 1);
    const committedAt = Date.now();
    await ann.json('POST', '/files/mkdir', { path: '/wake' });
    const res = await poll;
    expect(res.body as LongPollResponse).toEqual({ changes: true });
    // Woken by the commit, not by its 30 s timeout (wake-up latency is measured in
    // `npm run bench:server`, not here).
    expect(Date.now() - committedAt).toBeLessThan(10_000);
  });

  it('returns at once when the journal is already past the cursor', async () => {
    const cursor = await latest(phone);
    await ann.json('POST', '/files/mkdir', { path: '/already' });
    const res = await phone.json('GET', `/notifications/longpoll?cursor=${cursor}&timeout=30`);
    expect(res.body).toEqual({ changes: true });
  });

  it('returns changes:false at the timeout', async () => {
    const cursor = await latest(phone);
    const started = Date.now();
    const res = await phone.json('GET', `/notifications/longpoll?cursor=${cursor}&timeout=1`);
    expect(res.body).toEqual({ changes: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('is released by a graceful shutdown with a backoff hint', async () => {
    const cursor = await latest(phone);
    const poll = phone.json('GET', `/notifications/longpoll?cursor=${cursor}&timeout=60`);
    await waitForLongPolls(server, 1);
    const closing = server.close();
    const res = await poll;
    await closing;
    expect(res.body).toEqual({ changes: false, backoff: 1 });
    server = await startTestServer();
  });

  it('validates its parameters', async () => {
    const cursor = await latest(phone);
    expect(
      (await phone.json('GET', `/notifications/longpoll?cursor=${cursor}&timeout=0`)).status,
    ).toBe(400);
    expect((await phone.json('GET', '/notifications/longpoll?cursor=%21%21')).status).toBe(400);
  });
});

describe('GET /activity', () => {
  it('lists who did what with which device, and pages by cursor', async () => {
    await commitContent(ann, '/report.txt', utf8('1'));
    await ann.json('POST', '/files/move', { from: '/report.txt', to: '/final.txt' });
    await phone.json('POST', '/files/delete', { path: '/final.txt' });
    const res = await ann.json('GET', '/activity');
    const body = res.body as ActivityResponse;
    expect(body.events.map((e) => `${e.kind} ${e.path} ${e.deviceName}`)).toEqual([
      'file_added /report.txt ann-laptop',
      'file_moved /final.txt ann-laptop',
      'file_deleted /final.txt phone',
    ]);
    expect(body.events[1]).toMatchObject({ fromPath: '/report.txt', actor: 'ann' });
    const next = await ann.json('GET', `/activity?cursor=${body.cursor}`);
    expect((next.body as ActivityResponse).events).toEqual([]);
    const paged = await ann.json('GET', '/activity?limit=1');
    expect((paged.body as ActivityResponse).hasMore).toBe(true);
  });
});

describe('cursor length', () => {
  /** A well-formed cursor of about `length` characters: the user's own position plus padding. */
  function cursorOfLength(start: Cursor, length: number): string {
    const positions = JSON.parse(Buffer.from(start, 'base64url').toString('utf8')) as {
      v: number;
      n: Record<string, number>;
    };
    // Each padding namespace adds ~28 base64 characters; unknown namespaces are ignored.
    for (let i = 0; Buffer.from(JSON.stringify(positions)).length * (4 / 3) < length - 40; i++) {
      positions.n[`ns_padding${String(i).padStart(6, '0')}`] = 0;
    }
    return Buffer.from(JSON.stringify(positions), 'utf8').toString('base64url');
  }

  it('accepts a cursor near MAX_CURSOR_LENGTH (above the 16 KiB Node allows by default)', async () => {
    const start = await latest(ann);
    await commitContent(ann, '/a.txt', utf8('a'));
    const cursor = cursorOfLength(start, MAX_CURSOR_LENGTH - 100);
    expect(cursor.length).toBeGreaterThan(MAX_CURSOR_LENGTH - 200);
    expect(cursor.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
    const page = await changes(ann, cursor as Cursor);
    expect(page.entries.map(describeEntry)).toEqual(['file /a.txt']);
    const poll = await ann.json('GET', `/notifications/longpoll?cursor=${cursor}&timeout=1`);
    expect(poll.body).toEqual({ changes: true });
  });

  it('refuses longer cursors and oversized request heads with a wire error', async () => {
    const start = await latest(ann);
    const tooLong = cursorOfLength(start, MAX_CURSOR_LENGTH + 200);
    const refused = await ann.json('GET', `/changes?cursor=${tooLong}`);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: 'invalid_request' } });

    const hugeHead = await ann.json('GET', `/changes?cursor=${'A'.repeat(MAX_REQUEST_HEAD_BYTES)}`);
    expect(hugeHead.status).toBe(400);
    expect(hugeHead.body).toMatchObject({
      error: { code: 'invalid_request', message: expect.stringMatching(/exceed/) },
    });
  });
});
