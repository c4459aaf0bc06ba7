/**
 * S3BlockStore against a real S3-compatible server on loopback (s3rver): the shared contract,
 * a block big enough to go up in parts, tiers as storage classes, and a bucket that exists
 * already used as it is.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import { S3RVER_CREDENTIALS, startS3, type S3Service } from '../../test/services/s3-service.js';
import { StoreUnavailableError } from '../store-unavailable.js';
import { describeBlockStoreContract } from './block-store.contract.js';
import { S3BlockStore } from './s3-block-store.js';

let s3: S3Service;
let buckets = 0;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.close();
});

const openStore = (bucket = `blocks-${++buckets}`) =>
  S3BlockStore.open({
    bucket,
    endpoint: s3.endpoint,
    credentials: S3RVER_CREDENTIALS,
    coldStorageClass: 'STANDARD_IA',
    maxAttempts: 2,
  });

describeBlockStoreContract('S3BlockStore', () => openStore());

const NS = 'ns-big' as NamespaceId;
const idOf = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex') as BlockId;

describe('S3BlockStore specifics', () => {
  it('stores a 17 MiB block (uploaded in parts) and reads back the same bytes, hot and cold', async () => {
    const store = await openStore();
    try {
      const bytes = new Uint8Array(randomBytes(17 * 1024 * 1024));
      const id = idOf(bytes);
      await store.put(NS, id, bytes);
      expect(Buffer.from((await store.get(NS, id))!).equals(bytes)).toBe(true);
      await store.moveToCold(NS, id);
      expect(await store.tierOf(NS, id)).toBe('cold');
      expect(Buffer.from((await store.get(NS, id))!).equals(bytes)).toBe(true);
      expect(await store.tierOf(NS, id)).toBe('hot');
    } finally {
      await store.close();
    }
  });

  it('uses a bucket that exists as it is: a second store sees the first one’s blocks', async () => {
    const first = await openStore('shared-bucket');
    const bytes = new Uint8Array(randomBytes(1000));
    await first.put(NS, idOf(bytes), bytes);
    await first.close();
    const second = await openStore('shared-bucket');
    try {
      expect(Buffer.from((await second.get(NS, idOf(bytes)))!).equals(bytes)).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('fails with the reason, not "absent", while the object store is down, and reports unhealthy', async () => {
    const store = await openStore();
    const bytes = new Uint8Array(randomBytes(100));
    await store.put(NS, idOf(bytes), bytes);
    await s3.stop();
    try {
      expect(await store.isHealthy()).toBe(false);
      const failure = await store.get(NS, idOf(bytes)).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StoreUnavailableError);
      expect((failure as Error).message).toMatch(/S3 block store: read/);
    } finally {
      await s3.start();
    }
    expect(await store.isHealthy()).toBe(true);
    expect(Buffer.from((await store.get(NS, idOf(bytes)))!).equals(bytes)).toBe(true);
    await store.close();
  });
});
