import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ChangesResponse,
  Cursor,
  ListResponse,
  ListSharesResponse,
  ShareMetadata,
} from 'sync-engine/protocol';
import { commitContent, utf8 } from '../../test/test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let server: TestServer;
let ann: TestClient;
let bob: TestClient;
beforeEach(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
  bob = await server.createUser('bob');
});
afterEach(async () => server.close());

const text = async (client: TestClient, path: string) => {
  const res = await client.fetch(`/files/download?path=${encodeURIComponent(path)}`);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()).toString('utf8') };
};
const share = async (path: string, email: string, role: 'viewer' | 'editor') =>
  ann.json('POST', '/shares', { path, email, role });
const latest = async (client: TestClient) =>
  ((await client.json('GET', '/changes/latest_cursor')).body as { cursor: Cursor }).cursor;
const upload = (client: TestClient, path: string, body: Uint8Array) =>
  client.send('POST', `/files/upload?uploadType=media&path=${encodeURIComponent(path)}`, body);

describe('sharing a folder', () => {
  it('mounts it in the recipient root; both see the same files; the owner keeps paths and revisions', async () => {
    const before = await commitContent(ann, '/Projects/plan.txt', utf8('the plan'));
    await commitContent(ann, '/Projects/sub/notes.txt', utf8('notes'));
    const bobCursor = await latest(bob);
    const res = await share('/Projects', bob.email, 'editor');
    expect(res.status).toBe(200);
    const created = res.body as ShareMetadata;
    expect(created).toMatchObject({
      role: 'editor',
      ownerEmail: ann.email,
      recipientEmail: bob.email,
      path: '/Projects',
    });

    expect(await text(bob, '/Projects/plan.txt')).toEqual({ status: 200, body: 'the plan' });
    expect(await text(ann, '/Projects/sub/notes.txt')).toEqual({ status: 200, body: 'notes' });
    const annList = await ann.json('GET', '/files/list?path=/Projects');
    const plan = (annList.body as ListResponse).entries.find(
      (e) => e.path === '/Projects/plan.txt',
    );
    expect(plan).toMatchObject({
      rev: before.file.rev,
      fileId: before.file.fileId,
      namespace: created.namespace,
    });
    const history = await ann.json('GET', '/files/list_revisions?path=/Projects/plan.txt');
    expect(history.status).toBe(200);

    const bobRoot = await bob.json('GET', '/files/list?path=/');
    expect((bobRoot.body as ListResponse).entries).toEqual([
      expect.objectContaining({
        type: 'folder',
        path: '/Projects',
        mount: { namespace: created.namespace, role: 'editor' },
      }),
    ]);
    const page = (await bob.json('GET', `/changes?cursor=${bobCursor}`)).body as ChangesResponse;
    expect(page.entries.map((e) => `${e.tag} ${e.path}`)).toEqual([
      'folder /Projects',
      'file /Projects/plan.txt',
      'folder /Projects/sub',
      'file /Projects/sub/notes.txt',
    ]);
    expect((await bob.keyOf(created.namespace)).length).toBe(32);
    expect((await ann.json('GET', `/keys/${ann.rootNamespace}`)).status).toBe(200);
    expect((await bob.json('GET', `/keys/${ann.rootNamespace}`)).status).toBe(403);
  });

  it('appends (2) when the name is taken in the recipient root', async () => {
    await bob.json('POST', '/files/mkdir', { path: '/Projects' });
    await ann.json('POST', '/files/mkdir', { path: '/Projects' });
    const res = await share('/Projects', bob.email, 'viewer');
    const listed = (await bob.json('GET', '/shares')).body as ListSharesResponse;
    expect(listed.received).toEqual([
      expect.objectContaining({ id: (res.body as ShareMetadata).id, path: '/Projects (2)' }),
    ]);
  });

  it('lets an editor write (owner is woken and billed) and forbids a viewer every write', async () => {
    await commitContent(ann, '/Team/readme.txt', utf8('hi'));
    const cat = await server.createUser('cat');
    await share('/Team', bob.email, 'editor');
    await share('/Team', cat.email, 'viewer');
    const annCursor = await latest(ann);
    const poll = ann.json('GET', `/notifications/longpoll?cursor=${annCursor}&timeout=30`);
    const bobUsedBefore = ((await bob.json('GET', '/account')).body as { usedBytes: number })
      .usedBytes;
    const annUsedBefore = ((await ann.json('GET', '/account')).body as { usedBytes: number })
      .usedBytes;
    expect((await upload(bob, '/Team/from-bob.bin', seededBytes('random', 1, 5000))).status).toBe(
      200,
    );
    expect((await poll).body).toEqual({ changes: true });
    expect(await text(ann, '/Team/from-bob.bin')).toMatchObject({ status: 200 });
    expect(((await bob.json('GET', '/account')).body as { usedBytes: number }).usedBytes).toBe(
      bobUsedBefore,
    );
    expect(((await ann.json('GET', '/account')).body as { usedBytes: number }).usedBytes).toBe(
      annUsedBefore + 5000,
    );

    expect((await text(cat, '/Team/readme.txt')).body).toBe('hi');
    for (const attempt of [
      () => upload(cat, '/Team/x', utf8('x')),
      () => cat.json('POST', '/files/mkdir', { path: '/Team/d' }),
      () => cat.json('POST', '/files/delete', { path: '/Team/readme.txt' }),
      () => cat.json('POST', '/files/move', { from: '/Team/readme.txt', to: '/Team/r.txt' }),
      () =>
        cat.json('POST', '/files/commit', {
          path: '/Team/c.txt',
          blocks: [],
          size: 0,
          modified: 1,
        }),
    ]) {
      const res = await attempt();
      expect(res.status).toBe(403);
    }
    const teamNs = ((await cat.json('GET', '/shares')).body as ListSharesResponse).received[0]!
      .namespace;
    const blockPut = await cat.send('PUT', `/blocks/${teamNs}/${'a'.repeat(64)}`, utf8('x'));
    expect(blockPut.status).toBe(403);
    expect(blockPut.body).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('changes roles (owner only) and revokes; the recipient sees the mount disappear', async () => {
    await commitContent(ann, '/Shared/a.txt', utf8('a'));
    const created = (await share('/Shared', bob.email, 'viewer')).body as ShareMetadata;
    expect((await upload(bob, '/Shared/b.txt', utf8('b'))).status).toBe(403);
    expect((await bob.json('PATCH', `/shares/${created.id}`, { role: 'editor' })).status).toBe(403);
    const patched = await ann.json('PATCH', `/shares/${created.id}`, { role: 'editor' });
    expect(patched.body).toMatchObject({ role: 'editor' });
    expect((await upload(bob, '/Shared/b.txt', utf8('b'))).status).toBe(200);

    const cursor = await latest(bob);
    expect((await ann.json('DELETE', `/shares/${created.id}`)).status).toBe(200);
    expect((await text(bob, '/Shared/a.txt')).status).toBe(404);
    const page = (await bob.json('GET', `/changes?cursor=${cursor}`)).body as ChangesResponse;
    expect(page.entries.map((e) => `${e.tag} ${e.path}`)).toEqual(['deleted /Shared']);
    expect((await bob.json('GET', `/keys/${created.namespace}`)).status).toBe(403);
    expect(await text(ann, '/Shared/b.txt')).toEqual({ status: 200, body: 'b' });
    expect((await ann.json('DELETE', `/shares/${created.id}`)).status).toBe(404);
  });

  it('refuses sharing files, missing folders, with yourself, with unknown users, and twice', async () => {
    await commitContent(ann, '/file.txt', utf8('f'));
    await ann.json('POST', '/files/mkdir', { path: '/Dir' });
    expect((await share('/file.txt', bob.email, 'viewer')).status).toBe(409);
    expect((await share('/Nope', bob.email, 'viewer')).status).toBe(404);
    expect((await share('/Dir', ann.email, 'viewer')).status).toBe(400);
    expect((await share('/Dir', 'nobody@test.example', 'viewer')).status).toBe(404);
    expect((await share('/Dir', bob.email, 'viewer')).status).toBe(200);
    const twice = await share('/Dir', bob.email, 'editor');
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ error: { code: 'already_shared' } });
    expect(
      (await bob.json('POST', '/shares', { path: '/Dir', email: ann.email, role: 'viewer' }))
        .status,
    ).toBe(403);
  });

  it('lets the recipient rename the mount and leave the share', async () => {
    await ann.json('POST', '/files/mkdir', { path: '/Music' });
    const created = (await share('/Music', bob.email, 'viewer')).body as ShareMetadata;
    expect(
      (await bob.json('POST', '/files/move', { from: '/Music', to: '/Annes Music' })).status,
    ).toBe(200);
    const listed = (await bob.json('GET', '/shares')).body as ListSharesResponse;
    expect(listed.received[0]!.path).toBe('/Annes Music');
    expect((await bob.json('DELETE', `/shares/${created.id}`)).status).toBe(200);
    expect(((await bob.json('GET', '/files/list?path=/')).body as ListResponse).entries).toEqual(
      [],
    );
    expect(((await ann.json('GET', '/shares')).body as ListSharesResponse).owned).toEqual([]);
  });
});

describe('writing an entry at a mount point', () => {
  /** Every route that writes an entry at a path, pointed at `path`. */
  const writesAt = (client: TestClient, path: string) => ({
    commit: () => client.json('POST', '/files/commit', { path, blocks: [], size: 0, modified: 1 }),
    announce: () => client.json('POST', '/files/announce', { path, size: 0, modified: 1 }),
    upload: () => upload(client, path, utf8('x')),
    mkdir: () => client.json('POST', '/files/mkdir', { path }),
    delete: () => client.json('POST', '/files/delete', { path }),
  });

  it('is 409 path_conflict with one message from every write route, for owner and editor', async () => {
    await commitContent(ann, '/Projects/plan.txt', utf8('the plan'));
    expect((await share('/Projects', bob.email, 'editor')).status).toBe(200);
    for (const client of [ann, bob]) {
      for (const [name, write] of Object.entries(writesAt(client, '/Projects'))) {
        const res = await write();
        expect({ name, status: res.status, body: res.body }).toEqual({
          name,
          status: 409,
          body: {
            error: {
              code: 'path_conflict',
              message: '/Projects is a shared folder: write inside it, or leave or unshare it',
            },
          },
        });
      }
    }
    // Nothing changed: the share is still mounted for both, its file still there.
    expect(await text(bob, '/Projects/plan.txt')).toEqual({ status: 200, body: 'the plan' });
    expect(await text(ann, '/Projects/plan.txt')).toEqual({ status: 200, body: 'the plan' });
  });

  it('is 403 for a viewer before anything else, and 409 at the root itself', async () => {
    await ann.json('POST', '/files/mkdir', { path: '/Shown' });
    expect((await share('/Shown', bob.email, 'viewer')).status).toBe(200);
    for (const write of Object.values(writesAt(bob, '/Shown'))) {
      expect((await write()).body).toMatchObject({ error: { code: 'forbidden' } });
    }
    const atRoot = writesAt(ann, '/');
    for (const write of [atRoot.upload, atRoot.mkdir]) {
      expect((await write()).body).toEqual({
        error: { code: 'path_conflict', message: '/ is your root folder' },
      });
    }
  });
});
