/**
 * GET /changes reads the user's mounts, each namespace's position and its journal as one
 * snapshot. Each test holds the read just before the journal is read (a real store, paused) and
 * changes the world meanwhile: a share's mount moved or revoked, or tombstones pruned.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangesResponse, Cursor, ShareMetadata } from 'sync-engine/protocol';
import { openSqliteMetadataStore } from '../metadata/sqlite/sqlite-metadata-store.js';
import { ChangesReplay } from '../../test/changes-replay.js';
import { pauseStoreMethods, type PausedStore } from '../../test/paused-store.js';
import { commitContent, utf8 } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

/** The store calls that read the journal, before and after the snapshot read. */
const JOURNAL_READS = ['readJournal', 'readChangeSnapshot'];

let dataDir: string;
let paused: PausedStore;
let server: TestServer;
let ann: TestClient;
let bob: TestClient;
let nowMs = Date.now();
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ferry-snapshot-'));
  paused = pauseStoreMethods(openSqliteMetadataStore(path.join(dataDir, 'metadata.db')), [
    ...JOURNAL_READS,
  ]);
  nowMs = Date.now();
  // No read cache: every read reaches the paused store.
  server = await startTestServer({
    dataDir,
    metadataCacheEntries: 0,
    components: { store: paused.store, now: () => nowMs },
  });
  ann = await server.createUser('ann');
  bob = await server.createUser('bob');
});
afterEach(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

const latest = async (client: TestClient) =>
  ((await client.json('GET', '/changes/latest_cursor')).body as { cursor: Cursor }).cursor;

/** Reads one page while `meanwhile` runs with the read held before its journal read. */
async function readAround(client: TestClient, cursor: Cursor, meanwhile: () => Promise<void>) {
  const gate = paused.holdNext();
  const pending = client.json('GET', `/changes?cursor=${cursor}`);
  await gate.reached;
  try {
    await meanwhile();
  } finally {
    gate.release();
  }
  return pending;
}

/** /Team shared by ann with bob, bob caught up; then /Team/new.txt, which bob has not read. */
async function sharedTeamFolder(): Promise<{ bobCursor: Cursor; replay: ChangesReplay }> {
  await commitContent(ann, '/Team/plan.txt', utf8('plan'));
  const shared = await ann.json('POST', '/shares', {
    path: '/Team',
    email: bob.email,
    role: 'editor',
  });
  expect(shared.status).toBe(200);
  const replay = new ChangesReplay();
  const first = (await bob.json('GET', `/changes?cursor=${await latest(bob)}`))
    .body as ChangesResponse;
  replay.apply(first.entries);
  const added = await commitContent(ann, '/Team/new.txt', utf8('new'), {
    namespace: (shared.body as ShareMetadata).namespace,
  });
  expect(added.status).toBe(200);
  return { bobCursor: first.cursor, replay };
}

describe('GET /changes is one snapshot', () => {
  it('maps a share under the mount path its own root entries end with (mount renamed meanwhile)', async () => {
    const { bobCursor, replay } = await sharedTeamFolder();
    const res = await readAround(bob, bobCursor, async () => {
      const moved = await bob.json('POST', '/files/move', { from: '/Team', to: '/Crew' });
      expect(moved.status).toBe(200);
    });
    expect(res.status).toBe(200);
    const page = res.body as ChangesResponse;
    replay.apply(page.entries);
    expect(replay.problems).toEqual([]);
    expect(page.entries.map((e) => `${e.tag} ${e.path}`)).toEqual([
      'folder /Crew',
      'deleted /Team',
      'file /Crew/new.txt',
    ]);
  });

  it('sends nothing of a share revoked meanwhile, after its mount tombstone', async () => {
    const { bobCursor, replay } = await sharedTeamFolder();
    const shares = (await ann.json('GET', '/shares')).body as { owned: ShareMetadata[] };
    const res = await readAround(bob, bobCursor, async () => {
      const revoked = await ann.json('DELETE', `/shares/${shares.owned[0]!.id}`);
      expect(revoked.status).toBe(200);
    });
    expect(res.status).toBe(200);
    const page = res.body as ChangesResponse;
    replay.apply(page.entries);
    expect(replay.problems).toEqual([]);
    expect(page.entries.map((e) => `${e.tag} ${e.path}`)).toEqual(['deleted /Team']);
  });

  it('answers 410 when tombstones after the cursor are pruned meanwhile, never a page without them', async () => {
    const cursor = await latest(bob);
    await commitContent(bob, '/gone.txt', utf8('x'));
    const seen = (await bob.json('GET', `/changes?cursor=${cursor}`)).body as ChangesResponse;
    expect(seen.entries.map((e) => `${e.tag} ${e.path}`)).toEqual(['file /gone.txt']);
    await bob.json('POST', '/files/delete', { path: '/gone.txt' });
    await bob.json('POST', '/files/mkdir', { path: '/later' });
    // Past the 30-day retention the tombstone of /gone.txt is pruned by the next policy run.
    nowMs += 31 * 24 * 3600 * 1000;
    const res = await readAround(bob, seen.cursor, () => server.server.runPolicy());
    expect(res.body).toMatchObject({ error: { code: 'cursor_expired' } });
    expect(res.status).toBe(410);
  });
});
