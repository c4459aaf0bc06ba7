/**
 * No response leaks a secret (STYLE.md "errors and logs never carry file contents, keys, tokens
 * or passwords"; SPEC: tokens stored hashed, keys wrapped): the JSON API, the error bodies, the
 * public /metrics, /healthz and /openapi.json never contain a password, a password hash, a token
 * or its stored hash, the master key or a wrapped key. /metrics also does not record
 * request paths (file names) or grow a label per unknown URL.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeStoreSnapshot } from '../store-snapshot.js';
import { commitContent, utf8 } from '../test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../test-server.js';

let server: TestServer;
let ann: TestClient;
let bob: TestClient;
let secrets: Map<string, string>;

/** Every secret at rest, in the encodings a leak would likely use. */
async function collectSecrets(): Promise<Map<string, string>> {
  const found = new Map<string, string>([
    ['ann password', ann.password],
    ['bob password', bob.password],
    ['ann token', ann.token],
    ['bob token', bob.token],
    ['a scrypt hash', 'scrypt$'],
  ]);
  const masterKey = await readFile(path.join(server.dataDir, 'master.key'));
  found.set('master key (file text)', masterKey.toString('utf8').trim());
  found.set('master key (hex)', masterKey.toString('hex'));
  found.set('master key (base64)', masterKey.toString('base64'));
  // Read as the store snapshot reads it, so the same test covers SQLite and PostgreSQL.
  const { tables } = await takeStoreSnapshot(server.dataDir, { ignoredColumns: {} });
  const bytesOf = (value: unknown) => Buffer.from(String(value).slice(2, -1), 'hex');
  for (const row of tables.device ?? []) {
    const hash = bytesOf(row.token_hash);
    found.set(`token hash ${hash.toString('hex')}`, hash.toString('hex'));
    found.set(`token hash b64 ${hash.toString('hex')}`, hash.toString('base64'));
  }
  for (const row of tables.namespace_key ?? []) {
    const wrapped = bytesOf(row.wrapped_key);
    found.set(`wrapped key ${wrapped.toString('hex')}`, wrapped.toString('base64'));
  }
  return found;
}

function leaksIn(text: string): string[] {
  return [...secrets]
    .filter(([, value]) => value.length >= 6 && text.includes(value))
    .map(([k]) => k);
}

beforeAll(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
  bob = await server.createUser('bob');
  expect((await commitContent(ann, '/Private/secret-name.txt', utf8('content'))).status).toBe(200);
  const shared = await ann.json('POST', '/shares', {
    path: '/Private',
    email: bob.email,
    role: 'viewer',
  });
  expect(shared.status).toBe(200);
  secrets = await collectSecrets();
});
afterAll(async () => server?.close());

describe('secrets in responses', () => {
  it('are absent from every API answer, error or not', async () => {
    // The detector itself works and knows the stored secrets (2 devices, 3 namespace keys).
    expect(leaksIn(`{"t":"${ann.token}"}`)).toEqual(['ann token']);
    expect([...secrets.keys()].filter((k) => k.startsWith('token hash b64 ')).length).toBe(2);
    expect([...secrets.keys()].filter((k) => k.startsWith('wrapped key ')).length).toBe(3);
    const cursor = ((await ann.json('GET', '/changes/latest_cursor')).body as { cursor: string })
      .cursor;
    const answers = [
      await ann.json('GET', '/account'),
      await ann.json('GET', '/devices'),
      await bob.json('GET', '/devices'),
      await ann.json('GET', '/shares'),
      await bob.json('GET', '/shares'),
      await ann.json('GET', '/files/list?path=/&recursive=true'),
      await ann.json('GET', '/files/list_revisions?path=/Private/secret-name.txt'),
      await ann.json('GET', '/activity?cursor=0'),
      await bob.json('GET', `/changes?cursor=${cursor}`),
      await bob.json('GET', `/keys/${ann.rootNamespace}`),
      await server.request('POST', '/auth/login', {
        body: { email: ann.email, password: 'wrong-password', deviceName: 'x' },
      }),
      await server.request('POST', '/auth/register', {
        body: { email: ann.email, password: ann.password, name: 'again' },
      }),
      await server.request('POST', '/auth/login', {
        body: { email: ann.email, password: ann.password, deviceName: 'x', extra: ann.password },
      }),
      await server.request('GET', '/healthz'),
      await server.request('GET', '/openapi.json'),
    ];
    const leaks = answers.flatMap((res, i) =>
      leaksIn(Buffer.from(res.bytes).toString('utf8')).map((k) => `answer ${i}: ${k}`),
    );
    expect(leaks).toEqual([]);
  });

  it('are absent from /metrics, which records no paths and no label per unknown URL', async () => {
    for (let i = 0; i < 20; i++) {
      await server.request('GET', `/probe-${i}-${ann.email}`);
    }
    await ann.fetch('/files/download?path=/Private/secret-name.txt');
    const metrics = await server.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    const text = String(metrics.body);
    expect(leaksIn(text)).toEqual([]);
    expect(text).not.toContain('secret-name');
    expect(text).not.toContain('probe-');
    expect(text).not.toContain('@test.example');
  });
});
