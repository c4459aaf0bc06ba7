import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUOTA_BYTES } from 'sync-engine/protocol';
import { startTestServer, type TestServer } from '../../test/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

describe('GET /account', () => {
  it('shows the account with the default quota and nothing used', async () => {
    const ann = await server.createUser('ann');
    const res = await ann.json('GET', '/account');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      userId: ann.userId,
      email: 'ann@test.example',
      name: 'ann',
      usedBytes: 0,
      quotaBytes: DEFAULT_QUOTA_BYTES,
      rootNamespace: ann.rootNamespace,
    });
  });
});

describe('GET /keys/{namespace}', () => {
  it('gives the same 32-byte key to every device of the owner, and 403 to others', async () => {
    const ann = await server.createUser('ann2');
    const phone = await server.login(ann.email, ann.password, 'phone');
    const key = await ann.keyOf();
    expect(key).toHaveLength(32);
    expect(Buffer.from(await phone.keyOf()).equals(Buffer.from(key))).toBe(true);
    const bob = await server.createUser('bob2');
    const res = await bob.json('GET', `/keys/${ann.rootNamespace}`);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code: 'forbidden' } });
    expect((await bob.json('GET', '/keys/ns_unknown')).status).toBe(403);
  });

  it('keeps keys across a restart (wrapped by the master key file)', async () => {
    const first = await startTestServer({ keepDataDir: true });
    const ann = await first.createUser('ann');
    const key = await ann.keyOf();
    await first.close();
    const second = await startTestServer({ dataDir: first.dataDir });
    try {
      const again = await second.login(ann.email, ann.password);
      expect(Buffer.from(await again.keyOf()).equals(Buffer.from(key))).toBe(true);
    } finally {
      await second.close();
      const { rm } = await import('node:fs/promises');
      await rm(first.dataDir, { recursive: true, force: true });
    }
  });
});
