/**
 * Quota reservations in the SQLite store: the check and the insert are one transaction, growth
 * is checked alone, recording a block moves its bytes from the reservation into use, expired and
 * released reservations stop counting, sessions reserve with their creation, and reopening the
 * store drops what a crash left of in-flight requests (but not open sessions).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlockId, DeviceId, NamespaceId, RemotePath, UserId } from 'sync-engine/protocol';
import {
  openSqliteMetadataStore,
  type SqliteMetadataStore,
} from '../sqlite/sqlite-metadata-store.js';

const ANN = 'u_ann' as UserId;
const BOB = 'u_bob' as UserId;
const NS = 'ns_ann' as NamespaceId;
const T = 1_000_000;

let dir: string;
let file: string;
let store: SqliteMetadataStore;

async function createUsers(): Promise<void> {
  for (const [id, root] of [
    [ANN, NS],
    [BOB, 'ns_bob'],
  ] as const) {
    await store.createUser({
      id,
      email: `${id}@test.example`,
      name: id,
      passwordHash: 'x',
      quotaBytes: 100,
      rootNamespace: root as NamespaceId,
      wrappedKey: new Uint8Array(1),
      nowMs: T,
    });
  }
}

const reserve = (id: string, bytes: number, options: { writer?: UserId; nowMs?: number } = {}) =>
  store.reserveQuota({
    id,
    namespace: NS,
    bytes,
    writerId: options.writer ?? ANN,
    nowMs: options.nowMs ?? T,
    expiresMs: (options.nowMs ?? T) + 1000,
  });

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ferry-quota-'));
  file = path.join(dir, 'meta.db');
  store = openSqliteMetadataStore(file);
  await createUsers();
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('quota reservations', () => {
  it('fit next to each other up to the quota, and the one past it is refused with the figures', async () => {
    expect(await reserve('a', 60)).toEqual({ kind: 'reserved' });
    expect(await reserve('b', 41)).toEqual({
      kind: 'quota_exceeded',
      usedBytes: 0,
      reservedBytes: 60,
      quotaBytes: 100,
      neededBytes: 41,
    });
    expect(await reserve('b', 40)).toEqual({ kind: 'reserved' });
    expect(await store.reservedBytesOf(ANN, T)).toBe(100);
  });

  it('grow by checking only the growth; recording a block moves its bytes into use', async () => {
    await reserve('a', 30);
    await reserve('b', 60);
    expect(await reserve('a', 40)).toEqual({ kind: 'reserved' });
    expect((await reserve('a', 41)).kind).toBe('quota_exceeded');
    const id = '1'.repeat(64) as BlockId;
    await store.recordBlock({
      namespace: NS,
      id,
      plainSize: 25,
      encodedSize: 30,
      nowMs: T,
      reservation: 'a',
    });
    expect(await store.usedBytesOf(ANN)).toBe(25);
    expect(await store.reservedBytesOf(ANN, T)).toBe(75);
    await store.releaseQuota('a');
    expect(await store.reservedBytesOf(ANN, T)).toBe(60);
  });

  it('refuse a writer who cannot write in the namespace', async () => {
    expect(await reserve('x', 1, { writer: BOB })).toEqual({ kind: 'no_write_access' });
    expect(await store.reservedBytesOf(ANN, T)).toBe(0);
  });

  it('stop counting once expired, and the policy deletes them', async () => {
    await reserve('a', 100);
    expect((await reserve('b', 1)).kind).toBe('quota_exceeded');
    expect(await reserve('b', 1, { nowMs: T + 1001 })).toEqual({ kind: 'reserved' });
    expect(await store.expireQuotaReservations(T + 1001)).toBe(1);
    expect(await store.reservedBytesOf(ANN, T + 1001)).toBe(1);
  });

  it('come with resumable sessions, which are refused when they do not fit', async () => {
    const session = (id: string, totalBytes: number) =>
      store.createUploadSession({
        id,
        userId: ANN,
        deviceId: 'd_1' as DeviceId,
        namespace: NS,
        path: '/f' as RemotePath,
        userPath: '/f' as RemotePath,
        totalBytes,
        receivedBytes: 0,
        parentRev: null,
        modifiedMs: T,
        createdMs: T,
        expiresMs: T + 1000,
      });
    expect(await session('up_1', 70)).toEqual({ kind: 'created' });
    expect((await session('up_2', 31)).kind).toBe('quota_exceeded');
    expect(await store.getUploadSession('up_2')).toBeUndefined();
    await reserve('a', 20);
    // Reopening (a restart after a crash) keeps the session's reservation, drops the request's.
    await store.close();
    store = openSqliteMetadataStore(file);
    expect(await store.reservedBytesOf(ANN, T)).toBe(70);
    await store.deleteUploadSession('up_1');
    expect(await store.reservedBytesOf(ANN, T)).toBe(0);
  });
});
