/**
 * Two instances on one PostgreSQL read what the other just wrote: no instance keeps a cache of
 * metadata that could answer from before another instance's write (the read cache is off with
 * PostgreSQL, index.ts). Checked on the reads a stale answer would hurt most: a device signed
 * out through one instance is refused by the other at once, even right after that other
 * instance served it; a folder renamed through one is gone from its old path on the other.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListResponse } from 'sync-engine/protocol';
import { postgresForSuite } from '../services/postgres-for-suite.js';
import { startTestServer, type TestClient, type TestServer } from '../test-server.js';

const postgres = postgresForSuite();
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  const shared = { metadata: postgres().url, masterKey: randomBytes(32).toString('hex') };
  a = await startTestServer(shared);
  b = await startTestServer(shared);
}, 60_000);
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

/** The same device, its calls sent to `server`. */
function through(server: TestServer, client: TestClient) {
  return (method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${client.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}

describe('two instances on one PostgreSQL', () => {
  it('refuses a device on one instance as soon as it signed out through the other', async () => {
    const ann = await a.createUser('ann');
    const onB = through(b, ann);
    // B serves the device twice (the first call also notes it was seen, a write); a cache,
    // if there were one, would now hold the token's device.
    expect((await onB('GET', '/account')).status).toBe(200);
    expect((await onB('GET', '/account')).status).toBe(200);
    expect((await through(a, ann)('POST', '/auth/logout')).status).toBe(200);
    const refused = await onB('GET', '/account');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('answers for a folder renamed through one instance as the other sees it now', async () => {
    const bob = await a.createUser('bob');
    const onB = through(b, bob);
    expect((await through(a, bob)('POST', '/files/mkdir', { path: '/Before' })).status).toBe(200);
    // B looks the folder up twice (the second answer could come from a cache).
    expect((await onB('GET', '/files/list?path=/Before')).status).toBe(200);
    expect((await onB('GET', '/files/list?path=/Before')).status).toBe(200);
    const moved = await through(a, bob)('POST', '/files/move', { from: '/Before', to: '/After' });
    expect(moved.status).toBe(200);
    expect((await onB('GET', '/files/list?path=/Before')).status).toBe(404);
    const root = (await (await onB('GET', '/files/list?path=/')).json()) as ListResponse;
    expect(root.entries.map((e) => e.path)).toEqual(['/After']);
  });
});
