/**
 * Folder conversions in the SQLite store (schema v7): pins hold blocks against both GC passes
 * until the conversion ends, and an abandoned or idle conversion leaves no pin, no namespace
 * and nothing charged. Plus the upgrade of a version-4 database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlockId, NamespaceId, UserId } from 'sync-engine/protocol';
import {
  openSqliteMetadataStore,
  type SqliteMetadataStore,
} from '../sqlite/sqlite-metadata-store.js';

const block = (n: number) => n.toString(16).padStart(64, '0') as BlockId;
const ROOT = 'ns_root' as NamespaceId;
const NEW = 'ns_new' as NamespaceId;
const USER = 'u_ann' as UserId;

let dir: string;
let store: SqliteMetadataStore;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ferry-conversions-'));
  store = openSqliteMetadataStore(path.join(dir, 'meta.db'));
  await store.createUser({
    id: USER,
    email: 'ann@example.com',
    name: 'Ann',
    passwordHash: 'x',
    quotaBytes: 1000,
    rootNamespace: ROOT,
    wrappedKey: new Uint8Array([1]),
    nowMs: 0,
  });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const beginShare = (id: string, nowMs = 100) =>
  store.beginFolderConversion({
    id,
    kind: 'share',
    source: ROOT,
    target: NEW,
    newNamespace: { ownerId: USER, wrappedKey: new Uint8Array([2]) },
    nowMs,
  });
const sizes = { plainSize: 10, encodedSize: 12 };

describe('folder conversion pins', () => {
  it('keep pinned blocks out of both GC passes until the conversion is abandoned', async () => {
    await beginShare('cv_1');
    expect(
      await store.pinConvertedBlock({
        conversionId: 'cv_1',
        namespace: NEW,
        id: block(1),
        sizes,
        nowMs: 200,
      }),
    ).toBe('pinned');
    // The refcount pass sees no garbage; the sweep finds the row.
    expect(await store.listUnreferencedBlocks(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    expect(await store.hasBlock(NEW, block(1))).toBe(true);
    expect(await store.usedBytesOf(USER)).toBe(10);

    await store.abandonFolderConversion('cv_1');
    expect(await store.getNamespace(NEW)).toBeUndefined();
    expect(await store.getWrappedKey(NEW)).toBeUndefined();
    expect(await store.usedBytesOf(USER)).toBe(0);
    // Ordinary garbage now: collectable, bytes and all.
    expect(await store.listUnreferencedBlocks(Number.MAX_SAFE_INTEGER, 10)).toMatchObject([
      { namespace: NEW, id: block(1), refcount: 0 },
    ]);
    expect(await store.forgetUnreferencedBlock(NEW, block(1))).toBe(true);
    expect(
      await store.pinConvertedBlock({
        conversionId: 'cv_1',
        namespace: NEW,
        id: block(2),
        sizes,
        nowMs: 300,
      }),
    ).toBe('abandoned');
    expect(await store.hasBlock(NEW, block(2))).toBe(false);
  });

  it('pin an existing row of a live namespace without changing its size, and release it', async () => {
    await store.recordBlock({ namespace: ROOT, id: block(3), ...sizes, nowMs: 0 });
    await store.beginFolderConversion({
      id: 'cv_2',
      kind: 'unshare',
      source: NEW,
      target: ROOT,
      nowMs: 100,
    });
    const pin = { conversionId: 'cv_2', namespace: ROOT, nowMs: 200 };
    expect(await store.pinConvertedBlock({ ...pin, id: block(3) })).toBe('pinned');
    expect(await store.pinConvertedBlock({ ...pin, id: block(3) })).toBe('pinned');
    expect(await store.pinConvertedBlock({ ...pin, id: block(4) })).toBe('absent');
    expect(await store.getBlock(ROOT, block(3))).toMatchObject({ refcount: 1, plainSize: 10 });
    expect(await store.forgetUnreferencedBlock(ROOT, block(3))).toBe(false);
    await store.abandonFolderConversion('cv_2');
    expect(await store.getBlock(ROOT, block(3))).toMatchObject({ refcount: 0 });
    expect(await store.getNamespace(ROOT)).toBeDefined();
  });

  it('abandon only conversions idle since before the cut-off (a crashed server)', async () => {
    await beginShare('cv_3', 100);
    const pin = { conversionId: 'cv_3', namespace: NEW, sizes };
    await store.pinConvertedBlock({ ...pin, id: block(5), nowMs: 500 });
    expect(await store.abandonIdleFolderConversions(500)).toBe(0);
    expect(await store.getBlock(NEW, block(5))).toMatchObject({ refcount: 1 });
    expect(await store.abandonIdleFolderConversions(501)).toBe(1);
    expect(await store.getBlock(NEW, block(5))).toMatchObject({ refcount: 0 });
    expect(await store.getNamespace(NEW)).toBeUndefined();
  });
});
