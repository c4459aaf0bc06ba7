/**
 * The mass-delete guard through the CLI: deleting more than half of a synced tree of 30 files
 * in one go makes `ferry sync --once` hold the deletions (exit 1, a message saying so and how to
 * go on) and delete nothing on the server, so the other device keeps every file; `ferry sync
 * --once --allow-mass-delete` then deletes them, and the other device follows.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eBed, type E2eBed, type E2eDevice } from './e2e-bed.fixture.js';
import {
  expectSameTrees,
  fileEntry,
  snapshotTree,
  type TreeSnapshot,
} from './tree-snapshot.fixture.js';

let bed: E2eBed;
let a: E2eDevice;
let b: E2eDevice;
const FILES = 30;
const DELETED = 20;
const full: TreeSnapshot = { '/batch': 'folder' };

beforeAll(async () => {
  bed = await startE2eBed();
  a = bed.device('A');
  b = bed.device('B');
  await a.signup('mo@e2e.example', 'Mo');
  await b.login('mo@e2e.example');
  await mkdir(a.at('/batch'), { recursive: true });
  for (let index = 0; index < FILES; index += 1) {
    await writeFile(a.at(`/batch/file-${index}.txt`), `file ${index}\n`);
    full[`/batch/file-${index}.txt`] = fileEntry(`file ${index}\n`);
  }
  await a.syncOnce();
  await b.syncOnce();
  await expectSameTrees([a, b]);
});
afterAll(async () => {
  await bed?.close();
});

describe('deleting more than half of 30 synced files at once', () => {
  const rest: TreeSnapshot = { '/batch': 'folder' };

  it('is held: ferry sync --once exits 1, says why, and deletes nothing on the server', async () => {
    for (let index = 0; index < FILES; index += 1) {
      if (index < DELETED) await rm(a.at(`/batch/file-${index}.txt`));
      else rest[`/batch/file-${index}.txt`] = full[`/batch/file-${index}.txt`]!;
    }
    const held = await a.trySyncOnce();
    expect(held.code).toBe(1);
    expect(held.stderr).toContain(
      `${DELETED} deletions are held: run again with --allow-mass-delete to delete them on the server`,
    );
    // Held, again, until the user says so.
    expect((await a.trySyncOnce()).code).toBe(1);
    expect(await snapshotTree(a.folder)).toEqual(rest);
    // The other device still has every file after syncing.
    await b.syncOnce();
    expect(await snapshotTree(b.folder)).toEqual(full);
    expect(await bed.readOnServer(b, '/batch/file-0.txt')).toBe('file 0\n');
  });

  it('goes ahead with --allow-mass-delete, and the other device follows', async () => {
    const allowed = await a.syncOnce(['--allow-mass-delete']);
    expect(allowed.stdout).toContain('deleted on the server /batch/file-0.txt');
    await b.syncOnce();
    expect(await snapshotTree(b.folder)).toEqual(rest);
    expect(await expectSameTrees([a, b])).toEqual(rest);
  });
});
