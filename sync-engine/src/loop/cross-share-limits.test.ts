/**
 * What a move across a share's boundary cannot do (issue 9; docs/sync-engine.md "Into or out of
 * a share"): shares do not nest, so a shared folder (or a folder holding one) moved into another
 * share is moved back, reported, and nothing is copied or deleted; a viewer's share takes no
 * folder and gives none up; and the deletes that finish a copy across the boundary are not held
 * by the mass-delete guard, which still holds a mass delete made here. Real server in-process:
 * Ann owns /team, shared with Bob; Carol shares /club with Ann.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { problemsOf } from '../engine-status.js';
import type { MassDeletePolicy } from '../plan/index.js';
import { RemoteError, type RemoteClient } from '../remote/index.js';
import { useTempDir } from '../testkit/index.js';
import { type RemoteTestServer, type TestDevice } from '../testkit/remote-test-server.js';
import type { FolderSyncOptions, SyncOutcome } from './folder-sync.js';
import { RoundStopped } from './folder-sync.js';
import { startShareBed, type ShareBed } from './share-bed.fixture.js';
import { createSyncDevice, readTree, type SyncDevice } from './sync-devices.fixture.js';

const tempDir = useTempDir('ferry-cross-share-limits-');
let server: RemoteTestServer | undefined;
const devices: SyncDevice[] = [];
afterEach(async () => {
  for (const device of devices.splice(0)) device.close();
  await server?.close();
  server = undefined;
});

const signal = () => AbortSignal.timeout(10_000);

type Bed = ShareBed;

/** Ann's /team (plan.txt) shared with Bob as `role`, `files` in Ann's root ('/': a folder). */
async function teamBed(
  files: Record<string, string>,
  role: 'editor' | 'viewer' = 'editor',
  optionsA: Partial<FolderSyncOptions> = {},
): Promise<Bed> {
  const bed = await startShareBed(tempDir(), files, { role, optionsA });
  server = bed.server;
  devices.push(bed.a, bed.b);
  return bed;
}

/** Carol's /club (rules.txt) shared with Ann as editor, mounted in Ann's root at /club. */
async function clubForAnn(bed: Bed): Promise<void> {
  const carol = await server!.createUser('carol');
  const c = await createSyncDevice(server!, carol, bed.dir, 'C');
  devices.push(c);
  await mkdir(path.join(c.folder, 'club'));
  await writeFile(path.join(c.folder, 'club', 'rules.txt'), 'the rules');
  expect((await c.syncOnce()).agreed).toBe(true);
  await carol.client.createShare({ path: '/club', email: bed.ann.email, role: 'editor' }, signal());
  expect((await bed.a.syncOnce()).agreed).toBe(true);
  expect(await readTree(path.join(bed.a.folder, 'club'))).toEqual({ '/rules.txt': 'the rules' });
}

/** What a user's whole tree on the server holds (their root and the shares mounted in it). */
async function serverPaths(user: TestDevice): Promise<string[]> {
  const entries = await user.client.listFolder({ path: '/', recursive: true }, signal());
  return entries.map((entry) => entry.path).sort();
}

/** The problems `ferry status` shows for the round (engine-status.ts). */
const problemPaths = (outcome: SyncOutcome, code: string) =>
  problemsOf(outcome, 0)
    .filter((problem) => problem.code === code)
    .map((problem) => `${problem.path} ${problem.message}`)
    .sort();

/** A client whose deletes fail (the connection drops) while `fail.count` is above 0. */
function failingDeletes(client: RemoteClient, fail: { count: number }): RemoteClient {
  return {
    ...client,
    deletePath: async (request, deleteSignal) => {
      if (fail.count > 0) {
        fail.count -= 1;
        throw new RemoteError('network_error', 'the connection dropped (injected)');
      }
      return client.deletePath(request, deleteSignal);
    },
  };
}

describe('a shared folder moved into another share', () => {
  it('is moved back and reported: the server keeps it where it was, nothing retried', async () => {
    const bed = await teamBed({});
    await clubForAnn(bed);
    const before = await serverPaths(bed.ann);
    const tree = await readTree(bed.a.folder);
    await rename(path.join(bed.a.folder, 'club'), path.join(bed.a.folder, 'team', 'club'));
    const outcome = await bed.a.syncOnce();
    expect(outcome.failures).toEqual([]);
    expect(outcome.agreed).toBe(true);
    expect(await readTree(bed.a.folder)).toEqual(tree);
    expect(await serverPaths(bed.ann)).toEqual(before);
    expect(problemPaths(outcome, 'move_undone')).toEqual([
      '/club /team/club was moved back to /club: a shared folder cannot be put inside another shared folder',
    ]);
    // Settled: the next round has nothing to do, and still says why the move was undone.
    const next = await bed.a.syncOnce();
    expect(next.plan.operations).toEqual([]);
    expect(problemPaths(next, 'move_undone')).toHaveLength(1);
  });

  it('inside a folder moved into a share: the whole folder goes back, nothing copied', async () => {
    const bed = await teamBed({ '/projects/notes.txt': 'notes', '/projects/sub/a.txt': 'alpha' });
    await clubForAnn(bed);
    // A share's mount point may move within our own folders: into /projects.
    await rename(path.join(bed.a.folder, 'club'), path.join(bed.a.folder, 'projects', 'club'));
    expect((await bed.a.syncOnce()).agreed).toBe(true);
    const before = await serverPaths(bed.ann);
    expect(before).toContain('/projects/club/rules.txt');
    const tree = await readTree(bed.a.folder);

    await rename(path.join(bed.a.folder, 'projects'), path.join(bed.a.folder, 'team', 'projects'));
    const outcome = await bed.a.syncOnce();
    expect(outcome.failures).toEqual([]);
    expect(outcome.agreed).toBe(true);
    expect(await readTree(bed.a.folder)).toEqual(tree);
    expect(await serverPaths(bed.ann)).toEqual(before);
    expect(problemPaths(outcome, 'move_undone')).toEqual([
      '/projects /team/projects was moved back to /projects: it holds a shared folder (/team/projects/club), which cannot be put inside another shared folder',
    ]);
    expect((await bed.b.syncOnce()).agreed).toBe(true);
    expect(await readTree(bed.b.folder)).toEqual({ '/team': '/', '/team/plan.txt': 'the plan' });
    expect([...bed.a.conflicts, ...bed.b.conflicts]).toEqual([]);
  });
});

describe('a folder moved into or out of a share where we are viewer', () => {
  it('goes back with all it holds, reported; nothing uploaded, nothing lost', async () => {
    const bed = await teamBed({ '/team/sub/s.txt': 'in the share' }, 'viewer');
    const at = (file: string) => path.join(bed.b.folder, file);
    await mkdir(at('docs/deep'), { recursive: true });
    await writeFile(at('docs/d.txt'), 'Bob’s doc');
    await writeFile(at('docs/deep/e.txt'), 'Bob’s deep doc');
    expect((await bed.b.syncOnce()).agreed).toBe(true);
    const bob = await serverPaths(bed.bob);
    const tree = await readTree(bed.b.folder);

    await rename(at('docs'), at('team/docs'));
    await rename(at('team/sub'), at('sub'));
    const outcome = await bed.b.syncOnce();
    expect(outcome.failures).toEqual([]);
    expect(outcome.agreed).toBe(true);
    expect(await readTree(bed.b.folder)).toEqual(tree);
    expect(await serverPaths(bed.bob)).toEqual(bob);
    expect(problemPaths(outcome, 'move_undone')).toEqual([
      '/docs /team/docs was moved back to /docs: a folder shared with you as viewer cannot take it',
      '/team/sub /sub was moved back to /team/sub: it is in a folder shared with you as viewer',
    ]);
    expect((await bed.a.syncOnce()).agreed).toBe(true);
    expect(await readTree(path.join(bed.a.folder, 'team'))).toEqual({
      '/plan.txt': 'the plan',
      '/sub': '/',
      '/sub/s.txt': 'in the share',
    });
  });
});

describe('the mass-delete guard and moves across a share', () => {
  // A small threshold stands for 1,000 files: more than 5 files, or more than half of 4 or more.
  const policy: MassDeletePolicy = { maxFiles: 5, maxFraction: 0.5, fractionFloorFiles: 4 };
  const files = Object.fromEntries(
    Array.from({ length: 8 }, (_, n) => [`/docs/f${n}.txt`, `file ${n}`]),
  );

  it('lets the deletes of the old copies go, after a restart too; holds a delete made here', async () => {
    const fail = { count: 0 };
    const bed = await teamBed(files, 'editor', { massDelete: policy });
    devices.splice(devices.indexOf(bed.a), 1);
    bed.a.close();
    const a = await createSyncDevice(server!, bed.ann, bed.dir, 'A', {
      massDelete: policy,
      remote: failingDeletes(bed.ann.client, fail),
    });
    devices.push(a);
    await rename(path.join(a.folder, 'docs'), path.join(a.folder, 'team', 'docs'));
    // The copies are made, the old copies' deletes fail; then the laptop restarts.
    fail.count = 1_000;
    await expect(a.syncOnce()).rejects.toBeInstanceOf(RoundStopped);
    expect(await serverPaths(bed.ann)).toContain('/docs/f7.txt');
    expect(await serverPaths(bed.ann)).toContain('/team/docs/f7.txt');
    devices.splice(devices.indexOf(a), 1);
    a.close();

    const restarted = await createSyncDevice(server!, bed.ann, bed.dir, 'A', {
      massDelete: policy,
    });
    devices.push(restarted);
    const outcome = await restarted.syncOnce();
    expect(outcome.plan.heldDeletes).toEqual([]);
    expect(outcome.agreed).toBe(true);
    const moved = Object.fromEntries(
      Object.entries(files).map(([file, content]) => [`/team${file}`, content]),
    );
    const tree = { '/team': '/', '/team/plan.txt': 'the plan', '/team/docs': '/', ...moved };
    expect(await readTree(restarted.folder)).toEqual(tree);
    expect(await serverPaths(bed.ann)).toEqual(Object.keys(tree).sort());
    expect((await bed.b.syncOnce()).agreed).toBe(true);
    expect(await readTree(bed.b.folder)).toEqual(tree);

    // The same 8 files deleted here: held until confirmed.
    await rm(path.join(restarted.folder, 'team', 'docs'), { recursive: true });
    const held = await restarted.syncOnce();
    expect(held.agreed).toBe(false);
    expect(held.plan.heldDeleteFiles).toBe(8);
    expect(problemPaths(held, 'mass_delete_held')).toHaveLength(1);
    expect(await serverPaths(bed.ann)).toEqual(Object.keys(tree).sort());
  });
});
