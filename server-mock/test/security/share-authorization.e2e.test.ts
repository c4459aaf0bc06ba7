/**
 * Authorization of shared folders (SPEC "Sharing": viewers cannot write, the server enforces;
 * the owner can revoke). Ann shares /Team with Cat as viewer and /Gone with Dan as editor, then
 * revokes /Gone while Dan holds its key, a block id and a half-done resumable upload into it.
 * Every write by the viewer and every access by the revoked editor is refused (403 in a
 * namespace, 404 for paths and shares they no longer see) and leaves the data dir unchanged.
 * Also: a cursor naming someone else's namespace reads nothing from it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBlock, hashBlock } from 'sync-engine/blocks';
import type { ChangesResponse, Rev, ShareMetadata } from 'sync-engine/protocol';
import { takeStoreSnapshot } from '../store-snapshot.js';
import {
  commitContent,
  encodeContent,
  putBlocks,
  utf8,
  startResumableUpload,
} from '../test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../test-server.js';
import { bearer, sendCall, type EndpointCall } from './endpoint-call.js';

let server: TestServer;
let ann: TestClient;
let cat: TestClient;
let dan: TestClient;
let team: ShareMetadata;
let gone: ShareMetadata;
let teamRev: Rev;
let goneRev: Rev;
let goneFileId: string;
let teamKey: Uint8Array;
let goneKey: Uint8Array;
let goneBlockIds: string[];
let danSession: string;
let catCursor: string;

async function share(path: string, email: string, role: 'viewer' | 'editor') {
  const res = await ann.json('POST', '/shares', { path, email, role });
  expect(res.status).toBe(200);
  return res.body as ShareMetadata;
}

beforeAll(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
  cat = await server.createUser('cat');
  dan = await server.createUser('dan');
  await server.createUser('eve');
  teamRev = (await commitContent(ann, '/Team/doc.txt', utf8('team doc'))).file.rev as Rev;
  const goneDoc = await commitContent(ann, '/Gone/doc.txt', utf8('gone doc'));
  goneRev = goneDoc.file.rev as Rev;
  goneFileId = goneDoc.file.fileId;
  team = await share('/Team', cat.email, 'viewer');
  gone = await share('/Gone', dan.email, 'editor');
  teamKey = await cat.keyOf(team.namespace);
  goneKey = await dan.keyOf(gone.namespace);
  const danBlocks = await encodeContent(utf8('dan was here'), goneKey);
  await putBlocks(dan, danBlocks, gone.namespace);
  goneBlockIds = danBlocks.map((b) => b.id);
  danSession = await startResumableUpload(dan, {
    path: '/Gone/late.bin',
    totalBytes: 10,
    firstPiece: utf8('0123'),
  });
  expect((await ann.json('DELETE', `/shares/${gone.id}`)).status).toBe(200);
  catCursor = ((await cat.json('GET', '/changes/latest_cursor')).body as { cursor: string }).cursor;
});
afterAll(async () => server?.close());

interface RefusalCase {
  readonly name: string;
  readonly call: () => EndpointCall;
  /** The status, or the statuses accepted when more than one is a correct refusal. */
  readonly status: number | readonly number[];
  readonly code: string | readonly string[];
}

function itRefusesAs(client: () => TestClient, cases: readonly RefusalCase[]) {
  it.each(cases)('$name → refused, nothing changes', async ({ call, status, code }) => {
    const request = call();
    const before = await takeStoreSnapshot(server.dataDir);
    const res = await sendCall(server.url, request, bearer(client().token));
    expect([status].flat()).toContain(res.status);
    expect(res.body).toMatchObject({ error: { message: expect.any(String) } });
    expect([code].flat()).toContain((res.body as { error: { code: string } }).error.code);
    expect(await takeStoreSnapshot(server.dataDir)).toEqual(before);
  });
}

const json = (method: string, path: string, body: unknown): EndpointCall => ({
  method,
  path,
  body: { json: body },
});
const bytes = (path: string, body: Uint8Array, headers = {}): EndpointCall => ({
  method: 'POST',
  path,
  body: { bytes: body },
  headers,
});

describe('a viewer of /Team', () => {
  it('can read the shared folder (the refusals below are about writing)', async () => {
    const res = await cat.fetch('/files/download?path=/Team/doc.txt');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('team doc');
    const blocks = await cat.json('GET', '/files/blocks?path=/Team/doc.txt');
    expect(blocks.status).toBe(200);
    expect(blocks.body).toMatchObject({ namespace: team.namespace, rev: teamRev, size: 8 });
  });

  const forbidden = (name: string, call: () => EndpointCall): RefusalCase => ({
    name,
    call,
    status: 403,
    code: 'forbidden',
  });
  itRefusesAs(
    () => cat,
    [
      forbidden('simple upload', () =>
        bytes('/files/upload?uploadType=media&path=/Team/x.txt', utf8('x')),
      ),
      forbidden('start a resumable upload', () =>
        bytes('/files/upload?uploadType=resumable&path=/Team/x.bin', new Uint8Array(0), {
          'x-upload-content-length': '5',
        }),
      ),
      forbidden('announce', () =>
        json('POST', '/files/announce', { path: '/Team/a.txt', size: 1, modified: 1 }),
      ),
      forbidden('mkdir', () => json('POST', '/files/mkdir', { path: '/Team/d' })),
      forbidden('delete', () => json('POST', '/files/delete', { path: '/Team/doc.txt' })),
      // A precondition that holds grants nothing: the role is checked first.
      forbidden('delete at the current revision', () =>
        json('POST', '/files/delete', { path: '/Team/doc.txt', rev: teamRev }),
      ),
      forbidden('delete unchanged since his cursor', () =>
        json('POST', '/files/delete', { path: '/Team/doc.txt', unchangedSince: catCursor }),
      ),
      forbidden('rename inside', () =>
        json('POST', '/files/move', { from: '/Team/doc.txt', to: '/Team/r.txt' }),
      ),
      forbidden('move a file out to his root', () =>
        json('POST', '/files/move', { from: '/Team/doc.txt', to: '/doc.txt' }),
      ),
      forbidden('commit', () =>
        json('POST', '/files/commit', { path: '/Team/c.txt', blocks: [], size: 0, modified: 1 }),
      ),
      forbidden('restore', () =>
        json('POST', '/files/restore', { path: '/Team/doc.txt', rev: teamRev }),
      ),
      forbidden('PUT a valid block', () => {
        const plain = utf8('viewer block');
        return {
          method: 'PUT',
          path: `/blocks/${team.namespace}/${hashBlock(plain)}`,
          body: { bytes: encodeBlock(plain, teamKey) },
        };
      }),
      forbidden('promote himself to editor', () =>
        json('PATCH', `/shares/${team.id}`, { role: 'editor' }),
      ),
      forbidden('reshare the folder', () =>
        json('POST', '/shares', { path: '/Team', email: 'eve@test.example', role: 'viewer' }),
      ),
    ],
  );
});

describe('an editor whose share of /Gone was revoked', () => {
  const notFound = (name: string, call: () => EndpointCall): RefusalCase => ({
    name,
    call,
    status: 404,
    code: 'not_found',
  });
  const forbidden = (name: string, call: () => EndpointCall): RefusalCase => ({
    name,
    call,
    status: 403,
    code: 'forbidden',
  });
  itRefusesAs(
    () => dan,
    [
      notFound('download', () => ({ method: 'GET', path: '/files/download?path=/Gone/doc.txt' })),
      notFound('block list', () => ({ method: 'GET', path: '/files/blocks?path=/Gone/doc.txt' })),
      notFound('block list of the revision', () => ({
        method: 'GET',
        path: `/files/blocks?path=/Gone/doc.txt&rev=${goneRev}`,
      })),
      notFound('list', () => ({ method: 'GET', path: '/files/list?path=/Gone' })),
      notFound('list revisions', () => ({
        method: 'GET',
        path: '/files/list_revisions?path=/Gone/doc.txt',
      })),
      notFound('download the revision', () => ({
        method: 'GET',
        path: `/files/download?path=/Gone/doc.txt&rev=${goneRev}`,
      })),
      notFound('list revisions of the file by its id', () => ({
        method: 'GET',
        path: `/files/list_revisions?path=/Gone/doc.txt&fileId=${goneFileId}`,
      })),
      notFound('restore', () =>
        json('POST', '/files/restore', { path: '/Gone/doc.txt', rev: goneRev }),
      ),
      notFound('delete at the revision he saw', () =>
        json('POST', '/files/delete', { path: '/Gone/doc.txt', rev: goneRev }),
      ),
      forbidden('GET the key', () => ({ method: 'GET', path: `/keys/${gone.namespace}` })),
      forbidden('GET a block', () => ({
        method: 'GET',
        path: `/blocks/${gone.namespace}/${goneBlockIds[0]}`,
      })),
      forbidden('check blocks', () =>
        json('POST', '/blocks/check', { namespace: gone.namespace, hashes: goneBlockIds }),
      ),
      forbidden('PUT a new block with the key he kept', () => {
        const plain = utf8('after revocation');
        return {
          method: 'PUT',
          path: `/blocks/${gone.namespace}/${hashBlock(plain)}`,
          body: { bytes: encodeBlock(plain, goneKey) },
        };
      }),
      {
        name: "commit the share's blocks into his own root (dedup is per namespace)",
        call: () =>
          json('POST', '/files/commit', {
            path: '/Gone/doc.txt',
            blocks: goneBlockIds,
            size: 12,
            modified: 1,
          }),
        status: 412,
        code: 'missing_blocks',
      },
      notFound('change the role', () => json('PATCH', `/shares/${gone.id}`, { role: 'viewer' })),
      notFound('delete the share', () => ({ method: 'DELETE', path: `/shares/${gone.id}` })),
      {
        name: 'finish the resumable upload he started into the share',
        call: () => ({
          method: 'PUT',
          path: danSession,
          headers: { 'content-range': 'bytes 4-9/10' },
          body: { bytes: utf8('456789') },
        }),
        status: [403, 404, 410],
        code: ['forbidden', 'not_found', 'upload_expired'],
      },
    ],
  );
});

describe('an editor demoted to viewer of /Desk', () => {
  let deskSession: string;
  beforeAll(async () => {
    await ann.json('POST', '/files/mkdir', { path: '/Desk' });
    const desk = await share('/Desk', dan.email, 'editor');
    deskSession = await startResumableUpload(dan, {
      path: '/Desk/late.bin',
      totalBytes: 10,
      firstPiece: utf8('0123'),
    });
    expect((await ann.json('PATCH', `/shares/${desk.id}`, { role: 'viewer' })).status).toBe(200);
  });

  itRefusesAs(
    () => dan,
    [
      {
        name: 'finish the resumable upload he started as an editor',
        call: () => ({
          method: 'PUT',
          path: deskSession,
          headers: { 'content-range': 'bytes 4-9/10' },
          body: { bytes: utf8('456789') },
        }),
        status: 403,
        code: 'forbidden',
      },
    ],
  );
});

describe('journal isolation', () => {
  it("reads nothing of a namespace named in a forged cursor, nor of a revoked share's later writes", async () => {
    const latest = (await dan.json('GET', '/changes/latest_cursor')).body as { cursor: string };
    // Its last share revoked, /Gone went back into Ann's root (its old namespace is empty);
    // /Team is still a namespace of its own, shared with Cat only.
    const written = await commitContent(ann, '/Gone/after.txt', utf8('after'));
    expect(written.status).toBe(200);
    const forged = Buffer.from(
      JSON.stringify({
        v: 1,
        n: { [gone.namespace]: 0, [ann.rootNamespace]: 0, [team.namespace]: 0 },
      }),
    ).toString('base64url');
    for (const cursor of [latest.cursor, forged]) {
      const res = await dan.json('GET', `/changes?cursor=${cursor}`);
      expect(res.status).toBe(200);
      const paths = (res.body as ChangesResponse).entries.map((e) => e.path);
      expect(paths.filter((p) => p.includes('doc.txt') || p.includes('after.txt'))).toEqual([]);
    }
    const activity = await dan.json('GET', '/activity?cursor=0');
    expect(activity.status).toBe(200);
    expect(JSON.stringify(activity.body)).not.toContain('after.txt');
  });
});
