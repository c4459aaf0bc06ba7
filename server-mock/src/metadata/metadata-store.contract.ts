/**
 * The behaviour every MetadataStore implementation must have (metadata-store.ts), beyond what
 * the HTTP suites show: accounts, commits (first writer wins), tree operations and the journal,
 * and the guarantees under concurrency (one winner among racing commits, strictly ordered
 * journal positions, no quota overcommit). Run it from an implementation's test file:
 * `describeMetadataStoreContract('SQLite', makeStore)`; `makeStore` opens a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlockId, NamespaceId, RemotePath, Rev, UserId } from 'sync-engine/protocol';
import type { MetadataStore } from './metadata-store.js';
import type { Actor } from './records.js';

/** A fresh store and what removes it afterwards (its files, its database). */
export interface OpenedMetadataStore {
  readonly store: MetadataStore;
  cleanup(): Promise<void>;
}

export type MakeMetadataStore = () => Promise<OpenedMetadataStore>;

/** Registers the shared MetadataStore suite under `describe(name)`. */
export function describeMetadataStoreContract(name: string, makeStore: MakeMetadataStore): void {
  describe(`MetadataStore contract: ${name}`, () => {
    const p = (s: string) => s as RemotePath;
    const block = (n: number) => n.toString(16).padStart(64, '0') as BlockId;
    const NS = 'ns_test' as NamespaceId;
    const USER = 'u_test' as UserId;

    let store: MetadataStore;
    let opened: OpenedMetadataStore;
    let now = 1_000;
    const actor = (): Actor => ({ userId: USER, deviceId: null, nowMs: now++ });

    async function commit(path: string, blocks: number[], parentRev: Rev | null = null) {
      return store.commitFile({
        namespace: NS,
        path: p(path),
        blocks: blocks.map(block),
        size: blocks.length * 10,
        contentHash: `hash-${blocks.join('-')}`,
        modifiedMs: now,
        parentRev,
        actor: actor(),
        versionLimit: 3,
      });
    }

    async function committedRev(path: string, blocks: number[], parentRev: Rev | null = null) {
      const outcome = await commit(path, blocks, parentRev);
      if (outcome.kind !== 'committed') throw new Error(`expected a commit, got ${outcome.kind}`);
      return outcome.entry.rev as Rev;
    }

    beforeEach(async () => {
      opened = await makeStore();
      store = opened.store;
      await store.createUser({
        id: USER,
        email: 'Ann@Example.com',
        name: 'Ann',
        passwordHash: 'x',
        quotaBytes: 1000,
        rootNamespace: NS,
        wrappedKey: new Uint8Array([1, 2, 3]),
        nowMs: now,
      });
      for (const n of [1, 2, 3, 4, 5]) {
        await store.recordBlock({
          namespace: NS,
          id: block(n),
          plainSize: 10,
          encodedSize: 12,
          nowMs: now,
        });
      }
    });

    afterEach(async () => {
      await store.close();
      await opened.cleanup();
    });

    describe('accounts', () => {
      it('finds users by email case-insensitively and refuses duplicates', async () => {
        expect((await store.getUserByEmail('ann@example.COM'))?.id).toBe(USER);
        const again = await store.createUser({
          id: 'u_other' as UserId,
          email: 'ann@example.com',
          name: 'Imposter',
          passwordHash: 'y',
          quotaBytes: 1,
          rootNamespace: 'ns_other' as NamespaceId,
          wrappedKey: new Uint8Array(1),
          nowMs: now,
        });
        expect(again).toBe('email_taken');
        expect(await store.getNamespace('ns_other' as NamespaceId)).toBeUndefined();
      });

      it('counts block bytes once per namespace towards usage', async () => {
        expect(
          await store.recordBlock({
            namespace: NS,
            id: block(1),
            plainSize: 10,
            encodedSize: 12,
            nowMs: now,
          }),
        ).toBe(false);
        expect(await store.usedBytesOf(USER)).toBe(50);
      });
    });

    describe('commits', () => {
      it('enforce first writer wins on the parent revision', async () => {
        const first = await committedRev('/a.txt', [1]);
        const second = await committedRev('/a.txt', [2], first);
        const stale = await commit('/a.txt', [3], first);
        expect(stale).toEqual({ kind: 'rev_conflict', currentRev: second });
        const fresh = await commit('/a.txt', [3]);
        expect(fresh).toEqual({ kind: 'rev_conflict', currentRev: second });
      });

      it('report missing blocks without writing anything', async () => {
        const outcome = await commit('/a.txt', [1, 99, 99]);
        expect(outcome).toEqual({ kind: 'missing_blocks', missing: [block(99)] });
        expect(await store.getEntry(NS, p('/a.txt'))).toBeUndefined();
      });

      it('create ancestor folders and refuse a file as a folder', async () => {
        await committedRev('/x/y/z.txt', [1]);
        expect((await store.getEntry(NS, p('/x/y')))?.isDir).toBe(true);
        expect(await commit('/x/y/z.txt/w', [1])).toMatchObject({ kind: 'path_conflict' });
        expect(await commit('/x', [1])).toMatchObject({ kind: 'path_conflict' });
      });

      it('keep refcounts equal to the versions naming each block, within the version limit', async () => {
        let rev = await committedRev('/a', [1, 1, 2]);
        for (const blocks of [[2], [3], [4]]) rev = await committedRev('/a', blocks, rev);
        // limit 3: versions [2], [3], [4] remain; [1,1,2] was dropped.
        expect((await store.getBlock(NS, block(1)))?.refcount).toBe(0);
        expect((await store.getBlock(NS, block(2)))?.refcount).toBe(1);
        expect((await store.getBlock(NS, block(4)))?.refcount).toBe(1);
        const entry = await store.getEntry(NS, p('/a'));
        const versions = await store.listVersions(NS, entry!.fileId, 10);
        expect(versions.map((v) => v.blocks)).toEqual([[block(4)], [block(3)], [block(2)]]);
      });
    });

    describe('tree operations and journal', () => {
      it('move a folder with its children, keeping file ids, and journal new paths before tombstones', async () => {
        await committedRev('/d/one', [1]);
        await committedRev('/d/sub/two', [2]);
        const before = await store.getEntry(NS, p('/d/sub/two'));
        const start = (await store.getNamespace(NS))!.lastSeq;
        const moved = await store.moveEntry({
          namespace: NS,
          from: p('/d'),
          to: p('/e/f'),
          actor: actor(),
        });
        expect(moved).toMatchObject({ kind: 'moved', count: 4 });
        expect((await store.getEntry(NS, p('/e/f/sub/two')))?.fileId).toBe(before!.fileId);
        expect(await store.getEntry(NS, p('/d/one'))).toBeUndefined();
        const entries = await store.readJournal(NS, start, 100);
        expect(entries.map((e) => `${e.tag} ${e.path}`)).toEqual([
          'folder /e',
          'folder /e/f',
          'file /e/f/one',
          'folder /e/f/sub',
          'file /e/f/sub/two',
          'deleted /d/sub/two',
          'deleted /d/sub',
          'deleted /d/one',
          'deleted /d',
        ]);
        expect(entries.find((e) => e.path === '/e/f/sub/two')?.movedFrom).toBe('/d/sub/two');
      });

      it('refuse moving a folder into itself or onto a live path', async () => {
        await committedRev('/d/one', [1]);
        await committedRev('/other', [2]);
        expect(
          await store.moveEntry({ namespace: NS, from: p('/d'), to: p('/d/x'), actor: actor() }),
        ).toMatchObject({ kind: 'path_conflict' });
        expect(
          await store.moveEntry({ namespace: NS, from: p('/d'), to: p('/other'), actor: actor() }),
        ).toMatchObject({ kind: 'path_conflict' });
        expect(
          await store.moveEntry({ namespace: NS, from: p('/nope'), to: p('/x'), actor: actor() }),
        ).toEqual({ kind: 'not_found' });
      });

      it('delete keeps history, and a file re-created at the path continues it', async () => {
        const rev = await committedRev('/a', [1]);
        expect(await store.deleteEntry(NS, p('/a'), actor())).toMatchObject({
          kind: 'deleted',
          count: 1,
        });
        expect(await store.getEntry(NS, p('/a'))).toBeUndefined();
        const tomb = await store.getEntryOrTombstone(NS, p('/a'));
        expect(tomb?.deleted).toBe(true);
        await committedRev('/a', [2]);
        const versions = await store.listVersions(NS, tomb!.fileId, 10);
        expect(versions.map((v) => v.rev)).toContain(rev);
        expect(versions).toHaveLength(2);
      });

      it('compacts the journal so a replay from zero is the current tree', async () => {
        let rev = await committedRev('/a', [1]);
        rev = await committedRev('/a', [2], rev);
        await committedRev('/b', [3]);
        await store.deleteEntry(NS, p('/b'), actor());
        const entries = await store.readJournal(NS, 0, 100);
        expect(entries.map((e) => `${e.tag} ${e.path}`)).toEqual(['file /a', 'deleted /b']);
        expect(entries[0]?.rev).toBe(rev);
      });

      it('prunes old tombstones and raises prunedSeq', async () => {
        await committedRev('/b', [3]);
        await store.deleteEntry(NS, p('/b'), actor());
        const seq = (await store.getNamespace(NS))!.lastSeq;
        expect(await store.pruneJournal(now + 1)).toBe(1);
        expect((await store.getNamespace(NS))!.prunedSeq).toBe(seq);
      });

      it('expires a stale announce of a new file as a tombstone', async () => {
        const announced = await store.announceFile({
          namespace: NS,
          path: p('/new'),
          size: 5,
          modifiedMs: now,
          actor: actor(),
        });
        expect(announced).toMatchObject({
          kind: 'committed',
          entry: { status: 'pending', rev: null },
        });
        const touched = await store.expirePendingFiles(now + 1, now + 1);
        expect(touched).toHaveLength(1);
        expect(await store.getEntry(NS, p('/new'))).toBeUndefined();
      });

      it('keeps an announced block list until the commit, and drops it when an announce of an existing file expires', async () => {
        const rev = await committedRev('/movie', [1]);
        const blocks = [{ id: 'e'.repeat(64) as BlockId, size: 5 }];
        await store.announceFile({
          namespace: NS,
          path: p('/movie'),
          size: 5,
          modifiedMs: 12_345,
          blocks,
          actor: actor(),
        });
        expect(await store.getAnnouncedBlocks(NS, p('/movie'))).toMatchObject({
          entry: { status: 'pending', rev },
          modified: 12_345,
          blocks,
        });
        await store.expirePendingFiles(now + 1, now + 1);
        expect(await store.getAnnouncedBlocks(NS, p('/movie'))).toBeUndefined();
        expect(await store.getEntry(NS, p('/movie'))).toMatchObject({ status: 'uploaded', rev });
      });
    });

    describe('guarantees under concurrency', () => {
      it('lets exactly one of many racing commits on the same parent revision win', async () => {
        const base = await committedRev('/race.txt', [1]);
        const outcomes = await Promise.all(
          [2, 3, 4, 5, 2, 3, 4, 5].map((n) => commit('/race.txt', [n], base)),
        );
        expect(outcomes.filter((outcome) => outcome.kind === 'committed')).toHaveLength(1);
        expect(outcomes.filter((outcome) => outcome.kind === 'rev_conflict')).toHaveLength(7);
        const entry = await store.getEntry(NS, p('/race.txt'));
        expect(await store.listVersions(NS, entry!.fileId, 10)).toHaveLength(2);
      });

      it('gives racing commits strictly increasing journal positions, none lost', async () => {
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, (_, i) => commit(`/many/${i}.txt`, [(i % 5) + 1])),
        );
        const seqs = outcomes.map((outcome) => (outcome.kind === 'committed' ? outcome.seq : -1));
        expect(new Set(seqs).size).toBe(20);
        expect(seqs.every((seq) => seq > 0)).toBe(true);
        const journal = await store.readJournal(NS, 0, 1000);
        const positions = journal.map((entry) => entry.seq);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        for (let i = 0; i < 20; i++)
          expect(journal.some((e) => e.path === `/many/${i}.txt`)).toBe(true);
      });

      it('never lets racing reservations exceed the quota', async () => {
        const outcomes = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            store.reserveQuota({
              id: `r${i}`,
              namespace: NS,
              bytes: 150,
              writerId: USER,
              nowMs: now,
              expiresMs: now + 60_000,
            }),
          ),
        );
        const reserved = outcomes.filter((outcome) => outcome.kind === 'reserved').length;
        const used = await store.usedBytesOf(USER);
        expect(used + reserved * 150).toBeLessThanOrEqual(1000);
        expect(reserved).toBe(Math.floor((1000 - used) / 150));
        expect(await store.reservedBytesOf(USER, now)).toBe(reserved * 150);
      });

      it('looks blocks up many at a time', async () => {
        const found = await store.getBlocks(NS, [block(1), block(99), block(3), block(1)]);
        expect([...found.keys()].sort()).toEqual([block(1), block(3)]);
        expect(found.get(block(3))).toMatchObject({ plainSize: 10, encodedSize: 12 });
        expect(await store.findMissingBlocks(NS, [block(99), block(1), block(99)])).toEqual([
          block(99),
        ]);
      });
    });
  });
}
