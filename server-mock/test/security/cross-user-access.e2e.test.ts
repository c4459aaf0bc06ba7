/**
 * Another user's valid token (SPEC "HTTP API (v1)"; dedup is per account/namespace): Bob against
 * Ann's namespace, files, revisions, blocks, upload session, shares and devices → 403 where the
 * request names Ann's namespace, 404 where it names a path or id Bob cannot see (Ann's tree and
 * devices are invisible to him), 412 when he commits Ann's block ids. Each refusal leaves the
 * data dir unchanged (store snapshot), and nothing of Ann's leaks through dedup checks, device
 * lists, activity or cursors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBlock, hashBlock } from 'sync-engine/blocks';
import type { Rev } from 'sync-engine/protocol';
import { takeStoreSnapshot } from '../store-snapshot.js';
import {
  commitContent,
  encodeContent,
  utf8,
  type TestBlock,
  startResumableUpload,
} from '../test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import { startTestServer, type TestClient, type TestServer } from '../test-server.js';
import { bearer, sendCall, type EndpointCall } from './endpoint-call.js';

const SECRET = seededBytes('random', 7, 50_000);

let server: TestServer;
let ann: TestClient;
let bob: TestClient;
let secretRev: Rev;
let secretFileId: string;
let secretBlocks: TestBlock[];
let bobRev: Rev;
let sessionPath: string;
let annShareId: string;
let annCursor: string;

beforeAll(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
  bob = await server.createUser('bob');
  const committed = await commitContent(ann, '/Private/secret.txt', SECRET);
  expect(committed.status).toBe(200);
  secretRev = committed.file.rev as Rev;
  secretFileId = committed.file.fileId;
  secretBlocks = await encodeContent(SECRET, await ann.keyOf());
  const bobs = await commitContent(bob, '/bob.txt', utf8('bob owns this'));
  expect(bobs.status).toBe(200);
  bobRev = bobs.file.rev as Rev;
  sessionPath = await startResumableUpload(ann, { path: '/big.bin', totalBytes: 10 });
  // An announced upload with its block list (streaming sync), not committed.
  const announced = await ann.json('POST', '/files/announce', {
    path: '/Private/coming.bin',
    size: secretBlocks[0]!.size,
    modified: 1,
    blocks: [{ id: secretBlocks[0]!.id, size: secretBlocks[0]!.size }],
  });
  expect(announced.status).toBe(200);
  // A share of another folder, so that /Private stays in Ann's root namespace.
  const cat = await server.createUser('cat');
  expect((await ann.json('POST', '/files/mkdir', { path: '/Shared' })).status).toBe(200);
  const shared = await ann.json('POST', '/shares', {
    path: '/Shared',
    email: cat.email,
    role: 'viewer',
  });
  expect(shared.status).toBe(200);
  annShareId = (shared.body as { id: string }).id;
  annCursor = ((await ann.json('GET', '/changes/latest_cursor')).body as { cursor: string }).cursor;
});
afterAll(async () => server?.close());

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
    name: "download Ann's folder as a zip by its path",
    call: () => ({ method: 'GET', path: '/files/download_zip?path=/Private' }),
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
    name: "read the block list of Ann's announced upload by its path",
    call: () => ({ method: 'GET', path: '/files/announced_blocks?path=/Private/coming.bin' }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "wait for a block of Ann's namespace (refused before any wait)",
    call: () => ({
      method: 'GET',
      path: `/blocks/${annNs()}/${'b'.repeat(64)}?waitMs=30000`,
    }),
    status: 403,
    code: 'forbidden',
  },
  {
    name: "list the blocks of Ann's file by its path",
    call: () => ({ method: 'GET', path: '/files/blocks?path=/Private/secret.txt' }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "list the blocks of Ann's revision through Bob's own file",
    call: () => ({ method: 'GET', path: `/files/blocks?path=/bob.txt&rev=${secretRev}` }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "list the blocks of Ann's revision at her file's path (empty in Bob's tree)",
    call: () => ({
      method: 'GET',
      path: `/files/blocks?path=/Private/secret.txt&rev=${secretRev}`,
    }),
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
    name: "download Ann's revision at her file's path (empty in Bob's tree)",
    call: () => ({
      method: 'GET',
      path: `/files/download?path=/Private/secret.txt&rev=${secretRev}`,
    }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "list the revisions of Ann's file by its fileId, at Bob's own path",
    call: () => ({
      method: 'GET',
      path: `/files/list_revisions?path=/bob.txt&fileId=${secretFileId}`,
    }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "restore Ann's revision at her file's path (empty in Bob's tree)",
    call: () => ({
      method: 'POST',
      path: '/files/restore',
      body: { json: { path: '/Private/secret.txt', rev: secretRev } },
    }),
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
    name: "delete Ann's file at its revision",
    call: () => ({
      method: 'POST',
      path: '/files/delete',
      body: { json: { path: '/Private/secret.txt', rev: secretRev } },
    }),
    status: 404,
    code: 'not_found',
  },
  {
    // Ann's positions say nothing of Bob's namespace: read as never seen, so it changed.
    name: "delete his own file 'unchanged since' Ann's cursor",
    call: () => ({
      method: 'POST',
      path: '/files/delete',
      body: { json: { path: '/bob.txt', unchangedSince: annCursor } },
    }),
    status: 409,
    code: 'path_changed',
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
    name: "sign out Ann's device",
    call: () => ({ method: 'DELETE', path: `/devices/${ann.deviceId}` }),
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

  it("sees none of Ann's devices, shares, activity or journal", async () => {
    const devices = await bob.json('GET', '/devices');
    expect((devices.body as { devices: { id: string }[] }).devices.map((d) => d.id)).toEqual([
      bob.deviceId,
    ]);
    expect((await ann.json('GET', '/account')).status).toBe(200);
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
