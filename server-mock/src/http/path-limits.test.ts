/**
 * Paths the server builds itself obey the path rules (docs/protocol.md "Paths"): a move, or a
 * write inside a shared folder seen through a longer mount path, never leaves an entry whose
 * path is over MAX_PATH_BYTES (UTF-8) in anyone's view: listed, but impossible to download,
 * restore, move or delete.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PATH_BYTES, type ListResponse, type ShareMetadata } from 'sync-engine/protocol';
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

const bytes = (path: string) => Buffer.byteLength(path, 'utf8');
/** `count` segments of `width` copies of `char`, joined under `prefix`. */
const deep = (prefix: string, count: number, width = 250, char = 'x') =>
  prefix + `/${char.repeat(width)}`.repeat(count);

/** An empty file: no blocks to upload, so any namespace takes it as is. */
const commitEmpty = (client: TestClient, path: string) =>
  client.json('POST', '/files/commit', { path, blocks: [], size: 0, modified: 1 });
const download = (client: TestClient, path: string) =>
  client.json('GET', `/files/download?path=${encodeURIComponent(path)}`);

/** Every entry of the user's tree that cannot be downloaded (files) or listed (folders). */
async function deadEnds(client: TestClient): Promise<string[]> {
  const res = await client.json('GET', '/files/list?path=/&recursive=true');
  expect(res.status).toBe(200);
  const problems: string[] = [];
  for (const entry of (res.body as ListResponse).entries) {
    const reached =
      entry.type === 'file'
        ? await download(client, entry.path)
        : await client.json('GET', `/files/list?path=${encodeURIComponent(entry.path)}`);
    if (reached.status !== 200) problems.push(`${bytes(entry.path)} bytes: ${reached.status}`);
  }
  return problems;
}

describe('POST /files/move and the 4096-byte path limit', () => {
  // 2 + 16 × 251 + 6 = 4024 bytes.
  const file = `${deep('/a', 16)}/f.txt`;

  it('refuses a folder move that would push a path inside past the limit, counting UTF-8 bytes', async () => {
    expect((await commitEmpty(ann, file)).status).toBe(200);
    // 41 characters but 81 bytes: the file would be 4063 characters and 4103 bytes long.
    const to = `/${'é'.repeat(40)}`;
    expect(file.length - 2 + to.length).toBeLessThanOrEqual(MAX_PATH_BYTES);
    const res = await ann.json('POST', '/files/move', { from: '/a', to });
    expect(res.body).toMatchObject({
      error: { code: 'invalid_path', message: expect.stringContaining(`${MAX_PATH_BYTES}`) },
    });
    expect(res.status).toBe(400);
    // Nothing changed: the file is where it was, and nothing appeared at the target.
    expect((await download(ann, file)).status).toBe(200);
    expect((await ann.json('GET', `/files/list?path=${encodeURIComponent(to)}`)).status).toBe(404);
    expect(await deadEnds(ann)).toEqual([]);
  });

  it('allows a move that makes the longest path exactly the limit', async () => {
    expect((await commitEmpty(ann, file)).status).toBe(200);
    const to = `/${'b'.repeat(1 + MAX_PATH_BYTES - bytes(file))}`;
    const res = await ann.json('POST', '/files/move', { from: '/a', to });
    expect(res.status).toBe(200);
    const moved = to + file.slice(2);
    expect(bytes(moved)).toBe(MAX_PATH_BYTES);
    expect((await download(ann, moved)).status).toBe(200);
  });

  it('checks the files present when the move is written, whatever arrives in parallel', async () => {
    const orders = new Set<string>();
    for (let round = 0; round < 12; round++) {
      const base = `/r${round}`;
      await ann.json('POST', '/files/mkdir', { path: base });
      // Fits now (4087 bytes), not after the folder is renamed 20 bytes longer.
      const late = `${deep(base, 16)}/${'q'.repeat(4086 - bytes(deep(base, 16)))}`;
      const move = () =>
        ann.json('POST', '/files/move', { from: base, to: `${base}${'L'.repeat(20)}` });
      const commit = () => commitEmpty(ann, late);
      // Sent in both orders: each request is on the wire before the other is answered.
      const [moved, committed] =
        round % 2 === 0
          ? await Promise.all([move(), commit()])
          : await Promise.all([commit(), move()]).then(([c, m]) => [m, c] as const);
      // Either the move went first (the commit then lands in a re-created folder), or the
      // commit did and the move is refused; never a moved folder with an unreachable file.
      orders.add(moved.status === 200 ? 'move first' : 'commit first');
      expect(committed.status).toBe(200);
      expect([200, 400]).toContain(moved.status);
      expect(await deadEnds(ann)).toEqual([]);
      // Keep the tree small for the next round's check.
      for (const path of [base, `${base}${'L'.repeat(20)}`]) {
        await ann.json('POST', '/files/delete', { path });
      }
    }
    expect([...orders].sort()).toEqual(['commit first', 'move first']);
  });
});

describe('writes inside a shared folder and the 4096-byte limit in every member view', () => {
  // Ann's mount point is 3014 bytes deep; bob's is /S.
  const annMount = `${deep('', 12, 250, 'd')}/S`;

  async function shareDeepFolder(): Promise<ShareMetadata> {
    expect((await ann.json('POST', '/files/mkdir', { path: annMount })).status).toBe(200);
    const res = await ann.json('POST', '/shares', {
      path: annMount,
      email: bob.email,
      role: 'editor',
    });
    expect(res.status).toBe(200);
    return res.body as ShareMetadata;
  }

  it('refuses a commit, mkdir or move by bob that would be too long in ann\u2019s view', async () => {
    await shareDeepFolder();
    const room = MAX_PATH_BYTES - bytes(annMount);
    const fits = `/S${deep('', 4)}/${'k'.repeat(room - 4 * 251 - 1)}`;
    expect(bytes(annMount) + bytes(fits) - 2).toBe(MAX_PATH_BYTES);
    expect((await commitEmpty(bob, fits)).status).toBe(200);
    const tooLong = `${fits}k`;
    const commit = await commitEmpty(bob, tooLong);
    expect(commit.body).toMatchObject({ error: { code: 'invalid_path' } });
    expect(commit.status).toBe(400);
    const mkdir = await bob.json('POST', '/files/mkdir', { path: tooLong });
    expect(mkdir.status).toBe(400);
    const move = await bob.json('POST', '/files/move', { from: fits, to: tooLong });
    expect(move.status).toBe(400);
    expect(await deadEnds(ann)).toEqual([]);
    expect(await deadEnds(bob)).toEqual([]);
  });

  it('refuses renaming a mount point when the share\u2019s deepest path would not fit under it', async () => {
    // A top-level share: ann's and bob's mount points are both /T.
    const inner = `${deep('/T', 15)}/${'w'.repeat(200)}`;
    expect((await commitEmpty(ann, inner)).status).toBe(200);
    expect(
      (await ann.json('POST', '/shares', { path: '/T', email: bob.email, role: 'viewer' })).status,
    ).toBe(200);
    const longer = `/${'T'.repeat(MAX_PATH_BYTES - bytes(inner) + 2)}`;
    const res = await bob.json('POST', '/files/move', { from: '/T', to: longer });
    expect(res.body).toMatchObject({ error: { code: 'invalid_path' } });
    expect(res.status).toBe(400);
    expect((await download(bob, inner)).status).toBe(200);
    const fitting = `/${'T'.repeat(MAX_PATH_BYTES - bytes(inner) + 1)}`;
    expect((await bob.json('POST', '/files/move', { from: '/T', to: fitting })).status).toBe(200);
    expect(await deadEnds(bob)).toEqual([]);
  });
});
