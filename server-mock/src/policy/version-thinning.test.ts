import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BlockId, NamespaceId, RemotePath, Rev, UserId } from 'sync-engine/protocol';
import { useTempDir } from 'sync-engine/testkit';
import { openSqliteMetadataStore } from '../metadata/sqlite/sqlite-metadata-store.js';
import {
  DEFAULT_THINNING_POLICY,
  selectVersionsToDelete,
  thinningPolicyWithLimit,
  thinVersions,
  type ThinningPolicy,
  type VersionInfo,
} from './version-thinning.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// A fixed "now" aligned to a week boundary of the epoch keeps the table cases easy to read.
const NOW = 3_000 * 7 * DAY;

/** Versions named by their age: `v('2d')` is a version modified two days before NOW. */
function v(age: string): VersionInfo {
  const match = /^(\d+(?:\.\d+)?)(m|h|d)$/.exec(age);
  if (match === null) throw new Error(`bad age ${age}`);
  const unit = { m: MIN, h: HOUR, d: DAY }[match[2] as 'm' | 'h' | 'd'];
  return { rev: age as Rev, modifiedMs: NOW - Number(match[1]) * unit };
}

describe('selectVersionsToDelete with the default policy', () => {
  const cases: Array<{ name: string; ages: string[]; deleted: string[] }> = [
    { name: 'no versions', ages: [], deleted: [] },
    { name: 'a single old version stays', ages: ['400d'], deleted: [] },
    {
      name: 'keeps everything from the last day',
      ages: ['1m', '2m', '3m', '5h', '23h'],
      deleted: [],
    },
    {
      name: 'keeps one per hour between a day and a week (the newest of each hour)',
      // 30.25h and 30.75h share the hour slot [NOW-31h, NOW-30h): only 30.25h (newer) stays.
      ages: ['1m', '30.25h', '30.75h', '32h'],
      deleted: ['30.75h'],
    },
    {
      name: 'keeps one per day between a week and a month',
      ages: ['1m', '8.25d', '8.75d', '9.5d', '10d'],
      deleted: ['10d', '8.75d'],
    },
    {
      name: 'keeps one per week after a month',
      // NOW is on a week boundary: 36d and 37d fall in the week [NOW-42d, NOW-35d), 43d before.
      ages: ['1m', '36d', '37d', '43d'],
      deleted: ['37d'],
    },
    {
      name: 'thins each bucket independently',
      ages: ['1m', '2m', '26.25h', '26.75h', '8.25d', '8.75d', '36d', '37d'],
      deleted: ['37d', '8.75d', '26.75h'],
    },
    {
      name: 'the newest is kept even when it is old and shares a slot with nothing newer',
      ages: ['36d', '37d'],
      deleted: ['37d'],
    },
  ];
  it.each(cases)('$name', ({ ages, deleted }) => {
    expect(selectVersionsToDelete(ages.map(v), NOW)).toEqual(deleted);
  });

  it('does not depend on the input order', () => {
    const versions = ['1m', '26.25h', '26.75h', '8.25d', '8.75d', '36d', '37d'].map(v);
    const expected = selectVersionsToDelete(versions, NOW);
    expect(selectVersionsToDelete([...versions].reverse(), NOW)).toEqual(expected);
  });
});

describe('selectVersionsToDelete with a custom policy', () => {
  it('applies the version limit after thinning, deleting the oldest', () => {
    const policy: ThinningPolicy = { ...DEFAULT_THINNING_POLICY, maxVersions: 3 };
    const ages = ['1m', '2m', '3m', '4m', '5m'];
    expect(selectVersionsToDelete(ages.map(v), NOW, policy)).toEqual(['5m', '4m']);
  });

  it('keeps versions older than keepAllFor but younger than every bucket', () => {
    const policy: ThinningPolicy = {
      maxVersions: 100,
      keepAllForMs: HOUR,
      buckets: [{ olderThanMs: DAY, everyMs: DAY }],
    };
    expect(selectVersionsToDelete(['1m', '2h', '2.5h', '3h'].map(v), NOW, policy)).toEqual([]);
  });

  it('breaks modifiedMs ties by rev so the choice is deterministic', () => {
    const policy: ThinningPolicy = { maxVersions: 1, keepAllForMs: DAY, buckets: [] };
    const tied = [
      { rev: 'r9' as Rev, modifiedMs: NOW },
      { rev: 'r10' as Rev, modifiedMs: NOW },
    ];
    expect(selectVersionsToDelete(tied, NOW, policy)).toEqual(['r9']);
    expect(selectVersionsToDelete([...tied].reverse(), NOW, policy)).toEqual(['r9']);
  });

  it('rejects an invalid policy', () => {
    const bad: ThinningPolicy[] = [
      { ...DEFAULT_THINNING_POLICY, maxVersions: 0 },
      { ...DEFAULT_THINNING_POLICY, maxVersions: 1.5 },
      { ...DEFAULT_THINNING_POLICY, keepAllForMs: Number.NaN },
      { ...DEFAULT_THINNING_POLICY, buckets: [{ olderThanMs: DAY, everyMs: 0 }] },
    ];
    for (const policy of bad)
      expect(() => selectVersionsToDelete([], NOW, policy)).toThrow(RangeError);
  });
});

describe('selectVersionsToDelete properties', () => {
  const versionsArb = fc
    .uniqueArray(fc.integer({ min: 0, max: 400 * DAY }), { maxLength: 150 })
    .map((ages) => ages.map((age, i) => ({ rev: `r${i}` as Rev, modifiedMs: NOW - age })));
  const policyArb = fc.oneof(
    fc.constant(DEFAULT_THINNING_POLICY),
    fc.record({
      maxVersions: fc.integer({ min: 1, max: 120 }),
      keepAllForMs: fc.integer({ min: 0, max: 3 * DAY }),
      buckets: fc.array(
        fc.record({
          olderThanMs: fc.integer({ min: 0, max: 60 * DAY }),
          everyMs: fc.integer({ min: 1, max: 10 * DAY }),
        }),
        { maxLength: 4 },
      ),
    }),
  );

  it('never deletes the newest, keeps at most maxVersions, and is idempotent', () => {
    fc.assert(
      fc.property(versionsArb, policyArb, (versions, policy) => {
        const deleted = new Set(selectVersionsToDelete(versions, NOW, policy));
        const remaining = versions.filter((version) => !deleted.has(version.rev));
        if (versions.length > 0) {
          const newest = versions.reduce((a, b) => (b.modifiedMs > a.modifiedMs ? b : a));
          expect(deleted.has(newest.rev)).toBe(false);
        }
        expect(remaining.length).toBeLessThanOrEqual(policy.maxVersions);
        expect(deleted.size).toBe(versions.length - remaining.length);
        expect(selectVersionsToDelete(remaining, NOW, policy)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every version younger than keepAllFor while under the limit', () => {
    fc.assert(
      fc.property(versionsArb, (versions) => {
        const deleted = new Set(selectVersionsToDelete(versions, NOW));
        const young = versions.filter((version) => NOW - version.modifiedMs < DAY);
        if (young.length <= DEFAULT_THINNING_POLICY.maxVersions) {
          for (const version of young) expect(deleted.has(version.rev)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('thinVersions over the SQLite metadata store', () => {
  const tempDir = useTempDir('thinning');
  const NS = 'ns_thin' as NamespaceId;
  const USER = 'u_thin' as UserId;
  const BLOCK = '1'.padStart(64, '0') as BlockId;

  it('pages through every file with history and leaves single-version files alone', async () => {
    const store = openSqliteMetadataStore(path.join(tempDir(), 'meta.db'));
    try {
      await store.createUser({
        id: USER,
        email: 'thin@example.com',
        name: 'Thin',
        passwordHash: 'x',
        quotaBytes: 1000,
        rootNamespace: NS,
        wrappedKey: new Uint8Array(3),
        nowMs: 0,
      });
      await store.recordBlock({ namespace: NS, id: BLOCK, plainSize: 1, encodedSize: 2, nowMs: 0 });
      const commit = (file: string, nowMs: number) =>
        store.commitFile({
          namespace: NS,
          path: `/${file}` as RemotePath,
          blocks: [BLOCK],
          size: 1,
          contentHash: 'h',
          modifiedMs: nowMs,
          parentRev: null,
          force: true,
          actor: { userId: USER, deviceId: null, nowMs },
          versionLimit: 100,
        });
      // Five files with three versions each (more than two pages of two) and one with one.
      const files = ['a', 'b', 'c', 'd', 'e'];
      for (const file of files) for (const minute of [1, 2, 3]) await commit(file, minute * MIN);
      await commit('single', MIN);
      const newestBefore = new Map<string, Rev>();
      for (const fileId of await store.listFilesWithHistory('', 100)) {
        newestBefore.set(fileId, (await store.listVersionTimes(fileId))[0]!.rev);
      }
      expect(newestBefore.size).toBe(files.length);

      await thinVersions({
        history: store,
        nowMs: 10 * MIN,
        policy: thinningPolicyWithLimit(1),
        pageSize: 2,
      });

      expect(await store.listFilesWithHistory('', 100)).toEqual([]);
      for (const [fileId, newest] of newestBefore) {
        expect((await store.listVersionTimes(fileId)).map((v) => v.rev)).toEqual([newest]);
      }
      const single = await store.getEntry(NS, '/single' as RemotePath);
      expect(await store.listVersionTimes(single!.fileId)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
