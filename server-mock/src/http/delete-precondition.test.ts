/**
 * POST /files/delete with a precondition (docs/protocol.md "Files"): `rev` for a file,
 * `unchangedSince` (a cursor) for anything, checked in the delete's transaction. An edit, a new
 * file or a move in or out after the caller looked refuses the delete with 409, and nothing is
 * deleted; an unchanged path goes. Also inside a shared folder, where the path lives in the
 * share's namespace and the cursor's position for that namespace counts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cursor, NamespaceId, Rev } from 'sync-engine/protocol';
import { encodeCursor } from '../journal/user-cursor.js';
import { commitContent, utf8 } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let server: TestServer;
let ann: TestClient;
let phone: TestClient;
beforeEach(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
  phone = await server.login(ann.email, ann.password, 'phone');
});
afterEach(async () => server.close());

const latest = async (client: TestClient) =>
  ((await client.json('GET', '/changes/latest_cursor')).body as { cursor: Cursor }).cursor;
const upload = (client: TestClient, path: string, body: string) =>
  client.send(
    'POST',
    `/files/upload?uploadType=media&path=${encodeURIComponent(path)}`,
    utf8(body),
  );
const text = async (client: TestClient, path: string) => {
  const res = await client.fetch(`/files/download?path=${encodeURIComponent(path)}`);
  return res.status === 200 ? Buffer.from(await res.arrayBuffer()).toString('utf8') : res.status;
};
const remove = (client: TestClient, body: Record<string, unknown>) =>
  client.json('POST', '/files/delete', body);

describe('a file with rev', () => {
  it('goes at its current revision', async () => {
    const { file } = await commitContent(ann, '/a.txt', utf8('one'));
    expect((await remove(phone, { path: '/a.txt', rev: file.rev })).body).toEqual({
      path: '/a.txt',
      deleted: 1,
    });
    expect(await text(ann, '/a.txt')).toBe(404);
  });

  it('stays when another device committed since: 409 rev_conflict with the new revision', async () => {
    const { file } = await commitContent(ann, '/a.txt', utf8('one'));
    const edited = await commitContent(ann, '/a.txt', utf8('two'), { parentRev: file.rev });
    const refused = await remove(phone, { path: '/a.txt', rev: file.rev });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: { code: 'rev_conflict', currentRev: edited.file.rev, message: expect.any(String) },
    });
    expect(await text(ann, '/a.txt')).toBe('two');
  });

  it('stays when a folder is at the path now: 409 rev_conflict with currentRev null', async () => {
    const { file } = await commitContent(ann, '/a', utf8('one'));
    expect((await remove(ann, { path: '/a' })).status).toBe(200);
    expect((await ann.json('POST', '/files/mkdir', { path: '/a/in' })).status).toBe(200);
    const refused = await remove(phone, { path: '/a', rev: file.rev });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'rev_conflict', currentRev: null } });
    expect((await ann.json('GET', '/files/list?path=/a')).status).toBe(200);
  });

  it('stays when another file was moved onto the path', async () => {
    const { file } = await commitContent(ann, '/a.txt', utf8('one'));
    await commitContent(ann, '/b.txt', utf8('other'));
    expect((await remove(ann, { path: '/a.txt' })).status).toBe(200);
    expect((await ann.json('POST', '/files/move', { from: '/b.txt', to: '/a.txt' })).status).toBe(
      200,
    );
    expect((await remove(phone, { path: '/a.txt', rev: file.rev })).status).toBe(409);
    expect(await text(ann, '/a.txt')).toBe('other');
  });
});

describe('unchangedSince', () => {
  it('deletes a file or a folder nothing changed in since the cursor', async () => {
    await commitContent(ann, '/a.txt', utf8('one'));
    await commitContent(ann, '/F/in.txt', utf8('in'));
    const cursor = await latest(phone);
    // Changes elsewhere, including siblings whose names sort inside the folder's path range.
    await commitContent(ann, '/F.txt', utf8('sibling'));
    await commitContent(ann, '/F-2/x.txt', utf8('sibling folder'));
    await commitContent(ann, '/a.txt.bak', utf8('sibling file'));
    expect((await remove(phone, { path: '/a.txt', unchangedSince: cursor })).status).toBe(200);
    expect((await remove(phone, { path: '/F', unchangedSince: cursor })).body).toEqual({
      path: '/F',
      deleted: 2,
    });
    expect(await text(ann, '/F.txt')).toBe('sibling');
  });

  it.each([
    ['an edit inside', async () => void (await upload(ann, '/F/in.txt', 'edited'))],
    ['a new file deep inside', async () => void (await upload(ann, '/F/d/e/new.txt', 'new'))],
    [
      'a new folder inside',
      async () => void (await ann.json('POST', '/files/mkdir', { path: '/F/sub' })),
    ],
    [
      'a move into it',
      async () =>
        void (await ann.json('POST', '/files/move', { from: '/G/x.txt', to: '/F/x.txt' })),
    ],
    [
      'a move out of it',
      async () =>
        void (await ann.json('POST', '/files/move', { from: '/F/in.txt', to: '/out.txt' })),
    ],
    ['a delete inside', async () => void (await remove(ann, { path: '/F/in.txt' }))],
    [
      'the folder deleted and made again',
      async () => {
        await remove(ann, { path: '/F' });
        await ann.json('POST', '/files/mkdir', { path: '/F' });
      },
    ],
  ])('keeps the folder after %s since the cursor: 409 path_changed', async (_name, change) => {
    await commitContent(ann, '/F/in.txt', utf8('in'));
    await commitContent(ann, '/G/x.txt', utf8('x'));
    const cursor = await latest(phone);
    await change();
    const before = (await ann.json('GET', '/files/list?path=/&recursive=true')).body;
    const refused = await remove(phone, { path: '/F', unchangedSince: cursor });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: { code: 'path_changed', message: expect.stringMatching(/^\/F(\/| )/) },
    });
    expect((await ann.json('GET', '/files/list?path=/&recursive=true')).body).toEqual(before);
    // After reading the changes, the caller may decide to delete it after all.
    expect((await remove(phone, { path: '/F', unchangedSince: await latest(phone) })).status).toBe(
      200,
    );
  });

  it.each([
    [
      'moved away',
      async () => void (await ann.json('POST', '/files/move', { from: '/a.txt', to: '/b.txt' })),
    ],
    ['deleted', async () => void (await remove(ann, { path: '/a.txt' }))],
  ])('answers 409 path_changed, not 404, for a path %s since the cursor', async (_name, change) => {
    await commitContent(ann, '/a.txt', utf8('one'));
    const cursor = await latest(phone);
    await change();
    const refused = await remove(phone, { path: '/a.txt', unchangedSince: cursor });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'path_changed' } });
    // Read up to date, the path is simply not there.
    const fresh = await remove(phone, { path: '/a.txt', unchangedSince: await latest(phone) });
    expect(fresh.status).toBe(404);
  });

  it('keeps a file edited since the cursor', async () => {
    await commitContent(ann, '/a.txt', utf8('one'));
    const cursor = await latest(phone);
    await upload(ann, '/a.txt', 'two');
    const refused = await remove(phone, { path: '/a.txt', unchangedSince: cursor });
    expect(refused.body).toMatchObject({ error: { code: 'path_changed' } });
    expect(await text(ann, '/a.txt')).toBe('two');
  });

  it('with rev too: both must hold', async () => {
    const { file } = await commitContent(ann, '/a.txt', utf8('one'));
    const cursor = await latest(phone);
    await upload(ann, '/F/x', 'elsewhere');
    expect(
      (await remove(phone, { path: '/a.txt', rev: file.rev, unchangedSince: cursor })).status,
    ).toBe(200);
  });

  it('answers 410 cursor_expired for a position ahead of the server, and deletes nothing', async () => {
    await commitContent(ann, '/a.txt', utf8('one'));
    const ahead = encodeCursor(new Map([[ann.rootNamespace, 1_000_000]]));
    const refused = await remove(phone, { path: '/a.txt', unchangedSince: ahead });
    expect(refused.status).toBe(410);
    expect(refused.body).toMatchObject({ error: { code: 'cursor_expired' } });
    expect(await text(ann, '/a.txt')).toBe('one');
  });

  it('takes a namespace missing from the cursor as never read: anything in it is newer', async () => {
    await commitContent(ann, '/a.txt', utf8('one'));
    const other = encodeCursor(new Map([['ns_someone_else' as NamespaceId, 5]]));
    expect((await remove(phone, { path: '/a.txt', unchangedSince: other })).status).toBe(409);
    expect(await text(ann, '/a.txt')).toBe('one');
  });
});

describe('inside a shared folder', () => {
  let bob: TestClient;
  let rev: Rev;
  beforeEach(async () => {
    bob = await server.createUser('bob');
    await commitContent(ann, '/Team/doc.txt', utf8('doc'));
    await commitContent(ann, '/Team/sub/in.txt', utf8('in'));
    expect(
      (await ann.json('POST', '/shares', { path: '/Team', email: bob.email, role: 'editor' }))
        .status,
    ).toBe(200);
    const listed = await bob.json('GET', '/files/list?path=/Team');
    rev = (listed.body as { entries: { path: string; rev?: Rev }[] }).entries.find(
      (entry) => entry.path === '/Team/doc.txt',
    )!.rev!;
  });

  it("checks the share's own journal: the owner's edit after the member's cursor keeps the folder", async () => {
    const cursor = await latest(bob);
    await upload(ann, '/Team/sub/in.txt', 'edited by the owner');
    const refused = await remove(bob, { path: '/Team/sub', unchangedSince: cursor });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'path_changed' } });
    expect(await text(bob, '/Team/sub/in.txt')).toBe('edited by the owner');
    expect(
      (await remove(bob, { path: '/Team/sub', unchangedSince: await latest(bob) })).status,
    ).toBe(200);
    expect(await text(ann, '/Team/sub/in.txt')).toBe(404);
  });

  it("ignores changes in the member's own root", async () => {
    const cursor = await latest(bob);
    await upload(bob, '/Team-notes/sub/x.txt', 'root of bob');
    expect((await remove(bob, { path: '/Team/sub', unchangedSince: cursor })).status).toBe(200);
  });

  it('checks a file by rev: an edit by the owner keeps it', async () => {
    await upload(ann, '/Team/doc.txt', 'doc v2');
    const refused = await remove(bob, { path: '/Team/doc.txt', rev });
    expect(refused.body).toMatchObject({ error: { code: 'rev_conflict' } });
    expect(await text(bob, '/Team/doc.txt')).toBe('doc v2');
  });

  it('deletes the file at the revision the member saw', async () => {
    expect((await remove(bob, { path: '/Team/doc.txt', rev })).status).toBe(200);
    expect(await text(ann, '/Team/doc.txt')).toBe(404);
  });

  it('takes a cursor from before the share as not knowing the share: 409', async () => {
    const before = encodeCursor(new Map([[bob.rootNamespace, 0]]));
    expect((await remove(bob, { path: '/Team/doc.txt', unchangedSince: before })).status).toBe(409);
    expect(await text(bob, '/Team/doc.txt')).toBe('doc');
  });
});

describe('the OpenAPI document', () => {
  it('describes the preconditions and the 409 and 410 answers of POST /files/delete', async () => {
    const doc = (await server.request('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const operation = doc.paths['/files/delete']!.post as {
      requestBody: { content: Record<string, { schema: { properties: object } }> };
      responses: Record<string, unknown>;
    };
    expect(
      Object.keys(operation.requestBody.content['application/json']!.schema.properties),
    ).toEqual(['path', 'rev', 'unchangedSince']);
    expect(Object.keys(operation.responses)).toEqual(
      expect.arrayContaining(['200', '400', '404', '409', '410']),
    );
  });
});
