import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTempDir } from '../testkit/index.js';
import {
  startRemoteTestServer,
  type RemoteTestServer,
  type TestDevice,
} from '../testkit/remote-test-server.js';
import {
  createSyncDevice,
  readTree,
  serverPaths,
  type SyncDevice,
} from './sync-devices.fixture.js';

const tempDir = useTempDir('ferry-ignored-paths-');
let server: RemoteTestServer;
let ann: TestDevice;
let a: SyncDevice;
let b: SyncDevice;

beforeEach(async () => {
  server = await startRemoteTestServer();
  ann = await server.createUser('ann', 'A');
  a = await createSyncDevice(server, ann, tempDir(), 'A');
  b = await createSyncDevice(server, await server.addDevice(ann, 'B'), tempDir(), 'B');
  await mkdir(path.join(a.folder, 'build'));
  await writeFile(path.join(a.folder, 'build', 'out.bin'), 'built once');
  await writeFile(path.join(a.folder, 'notes.txt'), 'notes');
  expect((await a.syncOnce()).agreed).toBe(true);
  expect((await b.syncOnce()).agreed).toBe(true);
});
afterEach(async () => {
  a.close();
  b.close();
  await server.close();
});

describe('a synced path that becomes ignored is left alone, never deleted', () => {
  it('ignoring a synced folder keeps it on disk, on the server and on the other device', async () => {
    await writeFile(path.join(a.folder, '.ferryignore'), 'build/\n');
    const outcome = await a.syncOnce();
    expect(outcome.agreed).toBe(true);
    expect(a.synced.filter((line) => line.startsWith('delete'))).toEqual([]);
    expect(await serverPaths(ann)).toEqual([
      '/.ferryignore',
      '/build',
      '/build/out.bin',
      '/notes.txt',
    ]);
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(await readFile(path.join(b.folder, 'build', 'out.bin'), 'utf8')).toBe('built once');
    expect(await readFile(path.join(a.folder, 'build', 'out.bin'), 'utf8')).toBe('built once');
  });

  it('an ignored path is neither uploaded nor downloaded, and un-ignoring takes it up again', async () => {
    await writeFile(path.join(a.folder, '.ferryignore'), 'build/\n');
    expect((await a.syncOnce()).agreed).toBe(true);
    // Edits on both sides while A ignores the folder: none crosses.
    await writeFile(path.join(a.folder, 'build', 'out.bin'), 'built on A');
    await writeFile(path.join(a.folder, 'build', 'local-only.bin'), 'A only');
    await writeFile(path.join(b.folder, 'build', 'from-b.bin'), 'B made this');
    expect((await b.syncOnce()).agreed).toBe(true);
    expect((await a.syncOnce()).agreed).toBe(true);
    expect(await readTree(a.folder)).toEqual({
      '/.ferryignore': 'build/\n',
      '/build': '/',
      '/build/local-only.bin': 'A only',
      '/build/out.bin': 'built on A',
      '/notes.txt': 'notes',
    });
    expect(await serverPaths(ann)).toEqual([
      '/.ferryignore',
      '/build',
      '/build/from-b.bin',
      '/build/out.bin',
      '/notes.txt',
    ]);
    // Un-ignored: A's edit goes up (B did not touch out.bin), B's new file comes down, A's
    // new file goes up; nothing is lost and nothing is in conflict.
    await rm(path.join(a.folder, '.ferryignore'));
    expect((await a.syncOnce()).agreed).toBe(true);
    expect((await b.syncOnce()).agreed).toBe(true);
    const expected = {
      '/build': '/',
      '/build/from-b.bin': 'B made this',
      '/build/local-only.bin': 'A only',
      '/build/out.bin': 'built on A',
      '/notes.txt': 'notes',
    };
    expect(await readTree(a.folder)).toEqual(expected);
    expect(await readTree(b.folder)).toEqual(expected);
    expect(a.conflicts).toEqual([]);
  });

  it('a file edited on both sides while ignored here comes back as a conflict, both kept', async () => {
    await writeFile(path.join(a.folder, '.ferryignore'), 'notes.txt\n');
    expect((await a.syncOnce()).agreed).toBe(true);
    await writeFile(path.join(a.folder, 'notes.txt'), 'notes from A');
    await writeFile(path.join(b.folder, 'notes.txt'), 'notes from B');
    expect((await b.syncOnce()).agreed).toBe(true);
    expect((await a.syncOnce()).agreed).toBe(true);
    expect(await readFile(path.join(a.folder, 'notes.txt'), 'utf8')).toBe('notes from A');
    await rm(path.join(a.folder, '.ferryignore'));
    expect((await a.syncOnce()).agreed).toBe(true);
    const contents = Object.values(await readTree(a.folder));
    expect(contents).toContain('notes from A');
    expect(contents).toContain('notes from B');
    expect(a.conflicts.length).toBe(1);
  });
});
