/**
 * Authorization matrix (SPEC "HTTP API (v1)": every endpoint but register/login/health needs a
 * bearer token; viewers cannot write). Two tables:
 *
 * 1. Every authenticated route the server documents in /openapi.json (so a new route is covered
 *    the day it lands), with each kind of bad credential → 401 `unauthorized`.
 * 2. Bob's valid token against Ann's namespace, files, revisions, blocks and upload session →
 *    403 (namespace-addressed) or 404 (path-addressed: Ann's tree is invisible to Bob).
 *
 * Each request must leave the data dir unchanged (store snapshot, see testing/store-snapshot.ts).
 * Share rows (viewer token, revoked share) wait for the /shares endpoint.
 */
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBlock, hashBlock } from '../../../sync-engine/src/blocks/index.js';
import type { Rev } from '../../../sync-engine/src/protocol/index.js';
import { METADATA_DB_FILE, takeStoreSnapshot } from '../testing/store-snapshot.js';
import {
  commitContent,
  encodeContent,
  seededBytes,
  utf8,
  type TestBlock,
} from '../testing/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../testing/test-server.js';
import { bearer, sendCall, type EndpointCall } from './endpoint-call.js';

/** Routes that need no token (SPEC): everything else must answer 401 without one. */
const PUBLIC_ROUTES = new Set([
  'POST /auth/register',
  'POST /auth/login',
  'GET /healthz',
  'GET /metrics',
]);

const SECRET = seededBytes(50_000, 7);

let server: TestServer;
let ann: TestClient;
let bob: TestClient;
let secretRev: Rev;
let secretBlocks: TestBlock[];
let bobRev: Rev;
let sessionPath: string;
let revokedToken: string;
let foreignToken: string;
let annShareId: string;
let documentedRoutes: { method: string; template: string }[];

/** Revokes a device the way a logout/device-removal would: its row (and token hash) go away. */
function deleteDeviceRow(dataDir: string, deviceId: string): void {
  const db = new Database(path.join(dataDir, METADATA_DB_FILE));
  try {
    db.pragma('busy_timeout = 5000');
    const result = db.prepare('DELETE FROM device WHERE id = ?').run(deviceId);
    if (result.changes !== 1) throw new Error(`device ${deviceId} not found`);
  } finally {
    db.close();
  }
}

/** A real token, well formed, issued by another server (another data dir). */
async function tokenFromAnotherServer(): Promise<string> {
  const other = await startTestServer();
  try {
    return (await other.createUser('ann')).token;
  } finally {
    await other.close();
  }
}

async function listDocumentedRoutes(): Promise<{ method: string; template: string }[]> {
  const res = await server.request('GET', '/openapi.json');
  const doc = res.body as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([template, operations]) =>
    Object.keys(operations).map((method) => ({ method: method.toUpperCase(), template })),
  );
}

beforeAll(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
  bob = await server.createUser('bob');
  const committed = await commitContent(ann, '/Private/secret.txt', SECRET);
  expect(committed.status).toBe(200);
  secretRev = committed.file.rev as Rev;
  secretBlocks = await encodeContent(SECRET, await ann.keyOf());
  const bobs = await commitContent(bob, '/bob.txt', utf8('bob owns this'));
  expect(bobs.status).toBe(200);
  bobRev = bobs.file.rev as Rev;
  const started = await ann.send(
    'POST',
    '/files/upload?uploadType=resumable&path=/big.bin',
    new Uint8Array(0),
    {
      'x-upload-content-length': '10',
    },
  );
  expect(started.status).toBe(200);
  sessionPath = new URL(started.headers.get('location') ?? '').pathname;
  const cat = await server.createUser('cat');
  const shared = await ann.json('POST', '/shares', {
    path: '/Private',
    email: cat.email,
    role: 'viewer',
  });
  expect(shared.status).toBe(200);
  annShareId = (shared.body as { id: string }).id;
  const stolen = await server.login(ann.email, ann.password, 'stolen-laptop');
  deleteDeviceRow(server.dataDir, stolen.deviceId);
  revokedToken = stolen.token;
  foreignToken = await tokenFromAnotherServer();
  documentedRoutes = await listDocumentedRoutes();
});
afterAll(async () => server?.close());

/** Fills a documented route's path parameters with plausible values. */
function concretePath(template: string): string {
  return template
    .replaceAll('{namespace}', ann.rootNamespace)
    .replaceAll('{hash}', secretBlocks[0]!.id)
    .replace(/\{[^}]+\}/g, 'x');
}

const BAD_CREDENTIALS: [string, () => string | undefined][] = [
  ['no Authorization header', () => undefined],
  ['an empty bearer', () => 'Bearer '],
  [
    'the password as Basic credentials',
    () => `Basic ${Buffer.from(`${ann.email}:${ann.password}`).toString('base64')}`,
  ],
  ['a forged token', () => bearer(randomBytes(32).toString('base64url'))],
  [
    'a real token with one character changed',
    () => bearer(`${ann.token.slice(0, -1)}${ann.token.endsWith('A') ? 'B' : 'A'}`),
  ],
  [
    'the stored token hash instead of the token',
    () => bearer(createHash('sha256').update(ann.token).digest('base64url')),
  ],
  ['a token with a trailing injection', () => `Bearer ${ann.token}' OR '1'='1`],
  ['a revoked device token', () => bearer(revokedToken)],
  ['a token issued by another server', () => bearer(foreignToken)],
];

describe('every authenticated route refuses bad credentials with 401', () => {
  it('documents the routes this suite expects (the table below is not empty by accident)', () => {
    const names = documentedRoutes.map((r) => `${r.method} ${r.template}`);
    for (const expected of [
      'GET /account',
      'GET /keys/{namespace}',
      'POST /files/commit',
      'PUT /blocks/{namespace}/{hash}',
      'GET /files/download',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it('still accepts the valid token (the 401s below are not a broken server)', async () => {
    expect((await ann.json('GET', '/account')).status).toBe(200);
  });

  it('answers 401 unauthorized on every documented authenticated route and changes nothing', async () => {
    const before = await takeStoreSnapshot(server.dataDir);
    const routes = documentedRoutes.filter((r) => !PUBLIC_ROUTES.has(`${r.method} ${r.template}`));
    const failures: string[] = [];
    for (const route of routes) {
      const methods = route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
      for (const method of methods) {
        const call: EndpointCall = {
          method,
          path: concretePath(route.template),
          ...(method === 'GET' || method === 'HEAD' ? {} : { body: { json: {} } }),
        };
        for (const [label, credential] of BAD_CREDENTIALS) {
          const sent = credential();
          const res = await sendCall(server.url, call, sent);
          const echoesCredential =
            sent !== undefined && sent.length > 8 && Buffer.from(res.bytes).includes(sent.slice(7));
          const isShaped =
            (!echoesCredential && method === 'HEAD') ||
            (typeof res.body === 'object' &&
              (res.body as { error?: { code?: unknown; message?: unknown } }).error?.code ===
                'unauthorized' &&
              typeof (res.body as { error: { message?: unknown } }).error.message === 'string');
          if (res.status !== 401 || !isShaped) {
            failures.push(
              `${method} ${call.path} with ${label}: ${res.status} ${JSON.stringify(res.body)}`,
            );
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(routes.length).toBeGreaterThanOrEqual(14);
    expect(await takeStoreSnapshot(server.dataDir)).toEqual(before);
  });
});

interface ForeignCase {
  readonly name: string;
  readonly call: () => EndpointCall;
  readonly status: number;
  readonly code: string;
}

const annNs = () => ann.rootNamespace;
const block = () => secretBlocks[0]!;

const FOREIGN_CASES: ForeignCase[] = [
  {
    name: "share Ann's folder with someone",
    call: () => ({
      method: 'POST',
      path: '/shares',
      body: { json: { path: '/Private', email: 'cat@test.example', role: 'editor' } },
    }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "change the role of Ann's share",
    call: () => ({
      method: 'PATCH',
      path: `/shares/${annShareId}`,
      body: { json: { role: 'editor' } },
    }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "revoke Ann's share",
    call: () => ({ method: 'DELETE', path: `/shares/${annShareId}` }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "GET Ann's namespace key",
    call: () => ({ method: 'GET', path: `/keys/${annNs()}` }),
    status: 403,
    code: 'forbidden',
  },
  {
    name: "POST /blocks/check on Ann's namespace",
    call: () => ({
      method: 'POST',
      path: '/blocks/check',
      body: { json: { namespace: annNs(), hashes: [block().id] } },
    }),
    status: 403,
    code: 'forbidden',
  },
  {
    name: "PUT a valid block into Ann's namespace",
    call: () => ({
      method: 'PUT',
      path: `/blocks/${annNs()}/${block().id}`,
      body: { bytes: block().encoded },
    }),
    status: 403,
    code: 'forbidden',
  },
  {
    name: "PUT a new block (encoded with Ann's key) into Ann's namespace",
    call: () => {
      const plain = utf8('planted by bob');
      return {
        method: 'PUT',
        path: `/blocks/${annNs()}/${hashBlock(plain)}`,
        body: { bytes: encodeBlock(plain, annKey) },
      };
    },
    status: 403,
    code: 'forbidden',
  },
  {
    name: "GET one of Ann's blocks",
    call: () => ({ method: 'GET', path: `/blocks/${annNs()}/${block().id}` }),
    status: 403,
    code: 'forbidden',
  },
  {
    name: "download Ann's file by its path",
    call: () => ({ method: 'GET', path: '/files/download?path=/Private/secret.txt' }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "download Ann's revision through Bob's own file",
    call: () => ({ method: 'GET', path: `/files/download?path=/bob.txt&rev=${secretRev}` }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "list Ann's folder",
    call: () => ({ method: 'GET', path: '/files/list?path=/Private' }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "list the revisions of Ann's file",
    call: () => ({ method: 'GET', path: '/files/list_revisions?path=/Private/secret.txt' }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "restore Ann's revision onto Bob's file",
    call: () => ({
      method: 'POST',
      path: '/files/restore',
      body: { json: { path: '/bob.txt', rev: secretRev } },
    }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "commit a file made of Ann's blocks (dedup is per namespace)",
    call: () => ({
      method: 'POST',
      path: '/files/commit',
      body: {
        json: {
          path: '/stolen.txt',
          blocks: secretBlocks.map((b) => b.id),
          size: SECRET.length,
          modified: 1,
          parentRev: null,
        },
      },
    }),
    status: 412,
    code: 'missing_blocks',
  },
  {
    name: "delete Ann's file",
    call: () => ({
      method: 'POST',
      path: '/files/delete',
      body: { json: { path: '/Private/secret.txt' } },
    }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "move Ann's folder",
    call: () => ({
      method: 'POST',
      path: '/files/move',
      body: { json: { from: '/Private', to: '/Mine' } },
    }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "ask how much of Ann's upload arrived",
    call: () => ({ method: 'PUT', path: sessionPath, headers: { 'content-range': 'bytes */10' } }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "send a piece of Ann's upload",
    call: () => ({
      method: 'PUT',
      path: sessionPath,
      headers: { 'content-range': 'bytes 0-9/10' },
      body: { bytes: utf8('0123456789') },
    }),
    status: 404,
    code: 'not_found',
  },
];

let annKey: Uint8Array;

describe("another user's valid token", () => {
  beforeAll(async () => {
    annKey = await ann.keyOf();
  });

  it.each(FOREIGN_CASES)(
    '$name → $status $code, nothing changes',
    async ({ call, status, code }) => {
      const request = call();
      const before = await takeStoreSnapshot(server.dataDir);
      const res = await sendCall(server.url, request, bearer(bob.token));
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ error: { code, message: expect.any(String) } });
      expect(Buffer.from(res.bytes).includes(Buffer.from(SECRET.subarray(0, 64)))).toBe(false);
      expect(await takeStoreSnapshot(server.dataDir)).toEqual(before);
    },
  );

  it("sees none of Ann's shares, activity or journal", async () => {
    const shares = await bob.json('GET', '/shares');
    expect(shares.body).toEqual({ owned: [], received: [] });
    const activity = await bob.json('GET', '/activity?cursor=0');
    expect(JSON.stringify(activity.body)).not.toContain('Private');
    const forged = Buffer.from(JSON.stringify({ v: 1, n: { [ann.rootNamespace]: 0 } })).toString(
      'base64url',
    );
    const changes = await bob.json('GET', `/changes?cursor=${forged}`);
    expect(JSON.stringify(changes.body)).not.toContain('Private');
  });

  it("learns nothing about Ann's blocks from a dedup check on his own namespace", async () => {
    const hashes = secretBlocks.map((b) => b.id);
    const res = await bob.json('POST', '/blocks/check', { namespace: bob.rootNamespace, hashes });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ missing: hashes });
  });

  it("leaves Ann's data intact and Bob's own file at its revision", async () => {
    const download = await ann.fetch('/files/download?path=/Private/secret.txt');
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(SECRET))).toBe(true);
    const revisions = await bob.json('GET', '/files/list_revisions?path=/bob.txt');
    expect(
      (revisions.body as { revisions: { rev: string }[] }).revisions.map((r) => r.rev),
    ).toEqual([bobRev]);
  });
});
