/**
 * GET /files/download_zip: a folder as one streamed zip, read back with fflate and compared
 * entry by entry and byte for byte (nested folders, an empty folder and an empty file, a binary
 * file of several blocks, a share mounted inside); the caller's view decides what is visible;
 * bad paths, files, missing folders and other users' folders are refused with their codes.
 */
import { unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededBytes } from 'sync-engine/testkit';
import { commitContent, utf8 } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';
import { zipArchiveBytes } from '../transfer/zip-stream.js';

let server: TestServer;
let ann: TestClient;
let bob: TestClient;
beforeEach(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
  bob = await server.createUser('bob');
});
afterEach(async () => server.close());

async function zipOf(client: TestClient, path: string) {
  const res = await client.fetch(`/files/download_zip?path=${encodeURIComponent(path)}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { res, bytes };
}

const asText = (entries: Record<string, Uint8Array>) =>
  Object.fromEntries(Object.entries(entries).map(([name, data]) => [name, Buffer.from(data)]));

describe('GET /files/download_zip', () => {
  it('streams the folder, nested folders, empty ones and a mounted share, byte for byte', async () => {
    const big = seededBytes('random', 77, 5 * 1024 * 1024 + 123);
    await commitContent(ann, '/Team/plan.txt', utf8('the plan'));
    await commitContent(ann, '/Team/deep/er/big.bin', big);
    await commitContent(ann, '/Team/empty.txt', new Uint8Array(0));
    await ann.json('POST', '/files/mkdir', { path: '/Team/nothing-here' });
    await commitContent(ann, '/Other/not-in-the-zip.txt', utf8('other'));
    await commitContent(bob, '/Shared/from-bob.txt', utf8('from bob'));
    expect(
      (await bob.json('POST', '/shares', { path: '/Shared', email: ann.email, role: 'viewer' }))
        .status,
    ).toBe(200);
    await ann.json('POST', '/files/move', { from: '/Shared', to: '/Team/Shared' });

    const { res, bytes } = await zipOf(ann, '/Team');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="Team.zip"; filename*=UTF-8''Team.zip`,
    );
    const entries = asText(unzipSync(bytes));
    expect(Object.keys(entries).sort()).toEqual([
      'Team/Shared/',
      'Team/Shared/from-bob.txt',
      'Team/deep/',
      'Team/deep/er/',
      'Team/deep/er/big.bin',
      'Team/empty.txt',
      'Team/nothing-here/',
      'Team/plan.txt',
    ]);
    expect(entries['Team/plan.txt']?.toString()).toBe('the plan');
    expect(entries['Team/deep/er/big.bin']?.equals(Buffer.from(big))).toBe(true);
    expect(entries['Team/empty.txt']?.length).toBe(0);
    expect(entries['Team/Shared/from-bob.txt']?.toString()).toBe('from bob');
  });

  it('zips the whole view from /, named after Ferry, and a viewer may download a share', async () => {
    await commitContent(ann, '/a.txt', utf8('a'));
    await commitContent(ann, '/Pub/b.txt', utf8('b'));
    expect(
      (await ann.json('POST', '/shares', { path: '/Pub', email: bob.email, role: 'viewer' }))
        .status,
    ).toBe(200);
    const whole = asText(unzipSync((await zipOf(ann, '/')).bytes));
    expect(Object.keys(whole).sort()).toEqual(['Ferry/Pub/', 'Ferry/Pub/b.txt', 'Ferry/a.txt']);
    const viewer = await zipOf(bob, '/Pub');
    expect(viewer.res.status).toBe(200);
    expect(asText(unzipSync(viewer.bytes))['Pub/b.txt']?.toString()).toBe('b');
  });

  it.each([
    ['/Nope', 404, 'not_found'],
    ['/Team/plan.txt', 409, 'path_conflict'],
    ['Team', 400, 'invalid_path'],
    ['/Team/../..', 400, 'invalid_path'],
  ])('refuses %s with %d %s', async (path, status, code) => {
    await commitContent(ann, '/Team/plan.txt', utf8('the plan'));
    const { res, bytes } = await zipOf(ann, path);
    expect(res.status).toBe(status);
    expect(JSON.parse(Buffer.from(bytes).toString()).error.code).toBe(code);
  });

  it('knows the size of the archive before it streams it (the 4 GiB limit is checked with it)', async () => {
    const sizes = [0, 1, 1000, 70_000];
    for (const [i, size] of sizes.entries()) {
      await commitContent(ann, `/Sized/f${i}.bin`, seededBytes('random', i, size));
    }
    await ann.json('POST', '/files/mkdir', { path: '/Sized/empty' });
    const { bytes } = await zipOf(ann, '/Sized');
    const names = Object.keys(unzipSync(bytes));
    expect(bytes.length).toBe(
      zipArchiveBytes(
        names.map((name) => ({
          nameBytes: Buffer.byteLength(name),
          sizeBytes: sizes[Number(/f(\d)\.bin$/.exec(name)?.[1] ?? -1)] ?? 0,
        })),
      ),
    );
  });

  it('never shows another user’s folder', async () => {
    await commitContent(bob, '/Private/secret.txt', utf8('secret'));
    const { res } = await zipOf(ann, '/Private');
    expect(res.status).toBe(404);
  });

  it('refuses unknown query fields', async () => {
    await commitContent(ann, '/Team/plan.txt', utf8('the plan'));
    const res = await ann.fetch('/files/download_zip?path=/Team&level=9');
    expect(res.status).toBe(400);
  });
});
