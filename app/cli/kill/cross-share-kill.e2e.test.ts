/**
 * Kill tests, moves into a shared folder (issue 9): the server cannot move a file into a share,
 * so `ferry sync` copies it there and then deletes the old copy. Device A's `ferry sync --once`
 * is SIGKILLed at the scripted points around the copy's commit; the next run must finish the
 * job (the copy recorded as ours, not as a conflict; the old copy deleted), without committing a
 * copy twice or re-sending a block the server already had, and the share's other member must end
 * up with the same bytes.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asDevice } from '../cli-harness.fixture.js';
import { MIB, readTree, seededBytes, type Tree } from './folder-tree.fixture.js';
import { historyOf, serverTree, startKillBed, type KillBed } from './kill-bed.fixture.js';
import { expectInSync, expectKilled, storedBetween } from './kill-checks.fixture.js';
import { settledCounters } from './server-child.fixture.js';
import { runSyncOnce, type CrashPoint } from './sync-child.fixture.js';

let bed: KillBed;
beforeAll(async () => {
  bed = await startKillBed();
});
afterAll(async () => {
  await bed?.close();
});

/** The part of a tree under `/team`. */
const teamOf = (tree: Tree): Tree =>
  Object.fromEntries(Object.entries(tree).filter(([key]) => key.startsWith('/team/')));

const POINTS: readonly CrashPoint[] = ['upload:before-commit', 'upload:after-commit'];

describe('ferry sync SIGKILLed while it copies a file moved into a shared folder', () => {
  for (const point of POINTS) {
    it(`${point}: the next run finishes the copy and the delete, nothing twice`, async () => {
      const name = `xshare-${point.replace(':', '-')}`;
      const owner = await bed.newAccount(name);
      const member = await bed.newAccount(`${name}-member`);
      const at = (file: string) => path.join(owner.a.folder, file);
      await mkdir(at('team'));
      await writeFile(at('team/plan.txt'), 'the plan\n');
      // One file over the batch limit (its own upload), one small (a batch).
      await writeFile(at('big.bin'), seededBytes(`${name} big`, 12 * MIB));
      await writeFile(at('small.txt'), 'a small file\n');
      expectInSync(await runSyncOnce(owner.a));
      await asDevice(owner.a.home, (remote, signal) =>
        remote.createShare({ path: '/team', email: member.email, role: 'editor' }, signal),
      );
      expectInSync(await runSyncOnce(owner.a));

      await rename(at('big.bin'), at('team/big.bin'));
      await rename(at('small.txt'), at('team/small.txt'));
      const moved = await readTree(owner.a.folder);
      const start = await bed.server.counters();
      expectKilled(await runSyncOnce(owner.a, { crashAt: point }), `FERRY_TEST_CRASH_AT=${point}`);
      const afterKill = await settledCounters(bed.server);
      if (point === 'upload:after-commit') expect(afterKill.commits).toBeGreaterThan(start.commits);
      else expect(afterKill.commits).toBe(start.commits);
      // Nothing lost meanwhile: the old copies are still on the server.
      const killed = await serverTree(owner.a);
      expect(killed['/big.bin']).toBe(moved['/team/big.bin']);
      expect(killed['/small.txt']).toBe(moved['/team/small.txt']);

      expectInSync(await runSyncOnce(owner.a));
      expect(await readTree(owner.a.folder)).toEqual(moved);
      expect(await serverTree(owner.a)).toEqual(moved);
      const end = await bed.server.counters();
      const second = storedBetween(afterKill, end);
      expect(second.puts).toBe(second.stored);
      for (const file of ['/team/big.bin', '/team/small.txt']) {
        expect(await historyOf(owner.a, file)).toEqual([moved[file]]);
      }

      expectInSync(await runSyncOnce(member.a));
      expect(teamOf(await readTree(member.a.folder))).toEqual(teamOf(moved));
    });
  }
});
