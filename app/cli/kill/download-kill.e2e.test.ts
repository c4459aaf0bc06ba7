/**
 * Kill tests, download side (issue 9): device B's `ferry sync --once` is SIGKILLed at each
 * scripted point of a download (FERRY_TEST_CRASH_AT), of a new file and of an update of a file
 * it holds. At no moment may the real path hold a partial file: it is absent or the complete old
 * version until the rename, the complete new one after it; the partial bytes live only in
 * `.ferry/tmp`, and so does the old version between its move aside and the new one's rename.
 * The next run completes the download, cleans `.ferry/tmp`, sends nothing back (no conflicted
 * copy, no new revision) and leaves B byte-identical to the server; a file set aside and
 * written to meanwhile is kept as a conflicted copy.
 */
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIB, readTree, seededBytes, sha256, tempFiles } from './folder-tree.fixture.js';
import {
  blocksOf,
  revOf,
  serverTree,
  startKillBed,
  uploadAs,
  type KillBed,
} from './kill-bed.fixture.js';
import { expectInSync, expectKilled } from './kill-checks.fixture.js';
import { runSyncOnce, type CrashPoint, type Device } from './sync-child.fixture.js';

const SIZE_BYTES = 12 * MIB;
const FILE = '/incoming.bin';

let bed: KillBed;
beforeAll(async () => {
  bed = await startKillBed();
});
afterAll(async () => {
  await bed?.close();
});

/** B's `.ferry/tmp` right after the kill: the download's temporary file, as far as it got. */
async function expectTempAfterKill(b: Device, point: CrashPoint): Promise<void> {
  const temp = await tempFiles(b.folder);
  if (point === 'download:after-rename') {
    expect(temp).toEqual([]);
    return;
  }
  expect(temp).toHaveLength(1);
  const sizeBytes = temp[0]!.sizeBytes;
  if (point === 'download:mid-file') {
    expect(sizeBytes).toBeGreaterThan(0);
    expect(sizeBytes).toBeLessThan(SIZE_BYTES);
  } else {
    expect(sizeBytes).toBe(SIZE_BYTES);
  }
}

/** B's next run completes the download and changes nothing on the server. */
async function expectRecovery(b: Device, content: Buffer, rev: string): Promise<void> {
  expectInSync(await runSyncOnce(b));
  const expected = { [FILE]: sha256(content) };
  expect(await readTree(b.folder)).toEqual(expected);
  expect(await tempFiles(b.folder)).toEqual([]);
  expect(await revOf(b, FILE)).toBe(rev);
  expect(await serverTree(b)).toEqual(expected);
}

const POINTS: readonly CrashPoint[] = [
  'download:mid-file',
  'download:before-rename',
  'download:after-rename',
];

describe('ferry sync SIGKILLed during a download', () => {
  for (const point of POINTS) {
    const renamed = point === 'download:after-rename';

    it(`${point}, a new file: ${renamed ? 'complete' : 'absent'} at its path after the kill, then complete`, async () => {
      const { a, b } = await bed.newAccount(`new-${point.replace(':', '-')}`);
      const content = seededBytes(`${point} new`, SIZE_BYTES);
      const rev = await uploadAs(a, FILE, content);
      const [blocks] = await blocksOf(a, [FILE]);
      expect(blocks!.ids.size).toBeGreaterThan(1);

      expectKilled(await runSyncOnce(b, { crashAt: point }), `FERRY_TEST_CRASH_AT=${point}`);
      expect(await readTree(b.folder)).toEqual(renamed ? { [FILE]: sha256(content) } : {});
      await expectTempAfterKill(b, point);
      await expectRecovery(b, content, rev);
    });

    it(`${point}, an update: the ${renamed ? 'new' : 'old'} version whole at its path after the kill, then the new`, async () => {
      const { a, b } = await bed.newAccount(`update-${point.replace(':', '-')}`);
      const before = seededBytes(`${point} v1`, SIZE_BYTES);
      await uploadAs(a, FILE, before);
      expectInSync(await runSyncOnce(b));
      expect(await readTree(b.folder)).toEqual({ [FILE]: sha256(before) });
      const after = seededBytes(`${point} v2`, SIZE_BYTES);
      const rev = await uploadAs(a, FILE, after);

      expectKilled(await runSyncOnce(b, { crashAt: point }), `FERRY_TEST_CRASH_AT=${point}`);
      expect(await readTree(b.folder)).toEqual({ [FILE]: sha256(renamed ? after : before) });
      await expectTempAfterKill(b, point);
      await expectRecovery(b, after, rev);
    });
  }

  it('download:set-aside, an update: the old version back at its path at start-up, then the new', async () => {
    const { a, b } = await bed.newAccount('update-download-set-aside');
    const before = seededBytes('set-aside v1', SIZE_BYTES);
    await uploadAs(a, FILE, before);
    expectInSync(await runSyncOnce(b));
    const after = seededBytes('set-aside v2', SIZE_BYTES);
    const rev = await uploadAs(a, FILE, after);

    const point = 'download:set-aside';
    expectKilled(await runSyncOnce(b, { crashAt: point }), `FERRY_TEST_CRASH_AT=${point}`);
    // Between the two renames the path is empty: the old version waits in .ferry/tmp, whole,
    // beside the new one.
    expect(await readTree(b.folder)).toEqual({});
    const temp = await tempFiles(b.folder);
    expect(temp.map((file) => file.sizeBytes)).toEqual([SIZE_BYTES, SIZE_BYTES]);
    expect(temp.filter((file) => file.name.startsWith('aside-'))).toHaveLength(1);
    await expectRecovery(b, after, rev);
  });

  it('download:set-aside, then bytes written through a handle still open: kept as a conflicted copy', async () => {
    const { a, b } = await bed.newAccount('update-set-aside-written');
    const before = seededBytes('written v1', SIZE_BYTES);
    await uploadAs(a, FILE, before);
    expectInSync(await runSyncOnce(b));
    const after = seededBytes('written v2', SIZE_BYTES);
    const rev = await uploadAs(a, FILE, after);

    expectKilled(await runSyncOnce(b, { crashAt: 'download:set-aside' }), 'set-aside');
    // A program that held the file open goes on writing: its bytes land in the file set aside.
    const aside = (await tempFiles(b.folder)).find((file) => file.name.startsWith('aside-'));
    expect(aside).toBeDefined();
    const appended = Buffer.from('\nwritten through the open handle');
    await appendFile(path.join(b.folder, '.ferry', 'tmp', aside!.name), appended);

    // The bytes are a local edit made while the server's v2 came in: one conflict.
    const run = await runSyncOnce(b);
    expect(run.events.filter((event) => event.type === 'conflict')).toHaveLength(1);
    expect({ code: run.code, last: run.events.at(-1) }).toEqual({
      code: 0,
      last: { type: 'done', agreed: true },
    });
    const tree = await readTree(b.folder);
    const copies = Object.keys(tree).filter((name) => name.includes('(conflicted copy from '));
    expect(copies).toHaveLength(1);
    expect(tree).toEqual({
      [FILE]: sha256(after),
      [copies[0]!]: sha256(Buffer.concat([before, appended])),
    });
    expect(await tempFiles(b.folder)).toEqual([]);
    expect(await revOf(b, FILE)).toBe(rev);
  });
});
