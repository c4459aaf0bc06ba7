import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileMetadata, ListResponse, ListRevisionsResponse, Rev } from 'sync-engine/protocol';
import { commitContent, encodeContent, putBlocks, utf8 } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let server: TestServer;
let ann: TestClient;
beforeAll(async () => {
  server = await startTestServer({ versionLimit: 5 });
  ann = await server.createUser('ann');
});
afterAll(async () => server.close());

async function download(client: TestClient, path: string, headers: Record<string, string> = {}) {
  const res = await client.fetch(`/files/download?path=${encodeURIComponent(path)}`, { headers });
  return {
    status: res.status,
    headers: res.headers,
    text: Buffer.from(await res.arrayBuffer()).toString('utf8'),
  };
}

describe('POST /files/commit', () => {
  it('creates a file from uploaded blocks and serves its bytes', async () => {
    const res = await commitContent(ann, '/docs/a.txt', utf8('first version'));
    expect(res.status).toBe(200);
    expect(res.file).toMatchObject({
      type: 'file',
      path: '/docs/a.txt',
      size: 13,
      status: 'uploaded',
    });
    expect(res.file.rev).toMatch(/^r_/);
    expect((await download(ann, '/docs/a.txt')).text).toBe('first version');
  });

  it('answers 412 with the missing blocks, and nothing is created', async () => {
    const blocks = await encodeContent(utf8('never uploaded'), await ann.keyOf());
    const res = await ann.json('POST', '/files/commit', {
      path: '/missing.txt',
      blocks: blocks.map((b) => b.id),
      size: 14,
      modified: 1,
    });
    expect(res.status).toBe(412);
    expect(res.body).toMatchObject({ error: { code: 'missing_blocks', missing: [blocks[0]!.id] } });
    expect((await download(ann, '/missing.txt')).status).toBe(404);
  });

  it('lets the first writer win: a stale parentRev gets 409 with the current revision', async () => {
    const first = await commitContent(ann, '/race.txt', utf8('base'));
    const mine = await commitContent(ann, '/race.txt', utf8('device one'), {
      parentRev: first.file.rev,
    });
    expect(mine.status).toBe(200);
    const theirs = await commitContent(ann, '/race.txt', utf8('device two'), {
      parentRev: first.file.rev,
    });
    expect(theirs.status).toBe(409);
    expect(theirs.body).toMatchObject({
      error: { code: 'rev_conflict', currentRev: mine.file.rev },
    });
    expect((await download(ann, '/race.txt')).text).toBe('device one');
  });

  it('refuses a size that does not match the blocks', async () => {
    const blocks = await encodeContent(utf8('twelve bytes'), await ann.keyOf());
    await putBlocks(ann, blocks);
    const res = await ann.json('POST', '/files/commit', {
      path: '/size.txt',
      blocks: blocks.map((b) => b.id),
      size: 99,
      modified: 1,
    });
    expect(res.status).toBe(400);
  });

  it.each([
    ['/a/../b', 'dot segment'],
    ['relative.txt', 'relative'],
    ['/a//b', 'empty segment'],
    ['/nul\u0000byte', 'NUL'],
    ['/ctl\u0007char', 'control character'],
  ])('rejects %j (%s) with 400 invalid_path', async (path) => {
    const res = await ann.json('POST', '/files/commit', { path, blocks: [], size: 0, modified: 1 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'invalid_path' } });
  });

  it('refuses arrays for paths, repeated query parameters and undecodable percent-encoding', async () => {
    const res = await ann.json('POST', '/files/mkdir', { path: ['/arr'] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'invalid_request' } });
    expect((await ann.json('GET', '/files/list?path=/&path=/x')).status).toBe(400);
    const bad = await ann.json('GET', '/files/list?path=/%FF');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_path' } });
  });

  it('NFC-normalises paths: NFD and NFC name the same file', async () => {
    await commitContent(ann, '/cafe\u0301.txt', utf8('nfd'));
    const res = await download(ann, '/caf\u00e9.txt');
    expect(res.text).toBe('nfd');
  });

  it('commits an empty file with no blocks', async () => {
    const res = await ann.json('POST', '/files/commit', {
      path: '/empty',
      blocks: [],
      size: 0,
      modified: 1,
    });
    expect(res.status).toBe(200);
    const got = await download(ann, '/empty');
    expect(got.status).toBe(200);
    expect(got.text).toBe('');
  });
});

describe('POST /files/announce', () => {
  it('shows a file as pending until its commit, then uploaded', async () => {
    const cursor = ((await ann.json('GET', '/changes/latest_cursor')).body as { cursor: string })
      .cursor;
    const res = await ann.json('POST', '/files/announce', {
      path: '/coming.bin',
      size: 4,
      modified: 5,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ path: '/coming.bin', status: 'pending', rev: null, size: 4 });
    const listed = await ann.json('GET', '/files/list?path=/');
    expect(
      (listed.body as ListResponse).entries.find((e) => e.path === '/coming.bin'),
    ).toMatchObject({ status: 'pending' });
    const committed = await commitContent(ann, '/coming.bin', utf8('four'));
    expect(committed.file.status).toBe('uploaded');
    const page = await ann.json('GET', `/changes?cursor=${cursor}`);
    const entries = (page.body as { entries: Array<{ path: string; status: string }> }).entries;
    expect(entries.filter((e) => e.path === '/coming.bin').map((e) => e.status)).toEqual([
      'uploaded',
    ]);
    expect((await download(ann, '/coming.bin')).text).toBe('four');
  });
});

describe('GET /files/list', () => {
  it('lists a folder, recursively when asked, and refuses files and missing paths', async () => {
    await commitContent(ann, '/tree/x/one.txt', utf8('1'));
    await commitContent(ann, '/tree/two.txt', utf8('2'));
    const flat = await ann.json('GET', '/files/list?path=/tree');
    expect((flat.body as ListResponse).entries.map((e) => `${e.type} ${e.path}`)).toEqual([
      'file /tree/two.txt',
      'folder /tree/x',
    ]);
    const deep = await ann.json('GET', '/files/list?path=/tree&recursive=true');
    expect((deep.body as ListResponse).entries.map((e) => e.path)).toEqual([
      '/tree/two.txt',
      '/tree/x',
      '/tree/x/one.txt',
    ]);
    expect((await ann.json('GET', '/files/list?path=/tree/two.txt')).status).toBe(409);
    expect((await ann.json('GET', '/files/list?path=/nowhere')).status).toBe(404);
    const root = await ann.json('GET', '/files/list?path=/');
    expect((root.body as ListResponse).entries.map((e) => e.path)).toContain('/tree');
  });
});

describe('tree operations', () => {
  it('mkdir is idempotent and creates parents; a file in the way is a conflict', async () => {
    const res = await ann.json('POST', '/files/mkdir', { path: '/m/n/o' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'folder', path: '/m/n/o' });
    expect((await ann.json('POST', '/files/mkdir', { path: '/m/n/o' })).status).toBe(200);
    await commitContent(ann, '/m/file', utf8('f'));
    expect((await ann.json('POST', '/files/mkdir', { path: '/m/file' })).status).toBe(409);
    expect((await ann.json('POST', '/files/mkdir', { path: '/m/file/sub' })).status).toBe(409);
  });

  it('moves a folder with its contents; history follows the file', async () => {
    const v1 = await commitContent(ann, '/proj/src/main.ts', utf8('v1'));
    await commitContent(ann, '/proj/src/main.ts', utf8('v2'), { parentRev: v1.file.rev });
    const moved = await ann.json('POST', '/files/move', {
      from: '/proj',
      to: '/archive/proj-2024',
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({ from: '/proj', to: '/archive/proj-2024', moved: 3 });
    expect((await download(ann, '/archive/proj-2024/src/main.ts')).text).toBe('v2');
    expect((await download(ann, '/proj/src/main.ts')).status).toBe(404);
    const history = await ann.json(
      'GET',
      `/files/list_revisions?path=${encodeURIComponent('/archive/proj-2024/src/main.ts')}`,
    );
    expect((history.body as ListRevisionsResponse).revisions).toHaveLength(2);
  });

  it('refuses moves onto an existing path, into itself, and of missing paths', async () => {
    await commitContent(ann, '/mv/a', utf8('a'));
    await commitContent(ann, '/mv/b', utf8('b'));
    expect((await ann.json('POST', '/files/move', { from: '/mv/a', to: '/mv/b' })).status).toBe(
      409,
    );
    expect((await ann.json('POST', '/files/move', { from: '/mv', to: '/mv/inner' })).status).toBe(
      409,
    );
    expect((await ann.json('POST', '/files/move', { from: '/mv/zzz', to: '/mv/c' })).status).toBe(
      404,
    );
    expect((await ann.json('POST', '/files/move', { from: '/mv/a', to: '/mv/A' })).status).toBe(
      200,
    );
  });

  it('deletes a folder with its contents and keeps the history of deleted files', async () => {
    const v1 = await commitContent(ann, '/del/keep.txt', utf8('keep me'));
    const res = await ann.json('POST', '/files/delete', { path: '/del' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ path: '/del', deleted: 2 });
    expect((await download(ann, '/del/keep.txt')).status).toBe(404);
    const history = await ann.json('GET', '/files/list_revisions?path=/del/keep.txt');
    expect((history.body as ListRevisionsResponse).revisions.map((r) => r.rev)).toEqual([
      v1.file.rev,
    ]);
    const old = await ann.fetch(`/files/download?path=/del/keep.txt&rev=${v1.file.rev}`);
    expect(Buffer.from(await old.arrayBuffer()).toString()).toBe('keep me');
    expect((await ann.json('POST', '/files/delete', { path: '/del' })).status).toBe(404);
    expect((await ann.json('POST', '/files/delete', { path: '/' })).status).toBe(400);
  });
});

describe('revisions and restore', () => {
  it('lists revisions newest first with device and author, honours limit, and restores an old one', async () => {
    let rev: Rev | null = null;
    const revs: Rev[] = [];
    for (const text of ['one', 'two', 'three']) {
      const res = await commitContent(ann, '/hist.txt', utf8(text), { parentRev: rev });
      rev = res.file.rev;
      revs.push(rev);
    }
    const list = await ann.json('GET', '/files/list_revisions?path=/hist.txt&limit=2');
    const body = list.body as ListRevisionsResponse;
    expect(body.revisions.map((r) => r.rev)).toEqual([revs[2], revs[1]]);
    expect(body.revisions[0]).toMatchObject({ size: 5, deviceName: 'ann-laptop', author: 'ann' });
    const restored = await ann.json('POST', '/files/restore', { path: '/hist.txt', rev: revs[0] });
    expect(restored.status).toBe(200);
    const file = restored.body as FileMetadata;
    expect(file.rev).not.toBe(revs[0]);
    expect((await download(ann, '/hist.txt')).text).toBe('one');
    const after = await ann.json('GET', '/files/list_revisions?path=/hist.txt');
    expect((after.body as ListRevisionsResponse).revisions).toHaveLength(4);
    expect(
      (await ann.json('POST', '/files/restore', { path: '/hist.txt', rev: 'r_nope' })).status,
    ).toBe(404);
  });

  it('keeps at most the configured number of versions', async () => {
    let rev: Rev | null = null;
    for (let i = 0; i < 8; i++)
      rev = (await commitContent(ann, '/many.txt', utf8(`v${i}`), { parentRev: rev })).file.rev;
    const list = await ann.json('GET', '/files/list_revisions?path=/many.txt');
    expect((list.body as ListRevisionsResponse).revisions).toHaveLength(5);
  });
});
