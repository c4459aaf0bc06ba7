/**
 * The history of a deleted file stays reachable at the path where it was deleted, also after
 * another file took that path (moved onto it, or committed there): GET /files/list_revisions lists
 * every file that has lived at the path (each revision names its fileId), and download?rev= and
 * restore find a revision of any of them (docs/protocol.md "Files").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileId, FileMetadata, ListRevisionsResponse, Rev } from 'sync-engine/protocol';
import { commitContent, utf8 } from '../../test/test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let server: TestServer;
let ann: TestClient;
beforeAll(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
});
afterAll(async () => server.close());

const q = encodeURIComponent;

async function bytesAt(path: string, rev?: Rev) {
  const res = await ann.fetch(`/files/download?path=${q(path)}${rev ? `&rev=${rev}` : ''}`);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function history(path: string, query = ''): Promise<ListRevisionsResponse> {
  const res = await ann.json('GET', `/files/list_revisions?path=${q(path)}${query}`);
  expect(res.status).toBe(200);
  return res.body as ListRevisionsResponse;
}

/** A file with two versions at `path`, then deleted. */
async function deletedFileWithTwoVersions(path: string) {
  const contents = [
    seededBytes('random', path.length, 30_000),
    seededBytes('random', path.length + 1, 20_000),
  ];
  const first = await commitContent(ann, path, contents[0]!);
  const second = await commitContent(ann, path, contents[1]!, { parentRev: first.file.rev });
  expect(second.status).toBe(200);
  expect((await ann.json('POST', '/files/delete', { path })).status).toBe(200);
  return { fileId: first.file.fileId, revs: [first.file.rev, second.file.rev], contents };
}

/** Everything a user needs of the old file: listed (under its own fileId), downloadable, restorable. */
async function expectReachable(
  path: string,
  old: Awaited<ReturnType<typeof deletedFileWithTwoVersions>>,
) {
  const listed = await history(path);
  const mine = listed.revisions.filter((r) => old.revs.includes(r.rev));
  expect(mine.map((r) => [r.fileId, r.rev])).toEqual(
    [...old.revs].reverse().map((rev) => [old.fileId, rev]),
  );
  expect(listed.files.map((file) => file.fileId)).toContain(old.fileId);
  for (const [i, rev] of old.revs.entries()) {
    const got = await bytesAt(path, rev);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(Buffer.from(old.contents[i]!))).toBe(true);
  }
  const only = await history(path, `&fileId=${old.fileId}`);
  expect(new Set(only.revisions.map((r) => r.fileId))).toEqual(new Set([old.fileId]));
  expect(only.revisions.filter((r) => old.revs.includes(r.rev))).toHaveLength(2);
  const restored = await ann.json('POST', '/files/restore', { path, rev: old.revs[0] });
  expect(restored.status).toBe(200);
  const now = await bytesAt(path);
  expect(now.bytes.equals(Buffer.from(old.contents[0]!))).toBe(true);
  return restored.body as FileMetadata;
}

describe('history of a deleted file whose path was taken', () => {
  it('by a move: both files are listed, told apart by fileId, and the old one is restorable', async () => {
    const old = await deletedFileWithTwoVersions('/a.txt');
    const b = await commitContent(ann, '/b.txt', utf8('bee'));
    expect((await ann.json('POST', '/files/move', { from: '/b.txt', to: '/a.txt' })).status).toBe(
      200,
    );
    const listed = await history('/a.txt');
    expect(listed.fileId).toBe(b.file.fileId);
    expect(listed.files).toEqual([
      { fileId: b.file.fileId, deleted: false },
      { fileId: old.fileId, deleted: true },
    ]);
    // The live file's revisions first, then the deleted one's, each newest first.
    expect(listed.revisions.map((r) => [r.fileId, r.rev])).toEqual([
      [b.file.fileId, b.file.rev],
      [old.fileId, old.revs[1]],
      [old.fileId, old.revs[0]],
    ]);
    expect((await bytesAt('/a.txt')).bytes.toString()).toBe('bee');
    const restored = await expectReachable('/a.txt', old);
    // Restoring puts the old content on the file that lives at the path now.
    expect(restored.fileId).toBe(b.file.fileId);
  });

  it('by a new file committed there: the old revisions stay listed and restorable', async () => {
    const old = await deletedFileWithTwoVersions('/c.txt');
    const fresh = await commitContent(ann, '/c.txt', utf8('new content'));
    expect(fresh.status).toBe(200);
    expect((await bytesAt('/c.txt')).bytes.toString()).toBe('new content');
    // A file committed where one was deleted continues that file's history (same fileId).
    expect(fresh.file.fileId).toBe(old.fileId);
    expect((await history('/c.txt')).revisions.map((r) => r.rev)).toEqual([
      fresh.file.rev,
      old.revs[1],
      old.revs[0],
    ]);
    await expectReachable('/c.txt', old);
  });

  it('by a new file committed after a moved-in file was deleted there too', async () => {
    const old = await deletedFileWithTwoVersions('/e.txt');
    const f = await commitContent(ann, '/f.txt', utf8('eff'));
    await ann.json('POST', '/files/move', { from: '/f.txt', to: '/e.txt' });
    await ann.json('POST', '/files/delete', { path: '/e.txt' });
    expect((await commitContent(ann, '/e.txt', utf8('third'))).status).toBe(200);
    const listed = await history('/e.txt');
    expect(new Set(listed.revisions.map((r) => r.fileId))).toEqual(
      new Set([f.file.fileId, old.fileId]),
    );
    await expectReachable('/e.txt', old);
  });

  it('restoring a revision of one of several deleted files brings back that file', async () => {
    const old = await deletedFileWithTwoVersions('/g.txt');
    await commitContent(ann, '/h.txt', utf8('aitch'));
    await ann.json('POST', '/files/move', { from: '/h.txt', to: '/g.txt' });
    await ann.json('POST', '/files/delete', { path: '/g.txt' });
    const restored = await ann.json('POST', '/files/restore', { path: '/g.txt', rev: old.revs[0] });
    expect(restored.status).toBe(200);
    // The file the revision belongs to lives again, its history continued.
    expect((restored.body as FileMetadata).fileId).toBe(old.fileId);
    const listed = await history('/g.txt', `&fileId=${old.fileId}`);
    expect(listed.revisions).toHaveLength(3);
  });

  it('while a folder holds the path: revisions are listed and downloadable', async () => {
    const old = await deletedFileWithTwoVersions('/k.txt');
    expect((await ann.json('POST', '/files/mkdir', { path: '/k.txt' })).status).toBe(200);
    const listed = await history('/k.txt');
    expect(listed.revisions.map((r) => r.rev)).toEqual([...old.revs].reverse());
    expect((await bytesAt('/k.txt', old.revs[0])).status).toBe(200);
    expect((await bytesAt('/k.txt')).status).toBe(409);
    const restore = await ann.json('POST', '/files/restore', { path: '/k.txt', rev: old.revs[0] });
    expect(restore.status).toBe(409);
  });

  it('answers 404 for a fileId or a revision of no file that lived at the path', async () => {
    const old = await deletedFileWithTwoVersions('/m.txt');
    const other = await commitContent(ann, '/n.txt', utf8('en'));
    const wrongFile = await ann.json(
      'GET',
      `/files/list_revisions?path=/m.txt&fileId=${other.file.fileId}`,
    );
    expect(wrongFile.status).toBe(404);
    expect(wrongFile.body).toMatchObject({ error: { code: 'not_found' } });
    expect((await bytesAt('/m.txt', other.file.rev)).status).toBe(404);
    expect((await bytesAt('/n.txt', old.revs[0])).status).toBe(404);
    const restore = await ann.json('POST', '/files/restore', { path: '/n.txt', rev: old.revs[0] });
    expect(restore.status).toBe(404);
    const unknown = await ann.json(
      'GET',
      `/files/list_revisions?path=/m.txt&fileId=${'f_nope' as FileId}`,
    );
    expect(unknown.status).toBe(404);
  });
});
