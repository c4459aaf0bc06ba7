/**
 * Every tree write re-checks the caller's access inside its own transaction (issue 7, items 1
 * and 7): mkdir, delete, move, announce and restore, each held at the metadata store by a gate
 * (a wrapper around the real store that only pauses) while the folder is shared, or while the
 * owner revokes the editor's share. A write whose path now resolves to another namespace answers
 * 409 namespace_changed naming it and changes nothing (sent again, it lands there); one whose
 * caller lost write access answers 403 forbidden and changes nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ListResponse, Rev, ShareMetadata } from 'sync-engine/protocol';
import type { MetadataStore } from '../metadata/metadata-store.js';
import { openSqliteMetadataStore } from '../metadata/sqlite/sqlite-metadata-store.js';
import { createGate, type Gate } from '../../test/held-body.js';
import { commitContent, utf8 } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

type GatedMethod = 'createFolder' | 'deleteEntry' | 'moveEntry' | 'announceFile' | 'commitFile';

let server: TestServer | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

/** A server whose metadata store stops at the next call of an armed method. */
async function startGatedServer() {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ferry-guarded-'));
  const real = openSqliteMetadataStore(path.join(dataDir, 'metadata.db'));
  const armed = new Map<GatedMethod, Gate>();
  const store: MetadataStore = { ...real };
  const methods: GatedMethod[] = [
    'createFolder',
    'deleteEntry',
    'moveEntry',
    'announceFile',
    'commitFile',
  ];
  for (const name of methods) {
    const method = real[name] as (...args: unknown[]) => Promise<unknown>;
    (store as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const gate = armed.get(name);
      armed.delete(name);
      await gate?.pass();
      return method.apply(real, args);
    };
  }
  server = await startTestServer({ dataDir, components: { store } });
  return {
    server,
    arm(name: GatedMethod): Gate {
      const gate = createGate();
      armed.set(name, gate);
      return gate;
    },
  };
}

interface WriteCase {
  readonly name: string;
  readonly method: GatedMethod;
  /** The request, on paths below `folder` (the folder that is shared or revoked). */
  readonly send: (client: TestClient, folder: string, firstRev: Rev) => Promise<{ status: number }>;
}

const CASES: readonly WriteCase[] = [
  {
    name: 'mkdir',
    method: 'createFolder',
    send: (c, f) => c.json('POST', '/files/mkdir', { path: `${f}/new` }),
  },
  {
    name: 'delete',
    method: 'deleteEntry',
    send: (c, f) => c.json('POST', '/files/delete', { path: `${f}/a.txt` }),
  },
  {
    name: 'move',
    method: 'moveEntry',
    send: (c, f) => c.json('POST', '/files/move', { from: `${f}/a.txt`, to: `${f}/b.txt` }),
  },
  {
    name: 'announce',
    method: 'announceFile',
    send: (c, f) => c.json('POST', '/files/announce', { path: `${f}/c.bin`, size: 5, modified: 1 }),
  },
  {
    name: 'restore',
    method: 'commitFile',
    send: (c, f, rev) => c.json('POST', '/files/restore', { path: `${f}/a.txt`, rev }),
  },
];

async function listing(client: TestClient, folder: string): Promise<unknown> {
  const res = await client.json('GET', `/files/list?path=${encodeURIComponent(folder)}`);
  return (res.body as ListResponse).entries.map((e) => ({ ...e }));
}

/** Ann's folder with a file that has two revisions; returns the first one. */
async function seedFolder(ann: TestClient, folder: string): Promise<Rev> {
  const first = await commitContent(ann, `${folder}/a.txt`, utf8('first'));
  await commitContent(ann, `${folder}/a.txt`, utf8('second'), { parentRev: first.file.rev });
  return first.file.rev;
}

describe('a write held across the first share of its folder', () => {
  it.each(CASES)('$name answers 409 namespace_changed and changes nothing', async (write) => {
    const { server: s, arm } = await startGatedServer();
    const ann = await s.createUser('ann');
    const bob = await s.createUser('bob');
    const firstRev = await seedFolder(ann, '/rs');
    const gate = arm(write.method);
    const answer = write.send(ann, '/rs', firstRev);
    await gate.reached;
    const shared = await ann.json('POST', '/shares', {
      path: '/rs',
      email: bob.email,
      role: 'editor',
    });
    expect(shared.status).toBe(200);
    const namespace = (shared.body as ShareMetadata).namespace;
    const before = await listing(ann, '/rs');
    gate.open();
    const res = await answer;
    expect(res.status).toBe(409);
    expect(res).toMatchObject({ body: { error: { code: 'namespace_changed', namespace } } });
    expect(await listing(ann, '/rs')).toEqual(before);
    // Sent again, it resolves to the shared folder and lands there, for both of them.
    expect((await write.send(ann, '/rs', firstRev)).status).toBe(200);
    expect(await listing(bob, '/rs')).toEqual(await listing(ann, '/rs'));
    expect(await listing(ann, '/rs')).not.toEqual(before);
  });
});

/**
 * Ann shares /team with Bob as editor; `writer`'s write is held at the store while Ann revokes
 * the (last) share, which turns /team back into a plain folder of Ann's root. Returns the
 * answer once released, and Ann's listing right after the revoke.
 */
async function holdAcrossRevoke(write: WriteCase, writer: 'ann' | 'bob') {
  const { server: s, arm } = await startGatedServer();
  const ann = await s.createUser('ann');
  const bob = await s.createUser('bob');
  const firstRev = await seedFolder(ann, '/team');
  const shared = await ann.json('POST', '/shares', {
    path: '/team',
    email: bob.email,
    role: 'editor',
  });
  expect(shared.status).toBe(200);
  const gate = arm(write.method);
  const answer = write.send(writer === 'ann' ? ann : bob, '/team', firstRev);
  await gate.reached;
  const revoked = await ann.json('DELETE', `/shares/${(shared.body as ShareMetadata).id}`);
  expect(revoked.status).toBe(200);
  // The namespaces of /team's entries changed with the revoke; the held write must change
  // nothing after that.
  const before = await listing(ann, '/team');
  expect(before).not.toEqual([]);
  gate.open();
  return { ann, bob, firstRev, before, res: await answer };
}

describe("an editor's write held across the revoke of their share", () => {
  it.each(CASES)('$name answers 403 forbidden and changes nothing', async (write) => {
    const { ann, bob, before, res } = await holdAcrossRevoke(write, 'bob');
    expect(res).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await listing(ann, '/team')).toEqual(before);
    // Nothing appeared in Bob's own root either.
    expect(await listing(bob, '/')).toEqual([]);
  });
});

describe("the owner's write held across the last revoke (the folder goes back to the root)", () => {
  it.each(CASES)('$name answers 409 namespace_changed and changes nothing', async (write) => {
    const { ann, firstRev, before, res } = await holdAcrossRevoke(write, 'ann');
    expect(res).toMatchObject({
      status: 409,
      body: { error: { code: 'namespace_changed', namespace: ann.rootNamespace } },
    });
    expect(await listing(ann, '/team')).toEqual(before);
    // Sent again, it lands in the plain folder.
    expect((await write.send(ann, '/team', firstRev)).status).toBe(200);
  });
});

describe('a delete held while a folder inside it becomes shared', () => {
  it('answers 409 path_conflict and keeps the share mounted for its owner', async () => {
    const { server: s, arm } = await startGatedServer();
    const ann = await s.createUser('ann');
    const bob = await s.createUser('bob');
    await commitContent(ann, '/A/P/x.txt', utf8('kept'));
    const gate = arm('deleteEntry');
    const answer = ann.json('POST', '/files/delete', { path: '/A' });
    await gate.reached;
    const shared = await ann.json('POST', '/shares', {
      path: '/A/P',
      email: bob.email,
      role: 'viewer',
    });
    expect(shared.status).toBe(200);
    gate.open();
    expect(await answer).toMatchObject({
      status: 409,
      body: {
        error: { code: 'path_conflict', message: '/A/P is a shared folder: unshare it first' },
      },
    });
    const annCopy = await ann.fetch('/files/download?path=/A/P/x.txt');
    expect(await annCopy.text()).toBe('kept');
    const bobCopy = await bob.fetch('/files/download?path=/P/x.txt');
    expect(await bobCopy.text()).toBe('kept');
  });
});
