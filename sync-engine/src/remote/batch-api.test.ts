import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBlock, hashBlock } from '../blocks/index.js';
import type { BlockId, NamespaceId } from '../protocol/index.js';
import { seededBytes } from '../testkit/index.js';
import {
  startRemoteTestServer,
  type RemoteTestServer,
  type TestDevice,
} from '../testkit/remote-test-server.js';
import { RemoteError } from './remote-error.js';

const signal = () => AbortSignal.timeout(30_000);
const MODIFIED = 1_700_000_000_000;

let server: RemoteTestServer;
let ann: TestDevice;
let namespace: NamespaceId;
let key: Uint8Array;
beforeAll(async () => {
  server = await startRemoteTestServer();
  ann = await server.createUser('ann', 'A');
  namespace = ann.login.rootNamespace;
  key = await ann.client.getNamespaceKey(namespace, signal());
});
afterAll(async () => {
  await server.close();
});

/** Small files of one block each: content, id, encoded block. */
function smallFiles(count: number, seed: number) {
  return Array.from({ length: count }, (_, i) => {
    const bytes = seededBytes('random', seed + i, 1000 + i);
    const id = hashBlock(bytes);
    return {
      path: `/batch-${seed}/file-${i}.bin`,
      bytes,
      id,
      encoded: encodeBlock(bytes, key, id),
    };
  });
}

describe('the batch calls against the real server', () => {
  it('stores blocks, commits files, lists their blocks and fetches them back, many per request', async () => {
    const files = smallFiles(50, 100);
    await ann.client.putBlocks({ namespace, blocks: files }, signal());
    expect(
      await ann.client.checkBlocks({ namespace, hashes: files.map((f) => f.id) }, signal()),
    ).toEqual([]);
    // Sent again: nothing new is stored, and that is no error.
    await ann.client.putBlocks({ namespace, blocks: files.slice(0, 5) }, signal());

    const results = await ann.client.commitFiles(
      files.map((file) => ({
        path: file.path,
        blocks: [file.id],
        size: file.bytes.length,
        modified: MODIFIED,
      })),
      signal(),
    );
    expect(results.map((result) => result.kind)).toEqual(files.map(() => 'committed'));

    const lists = await ann.client.getFileBlocksBatch(
      files.map((file) => ({ path: file.path })),
      signal(),
    );
    for (const [at, list] of lists.entries()) {
      if (list instanceof RemoteError) throw list;
      expect(list.path).toBe(files[at]!.path);
      expect(list.blocks).toEqual([{ id: files[at]!.id, size: files[at]!.bytes.length }]);
    }

    const encoded = await ann.client.getBlocks(
      { namespace, ids: files.map((f) => f.id) },
      signal(),
    );
    expect(encoded).toHaveLength(files.length);
    for (const [at, block] of encoded.entries()) {
      expect(Buffer.from(block).equals(Buffer.from(files[at]!.encoded))).toBe(true);
    }
  });

  it('answers each entry on its own: a conflict, missing blocks and a missing file beside successes', async () => {
    const [first, second, third] = smallFiles(3, 200);
    await ann.client.putBlocks({ namespace, blocks: [first!, second!] }, signal());
    const commit = (file: typeof first, parentRev?: string) => ({
      path: file!.path,
      blocks: [file!.id],
      size: file!.bytes.length,
      modified: MODIFIED,
      ...(parentRev === undefined ? {} : { parentRev: parentRev as never }),
    });
    const [made] = await ann.client.commitFiles([commit(first)], signal());
    expect(made!.kind).toBe('committed');
    const results = await ann.client.commitFiles(
      // first again as new (the server has it: a conflict), second fine, third lacks its block.
      [commit(first), commit(second), commit(third)],
      signal(),
    );
    expect(results.map((result) => result.kind)).toEqual([
      'rev_conflict',
      'committed',
      'missing_blocks',
    ]);
    const missing = results[2]!;
    expect(missing.kind === 'missing_blocks' && missing.missing).toEqual([third!.id]);

    const lists = await ann.client.getFileBlocksBatch(
      [{ path: second!.path }, { path: '/batch-200/nothing-here.bin' }],
      signal(),
    );
    expect(lists[0]).not.toBeInstanceOf(RemoteError);
    expect(lists[1]).toBeInstanceOf(RemoteError);
    expect((lists[1] as RemoteError).code).toBe('not_found');
  });

  it('refuses a download batch naming a block the namespace lacks, as a whole', async () => {
    const [stored] = smallFiles(1, 300);
    await ann.client.putBlocks({ namespace, blocks: [stored!] }, signal());
    const absent = hashBlock(seededBytes('random', 301, 500)) as BlockId;
    const failure = await ann.client
      .getBlocks({ namespace, ids: [stored!.id, absent] }, signal())
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RemoteError);
    expect((failure as RemoteError).status).toBe(404);
  });

  it('refuses blocks whose bytes are not their id, storing nothing', async () => {
    const [good, bad] = smallFiles(2, 400);
    const failure = await ann.client
      .putBlocks({ namespace, blocks: [good!, { id: bad!.id, encoded: good!.encoded }] }, signal())
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RemoteError);
    expect((failure as RemoteError).status).toBe(400);
    expect(await ann.client.checkBlocks({ namespace, hashes: [bad!.id] }, signal())).toEqual([
      bad!.id,
    ]);
  });
});
