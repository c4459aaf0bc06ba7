/**
 * Kill tests, an edit across a crash (issue 9: "no lost edit"): A edits a file, its upload is
 * SIGKILLed, A edits the file again, and syncs. The latest edit must be the file's content at its
 * path on the server and on B, with no conflicted copy (A is the only one who edited it), and
 * every committed version must stay in the history.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIB, overwriteAt, readTree, seededBytes, sha256 } from './folder-tree.fixture.js';
import { historyOf, serverTree, startKillBed, type KillBed } from './kill-bed.fixture.js';
import { expectInSync, expectKilled, storedBetween } from './kill-checks.fixture.js';
import { settledCounters } from './server-child.fixture.js';
import { runSyncOnce, type CrashPoint } from './sync-child.fixture.js';

const FILE = '/doc.bin';

let bed: KillBed;
beforeAll(async () => {
  bed = await startKillBed();
});
afterAll(async () => {
  await bed?.close();
});

const CASES: readonly { point: CrashPoint; firstEditCommitted: boolean }[] = [
  { point: 'upload:before-commit', firstEditCommitted: false },
  { point: 'upload:after-commit', firstEditCommitted: true },
];

describe('an edit made after a crashed upload', () => {
  for (const { point, firstEditCommitted } of CASES) {
    it(`${point}, then another edit: the latest edit wins everywhere, nothing is lost`, async () => {
      const { a, b } = await bed.newAccount(`edit-${point.replace(':', '-')}`);
      const file = path.join(a.folder, FILE);
      const first = seededBytes(`${point} doc`, 8 * MIB);
      await writeFile(file, first);
      expectInSync(await runSyncOnce(a));

      // Edit 1 (in place, a few KiB in the middle), then the upload is killed.
      await overwriteAt(file, 4 * MIB, seededBytes(`${point} edit 1`, 4096));
      const edit1 = (await readTree(a.folder))[FILE]!;
      expectKilled(await runSyncOnce(a, { crashAt: point }), `FERRY_TEST_CRASH_AT=${point}`);
      const afterKill = await settledCounters(bed.server);
      expect(await serverTree(a)).toEqual({ [FILE]: firstEditCommitted ? edit1 : sha256(first) });

      // Edit 2, elsewhere in the file, before the next run.
      await overwriteAt(file, 1 * MIB, seededBytes(`${point} edit 2`, 4096));
      const latest = await readTree(a.folder);
      expectInSync(await runSyncOnce(a));
      const second = storedBetween(afterKill, await bed.server.counters());
      expect(second.puts).toBe(second.stored);

      expect(await readTree(a.folder)).toEqual(latest);
      expect(await serverTree(a)).toEqual(latest);
      const committed = firstEditCommitted ? [edit1, sha256(first)] : [sha256(first)];
      expect(await historyOf(a, FILE)).toEqual([latest[FILE], ...committed]);
      expectInSync(await runSyncOnce(b));
      expect(await readTree(b.folder)).toEqual(latest);
    });
  }
});
