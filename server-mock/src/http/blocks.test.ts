import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBlock, hashBlock } from 'sync-engine/blocks';
import { encodeContent, putBlocks, utf8 } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let server: TestServer;
let ann: TestClient;
let bob: TestClient;
beforeAll(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
  bob = await server.createUser('bob');
});
afterAll(async () => server.close());

describe('blocks', () => {
  it('checks, stores idempotently and serves a verified block', async () => {
    const [block] = await encodeContent(utf8('hello blocks'), await ann.keyOf());
    const check = await ann.json('POST', '/blocks/check', {
      namespace: ann.rootNamespace,
      hashes: [block!.id, block!.id],
    });
    expect(check.body).toEqual({ missing: [block!.id] });
    const [put] = await putBlocks(ann, [block!]);
    expect(put!.status).toBe(200);
    expect(put!.body).toEqual({ id: block!.id, stored: true });
    const [again] = await putBlocks(ann, [block!]);
    expect(again!.body).toEqual({ id: block!.id, stored: false });
    expect(
      (
        await ann.json('POST', '/blocks/check', {
          namespace: ann.rootNamespace,
          hashes: [block!.id],
        })
      ).body,
    ).toEqual({ missing: [] });
    const got = await ann.fetch(`/blocks/${ann.rootNamespace}/${block!.id}`);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(block!.encoded))).toBe(true);
    const account = await ann.json('GET', '/account');
    expect((account.body as { usedBytes: number }).usedBytes).toBe(12);
  });

  it('refuses a block encrypted with another key, or stored under the wrong id', async () => {
    const plain = utf8('not yours');
    const id = hashBlock(plain);
    const wrongKey = encodeBlock(plain, await bob.keyOf(), id);
    const res = await ann.send('PUT', `/blocks/${ann.rootNamespace}/${id}`, wrongKey);
    expect(res.status).toBe(400);
    // The decoder's reason is a field of the error, not words inside its message.
    expect(res.body).toMatchObject({
      error: { code: 'invalid_block', reason: 'block_auth_failed' },
    });
    const other = hashBlock(utf8('something else'));
    const mismatched = encodeBlock(plain, await ann.keyOf(), id);
    const res2 = await ann.send('PUT', `/blocks/${ann.rootNamespace}/${other}`, mismatched);
    expect(res2.status).toBe(400);
    expect(
      (
        await ann.json('POST', '/blocks/check', {
          namespace: ann.rootNamespace,
          hashes: [id, other],
        })
      ).body,
    ).toEqual({ missing: [id, other] });
  });

  it("forbids another user's namespace for check, put and get", async () => {
    const [block] = await encodeContent(utf8('private'), await ann.keyOf());
    await putBlocks(ann, [block!]);
    expect(
      (
        await bob.json('POST', '/blocks/check', {
          namespace: ann.rootNamespace,
          hashes: [block!.id],
        })
      ).status,
    ).toBe(403);
    expect(
      (await bob.send('PUT', `/blocks/${ann.rootNamespace}/${block!.id}`, block!.encoded)).status,
    ).toBe(403);
    expect((await bob.fetch(`/blocks/${ann.rootNamespace}/${block!.id}`)).status).toBe(403);
  });

  it('answers 404 for an unknown block and 400 for a malformed hash', async () => {
    const res = await ann.fetch(`/blocks/${ann.rootNamespace}/${'0'.repeat(64)}`);
    expect(res.status).toBe(404);
    expect((await ann.fetch(`/blocks/${ann.rootNamespace}/xyz`)).status).toBe(400);
  });

  it('refuses a body over the block size limit with 413', async () => {
    const huge = new Uint8Array(17 * 1024 * 1024);
    const res = await ann.send('PUT', `/blocks/${ann.rootNamespace}/${'1'.repeat(64)}`, huge);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { code: 'payload_too_large' } });
  });
});
