/**
 * Kill tests, server side (issue 9): two long-running `ferry sync --json` devices while the
 * server is SIGKILLed twice, once while A uploads a big file and once while B downloads it, and
 * each time started again on the same port and data folder. Both engines must say they are
 * offline, recover without being restarted, and converge; no partial file may show at a real
 * path, and no conflicted copy may appear.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIB, readTree, seededBytes, sha256, tempFiles, waitUntil } from './folder-tree.fixture.js';
import { serverTree, startKillBed, type KillBed } from './kill-bed.fixture.js';
import type { ServerCounters } from './server-child.fixture.js';
import { startSyncChild, type SyncChild } from './sync-child.fixture.js';

const FILE = '/movie.bin';

let bed: KillBed;
const children: SyncChild[] = [];
beforeAll(async () => {
  bed = await startKillBed();
});
afterAll(async () => {
  for (const child of children) child.kill();
  await bed?.close();
});

/** Waits until every child printed at least `count` `offline` state events. */
async function waitUntilOffline(devices: readonly SyncChild[], count: number): Promise<void> {
  await waitUntil(() => devices.every((child) => child.countState('offline') >= count), {
    what: `both devices reported offline (${count})`,
  });
}

/** Polls the server's counters until `accept` takes one; returns it. */
async function waitForCounters(accept: (counters: ServerCounters) => boolean, what: string) {
  let seen: ServerCounters | undefined;
  await waitUntil(
    async () => {
      const counters = await bed.server.counters();
      if (accept(counters)) seen = counters;
      return seen !== undefined;
    },
    { what, intervalMs: 10, timeoutMs: 60_000 },
  );
  return seen!;
}

describe('the server SIGKILLed during sync', () => {
  it('while A uploads and while B downloads: both go offline, recover by themselves and converge', async () => {
    const { a, b } = await bed.newAccount('server-kill');
    // ~13 blocks in two batches: the first kill lands between blocks, well before the commit.
    const content = seededBytes('server-kill movie', 64 * MIB);
    await writeFile(path.join(a.folder, FILE), content);
    const expected = { [FILE]: sha256(content) };
    const syncA = startSyncChild(a);
    const syncB = startSyncChild(b);
    children.push(syncA, syncB);

    // Kill 1: A has stored its first blocks and not committed.
    const atFirstKill = await waitForCounters(
      (counters) => counters.blocksStored > 0,
      'A stored a first block',
    );
    expect(atFirstKill.commits).toBe(0);
    expect(await bed.killServer()).toBe('SIGKILL');
    await waitUntilOffline([syncA, syncB], 1);
    expect(await readTree(b.folder)).toEqual({});
    await bed.restartServer();

    // A finishes its upload by itself, sending only the blocks the server lacks.
    const afterUpload = await waitForCounters(
      (counters) => counters.commits > 0,
      'A committed after the restart',
    );
    expect(afterUpload.blockPuts).toBe(afterUpload.blocksStored);
    expect(afterUpload.blocksStored).toBeGreaterThan(0);

    // Kill 2: B's download is under way in .ferry/tmp.
    await waitUntil(async () => (await tempFiles(b.folder)).length > 0, {
      what: "B's download started",
      intervalMs: 5,
      timeoutMs: 60_000,
    });
    expect(await bed.killServer()).toBe('SIGKILL');
    await waitUntilOffline([syncA, syncB], 2);
    expect(await readTree(b.folder)).toBeOneOf([{}, expected]);
    await bed.restartServer();

    await waitUntil(
      () => syncB.events().some((event) => event.type === 'synced' && event.path === FILE),
      { what: 'B downloaded the file', timeoutMs: 60_000 },
    );
    expect(await readTree(b.folder)).toEqual(expected);
    expect(await readTree(a.folder)).toEqual(expected);
    expect(await serverTree(a)).toEqual(expected);
    expect(await tempFiles(b.folder)).toEqual([]);
    expect(syncA.hasExited() || syncB.hasExited()).toBe(false);

    for (const child of [syncA, syncB]) {
      const run = await child.stop();
      expect(run.code).toBe(0);
      const failures = run.events.filter(
        (event) => event.type === 'conflict' || event.type === 'error',
      );
      expect(failures).toEqual([]);
    }
  });
});
