/**
 * Hostile requests to the batch endpoints (docs/protocol.md "Batches"): each is refused as a
 * whole with a clear error and changes nothing — no block stored, no version made.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../test-blocks.js';
import { itRefuses, sendAsAnn, useHostileFixture } from './hostile-fixture.js';
import { takeStoreSnapshot } from '../store-snapshot.js';

const f = useHostileFixture();
const ID = 'ab'.repeat(32);
const commit = (path: string) => ({ path, blocks: [], size: 0, modified: 0 });
/** A frame header: the raw id, then a big-endian length. */
function header(length: number): Uint8Array {
  const bytes = new Uint8Array(36);
  bytes.set(Buffer.from(ID, 'hex'));
  new DataView(bytes.buffer).setUint32(32, length, false);
  return bytes;
}

describe('batch endpoints', () => {
  itRefuses(f, [
    {
      name: 'commit_batch with no commits',
      call: () => ({
        method: 'POST',
        path: '/files/commit_batch',
        body: { json: { commits: [] } },
      }),
      status: 400,
      code: 'snake_case',
    },
    {
      name: 'commit_batch with 1,001 commits',
      call: () => ({
        method: 'POST',
        path: '/files/commit_batch',
        body: {
          json: { commits: Array.from({ length: 1001 }, (_, i) => commit(`/many/${i}.txt`)) },
        },
      }),
      status: 400,
      code: 'snake_case',
    },
    {
      name: 'commit_batch naming one path twice (NFC and NFD)',
      call: () => ({
        method: 'POST',
        path: '/files/commit_batch',
        body: { json: { commits: [commit('/caf\u00e9.txt'), commit('/cafe\u0301.txt')] } },
      }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'commit_batch with an unknown field',
      call: () => ({
        method: 'POST',
        path: '/files/commit_batch',
        body: { json: { commits: [commit('/a.txt')], force: true } },
      }),
      status: 400,
      code: 'snake_case',
    },
    {
      name: 'upload_batch without a namespace',
      call: () => ({
        method: 'POST',
        path: '/blocks/upload_batch',
        body: { bytes: header(4) },
      }),
      status: 400,
      code: 'snake_case',
    },
    {
      name: 'upload_batch into a namespace of another user',
      call: () => ({
        method: 'POST',
        path: `/blocks/upload_batch?namespace=ns_${'x'.repeat(20)}`,
        body: { bytes: header(4) },
      }),
      status: 403,
      code: 'forbidden',
    },
    {
      name: 'upload_batch with a frame cut short',
      call: () => ({
        method: 'POST',
        path: `/blocks/upload_batch?namespace=${f.ann.rootNamespace}`,
        body: { bytes: new Uint8Array([...header(100), ...utf8('only a few bytes')]) },
      }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'upload_batch with a frame declaring 0 bytes',
      call: () => ({
        method: 'POST',
        path: `/blocks/upload_batch?namespace=${f.ann.rootNamespace}`,
        body: { bytes: header(0) },
      }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'upload_batch with bytes that are not the block their id names',
      call: () => ({
        method: 'POST',
        path: `/blocks/upload_batch?namespace=${f.ann.rootNamespace}`,
        body: { bytes: new Uint8Array([...header(16), ...utf8('not a real block')]) },
      }),
      status: 400,
      code: 'snake_case',
    },
    {
      name: 'upload_batch as JSON',
      call: () => ({
        method: 'POST',
        path: `/blocks/upload_batch?namespace=${f.ann.rootNamespace}`,
        body: { json: { blocks: [] } },
      }),
      status: 415,
      code: 'snake_case',
    },
    {
      name: 'download_batch of a block the namespace lacks',
      call: () => ({
        method: 'POST',
        path: '/blocks/download_batch',
        body: { json: { namespace: f.ann.rootNamespace, ids: [ID] } },
      }),
      status: 404,
      code: 'block_not_found',
    },
    {
      name: 'download_batch of 4,097 ids',
      call: () => ({
        method: 'POST',
        path: '/blocks/download_batch',
        body: {
          json: { namespace: f.ann.rootNamespace, ids: Array.from({ length: 4097 }, () => ID) },
        },
      }),
      status: 400,
      code: 'snake_case',
    },
    {
      name: 'download_batch of a malformed id',
      call: () => ({
        method: 'POST',
        path: '/blocks/download_batch',
        body: { json: { namespace: f.ann.rootNamespace, ids: ['../../master.key'] } },
      }),
      status: 400,
      code: 'snake_case',
    },
  ]);
});

describe('hostile entries inside a batch', () => {
  it('answers a traversal path in an entry as its single route would (400 invalid_path), the rest untouched', async () => {
    const before = await takeStoreSnapshot(f.server.dataDir);
    const lists = await sendAsAnn(f, {
      method: 'POST',
      path: '/files/blocks_batch',
      body: { json: { files: [{ path: '/../master.key' }, { path: '/Docs/file.bin' }] } },
    });
    expect(lists.status).toBe(200);
    const [traversal, file] = (lists.body as { files: { status: number; error?: unknown }[] })
      .files;
    expect(traversal).toMatchObject({ status: 400, error: { code: 'invalid_path' } });
    expect(file).toMatchObject({ status: 200, path: '/Docs/file.bin' });
    const commits = await sendAsAnn(f, {
      method: 'POST',
      path: '/files/commit_batch',
      body: { json: { commits: [commit('/../evil.txt'), commit('/Docs/x\u0000y.txt')] } },
    });
    expect(commits.status).toBe(200);
    for (const result of (commits.body as { results: unknown[] }).results) {
      expect(result).toMatchObject({ status: 400, error: { code: 'invalid_path' } });
    }
    expect(await takeStoreSnapshot(f.server.dataDir)).toEqual(before);
  });
});
