/**
 * The first share of a folder moves its files into a new namespace. Another device of the owner
 * that has not yet read a deletion inside the folder must still see it afterwards, or it keeps
 * the deleted file forever (a zombie).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeEntry, ChangesResponse, Cursor } from 'sync-engine/protocol';
import { commitContent, utf8 } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let server: TestServer;
let ann: TestClient;
let phone: TestClient;
let bob: TestClient;
beforeEach(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
  phone = await server.login(ann.email, ann.password, 'phone');
  bob = await server.createUser('bob');
});
afterEach(async () => server.close());

async function changesSince(client: TestClient, cursor: Cursor): Promise<ChangeEntry[]> {
  const entries: ChangeEntry[] = [];
  for (let more = true; more;) {
    const res = await client.json('GET', `/changes?cursor=${encodeURIComponent(cursor)}&limit=2`);
    expect(res.status).toBe(200);
    const page = res.body as ChangesResponse;
    entries.push(...page.entries);
    cursor = page.cursor;
    more = page.hasMore;
  }
  return entries;
}

describe('the first share of a folder', () => {
  it('keeps the deletions inside it that another device has not read yet', async () => {
    await commitContent(ann, '/P/x.txt', utf8('doomed'));
    await commitContent(ann, '/P/y.txt', utf8('kept'));
    const cursor = ((await phone.json('GET', '/changes/latest_cursor')).body as { cursor: Cursor })
      .cursor;
    expect((await ann.json('POST', '/files/delete', { path: '/P/x.txt' })).status).toBe(200);
    const shared = await ann.json('POST', '/shares', {
      path: '/P',
      email: bob.email,
      role: 'editor',
    });
    expect(shared.status).toBe(200);
    const seen = (await changesSince(phone, cursor)).map((e) => `${e.tag} ${e.path}`);
    expect(seen).toContain('deleted /P/x.txt');
    expect(seen).toContain('file /P/y.txt');
    expect(seen.indexOf('deleted /P/x.txt')).toBeLessThan(seen.indexOf('folder /P'));
  });
});
