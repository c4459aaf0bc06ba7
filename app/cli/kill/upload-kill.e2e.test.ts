/**
 * Kill tests, upload side (issue 9): device A's `ferry sync --once` is SIGKILLed at each scripted
 * point of an upload (FERRY_TEST_CRASH_AT) and once from outside between two blocks; the next
 * run must finish the job without re-sending a block the server already had, without a
 * conflicted copy of its own commit, and B must end up byte-identical. Nothing partial may show
 * at a real path, in either folder or on the server.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MIB,
  overwriteAt,
  readTree,
  seededBytes,
  tempFiles,
  waitUntil,
  type Tree,
} from './folder-tree.fixture.js';
import {
  blocksOf,
  encodedBytesOf,
  serverTree,
  startKillBed,
  type Account,
  type KillBed,
} from './kill-bed.fixture.js';
import { expectInSync, expectKilled, newIds, storedBetween } from './kill-checks.fixture.js';
import { settledCounters, type ServerCounters } from './server-child.fixture.js';
import { runSyncOnce, startSyncOnce, type CrashPoint } from './sync-child.fixture.js';

const FILES = ['/big.bin', '/notes.txt', '/new.bin'];

let bed: KillBed;
beforeAll(async () => {
  bed = await startKillBed();
});
afterAll(async () => {
  await bed?.close();
});

interface Change {
  readonly account: Account;
  /** The blocks of the versions A synced first. */
  readonly baseline: Awaited<ReturnType<typeof blocksOf>>;
  readonly before: Tree;
  readonly after: Tree;
}

/**
 * A syncs a 24 MiB file and a note; then the change under test: a small edit in the middle of
 * the big file (one or two of its ~6 blocks change), an edited note and a new 12 MiB file.
 */
async function prepareChange(name: string): Promise<Change> {
  const account = await bed.newAccount(name);
  const at = (file: string) => path.join(account.a.folder, file);
  await writeFile(at('big.bin'), seededBytes(`${name} big`, 24 * MIB));
  await writeFile(at('notes.txt'), 'notes, first version\n');
  expectInSync(await runSyncOnce(account.a));
  const baseline = await blocksOf(account.a, ['/big.bin', '/notes.txt']);
  const before = await readTree(account.a.folder);
  await overwriteAt(at('big.bin'), 12 * MIB, seededBytes(`${name} edit`, 4096));
  await writeFile(at('notes.txt'), 'notes, second version\n');
  await writeFile(at('new.bin'), seededBytes(`${name} new`, 12 * MIB));
  return { account, baseline, before, after: await readTree(account.a.folder) };
}

/** After the kill: A's folder untouched, and each server path holds a whole version or none. */
async function expectNothingPartial(change: Change): Promise<void> {
  const { account, before, after } = change;
  expect(await readTree(account.a.folder)).toEqual(after);
  const onServer = await serverTree(account.a);
  expect(Object.keys(onServer).filter((file) => !FILES.includes(file))).toEqual([]);
  expect(onServer['/big.bin']).toBeOneOf([before['/big.bin'], after['/big.bin']]);
  expect(onServer['/notes.txt']).toBeOneOf([before['/notes.txt'], after['/notes.txt']]);
  expect(onServer['/new.bin']).toBeOneOf([undefined, after['/new.bin']]);
}

/**
 * A's second run finishes the upload; then the server holds exactly A's files, every new block
 * was stored once, the second run sent no block the server had (each of its PUTs stored a new
 * one), and B syncs to the same bytes. `start` is read before the kill, `afterKill` once the
 * killed run's last requests have settled.
 */
async function expectRecovery(
  change: Change,
  counters: { start: ServerCounters; afterKill: ServerCounters },
): Promise<void> {
  const { account, after } = change;
  expectInSync(await runSyncOnce(account.a));
  expect(await readTree(account.a.folder)).toEqual(after);
  expect(await serverTree(account.a)).toEqual(after);

  const end = await bed.server.counters();
  const second = storedBetween(counters.afterKill, end);
  expect(second.puts).toBe(second.stored);
  const final = await blocksOf(account.a, FILES);
  const added = newIds(change.baseline, final);
  const { stored, bytes } = storedBetween(counters.start, end);
  expect({ stored, bytes }).toEqual({
    stored: added.size,
    bytes: await encodedBytesOf(account.a, final[0]!.namespace, added),
  });
  // The unchanged blocks of big.bin were on the server already: not one of them was stored.
  expect(added.size).toBeLessThan(newIds([], final).size);

  expectInSync(await runSyncOnce(account.b));
  expect(await readTree(account.b.folder)).toEqual(after);
  expect(await tempFiles(account.a.folder)).toEqual([]);
  expect(await tempFiles(account.b.folder)).toEqual([]);
}

const POINTS: readonly { point: CrashPoint; commitsBeforeKill: 'none' | 'some' }[] = [
  { point: 'upload:before-blocks', commitsBeforeKill: 'none' },
  { point: 'upload:between-blocks', commitsBeforeKill: 'none' },
  { point: 'upload:before-commit', commitsBeforeKill: 'none' },
  { point: 'upload:after-commit', commitsBeforeKill: 'some' },
];

describe('ferry sync SIGKILLed during an upload', () => {
  for (const { point, commitsBeforeKill } of POINTS) {
    it(`${point}: the next run completes it, sends no block twice, and B converges`, async () => {
      const change = await prepareChange(point.replace(':', '-'));
      const start = await bed.server.counters();
      expectKilled(
        await runSyncOnce(change.account.a, { crashAt: point }),
        `FERRY_TEST_CRASH_AT=${point}`,
      );
      const afterKill = await settledCounters(bed.server);
      const commits = afterKill.commits - start.commits;
      if (commitsBeforeKill === 'none') expect(commits).toBe(0);
      else expect(commits).toBeGreaterThan(0);
      await expectNothingPartial(change);
      await expectRecovery(change, { start, afterKill });
    });
  }

  it('killed from outside once the first blocks are stored: resumes with the rest', async () => {
    // 64 MiB is ~13 blocks, sent in two batches of at most 8: the kill lands before the commit.
    const account = await bed.newAccount('outside-kill');
    await writeFile(path.join(account.a.folder, 'huge.bin'), seededBytes('huge', 64 * MIB));
    const after = await readTree(account.a.folder);
    const start = await bed.server.counters();
    const running = startSyncOnce(account.a);
    await waitUntil(async () => (await bed.server.counters()).blocksStored > start.blocksStored, {
      what: 'the server stored a first block',
      intervalMs: 10,
    });
    running.kill();
    expectKilled(await running.done, "the test's SIGKILL");
    const afterKill = await settledCounters(bed.server);
    expect(afterKill.commits).toBe(start.commits);
    expect(await serverTree(account.a)).toEqual({});

    expectInSync(await runSyncOnce(account.a));
    expect(await serverTree(account.a)).toEqual(after);
    const end = await bed.server.counters();
    const [final] = await blocksOf(account.a, ['/huge.bin']);
    const blocks = final!.ids;
    expect(storedBetween(start, afterKill).stored).toBeLessThan(blocks.size);
    const second = storedBetween(afterKill, end);
    expect(second.puts).toBe(second.stored);
    expect(second.stored).toBeGreaterThan(0);
    const { stored, bytes } = storedBetween(start, end);
    expect({ stored, bytes }).toEqual({
      stored: blocks.size,
      bytes: await encodedBytesOf(account.a, final!.namespace, blocks),
    });
    expectInSync(await runSyncOnce(account.b));
    expect(await readTree(account.b.folder)).toEqual(after);
  });
});
