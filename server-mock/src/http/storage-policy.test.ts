import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListRevisionsResponse, Rev } from 'sync-engine/protocol';
import { commitContent, encodeContent, putBlocks, utf8 } from '../../test/test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

let now: number;
let server: TestServer;
let ann: TestClient;
beforeEach(async () => {
  now = Date.UTC(2026, 0, 1);
  server = await startTestServer({
    components: { now: () => now },
    gcGraceMs: HOUR,
    coldAfterMs: 7 * DAY,
  });
  ann = await server.createUser('ann');
});
afterEach(async () => server.close());

const used = async () =>
  ((await ann.json('GET', '/account')).body as { usedBytes: number }).usedBytes;

describe('storage policy run by the server', () => {
  it('garbage-collects blocks no version references once the grace period is over', async () => {
    const content = seededBytes('random', 4, 3000);
    const blocks = await encodeContent(content, await ann.keyOf());
    await putBlocks(ann, blocks);
    const url = `/blocks/${ann.rootNamespace}/${blocks[0]!.id}`;
    // Uploaded but never committed: kept during the grace period.
    await server.server.runPolicy();
    expect((await ann.fetch(url)).status).toBe(200);
    now += 2 * HOUR;
    await server.server.runPolicy();
    expect((await ann.fetch(url)).status).toBe(404);
    expect(await used()).toBe(0);
  });

  it('keeps blocks referenced by history after a delete, and frees them when versions are thinned away', async () => {
    const v1 = await commitContent(ann, '/doc.txt', utf8('version one'));
    await ann.json('POST', '/files/delete', { path: '/doc.txt' });
    now += 2 * HOUR;
    await server.server.runPolicy();
    const old = await ann.fetch(`/files/download?path=/doc.txt&rev=${v1.file.rev}`);
    expect(await old.text()).toBe('version one');
    expect(await used()).toBe(11);
  });

  it('thins old versions (one per hour after a day) and collects their blocks', async () => {
    let rev: Rev | null = null;
    for (let i = 0; i < 6; i++) {
      rev = (await commitContent(ann, '/log.txt', utf8(`entry ${i}`), { parentRev: rev })).file.rev;
      now += 60 * 1000;
    }
    now += 2 * DAY;
    await server.server.runPolicy();
    const list = await ann.json('GET', '/files/list_revisions?path=/log.txt');
    const revisions = (list.body as ListRevisionsResponse).revisions;
    expect(revisions.length).toBeLessThan(6);
    expect(revisions[0]!.rev).toBe(rev);
    now += 2 * HOUR;
    await server.server.runPolicy();
    expect(await used()).toBe(revisions.length * 7);
  });

  it('moves idle blocks to the cold tier and still serves them', async () => {
    await commitContent(ann, '/cold.txt', utf8('chilly'));
    const coldFiles = async () =>
      (
        await readdir(path.join(server.dataDir, 'blocks', 'cold'), {
          recursive: true,
          withFileTypes: true,
        })
      ).filter((e) => e.isFile()).length;
    expect(await coldFiles()).toBe(0);
    now += 8 * DAY;
    await server.server.runPolicy();
    expect(await coldFiles()).toBe(1);
    const res = await ann.fetch('/files/download?path=/cold.txt');
    expect(await res.text()).toBe('chilly');
  });
});
