/**
 * A primary and a replica S3 store, each on its own real S3-compatible server (s3rver): the
 * shared contract, then the primary taken away: reads come from the replica, writes go on,
 * and nothing written during the outage is lost once the primary is back.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockId, NamespaceId } from 'sync-engine/protocol';
import { S3RVER_CREDENTIALS, startS3, type S3Service } from '../../test/services/s3-service.js';
import { describeBlockStoreContract } from './block-store.contract.js';
import { ReplicatedBlockStore } from './replicated-block-store.js';
import { S3BlockStore } from './s3-block-store.js';

let primaryServer: S3Service;
let replicaServer: S3Service;
let buckets = 0;
beforeAll(async () => {
  [primaryServer, replicaServer] = await Promise.all([startS3(), startS3()]);
});
afterAll(async () => {
  await Promise.all([primaryServer?.close(), replicaServer?.close()]);
});

async function openPair(failures: string[] = []) {
  const bucket = `pair-${++buckets}`;
  const open = (server: S3Service) =>
    S3BlockStore.open({
      bucket,
      endpoint: server.endpoint,
      credentials: S3RVER_CREDENTIALS,
      maxAttempts: 1,
    });
  return new ReplicatedBlockStore({
    primary: await open(primaryServer),
    replica: await open(replicaServer),
    onStoreFailure: (store, what) => failures.push(`${store}: ${what}`),
  });
}

describeBlockStoreContract('ReplicatedBlockStore of two S3 stores', () => openPair());

const NS = 'ns-r' as NamespaceId;
const block = (size: number) => {
  const bytes = new Uint8Array(randomBytes(size));
  return { bytes, id: createHash('sha256').update(bytes).digest('hex') as BlockId };
};

describe('ReplicatedBlockStore when the primary goes away', () => {
  it('reads from the replica, keeps taking writes, and loses nothing written meanwhile', async () => {
    const failures: string[] = [];
    const store = await openPair(failures);
    const before = block(5000);
    const during = block(7000);
    try {
      await store.put(NS, before.id, before.bytes);
      expect(failures).toEqual([]);
      await primaryServer.stop();
      try {
        expect(Buffer.from((await store.get(NS, before.id))!).equals(before.bytes)).toBe(true);
        await store.put(NS, during.id, during.bytes);
        expect(Buffer.from((await store.get(NS, during.id))!).equals(during.bytes)).toBe(true);
        expect(failures).toContain(`primary: put block ${NS}/${during.id}`);
        expect(failures).toContain(`primary: read block ${NS}/${before.id}`);
      } finally {
        await primaryServer.start();
      }
      // Back: the block the primary missed is still served (by the replica).
      expect(Buffer.from((await store.get(NS, during.id))!).equals(during.bytes)).toBe(true);
      expect(Buffer.from((await store.get(NS, before.id))!).equals(before.bytes)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('fails a write that neither store took, with the primary’s reason', async () => {
    const store = await openPair();
    const lost = block(100);
    await Promise.all([primaryServer.stop(), replicaServer.stop()]);
    try {
      await expect(store.put(NS, lost.id, lost.bytes)).rejects.toThrow(/S3 block store/);
    } finally {
      await Promise.all([primaryServer.start(), replicaServer.start()]);
    }
    expect(await store.get(NS, lost.id)).toBeUndefined();
    await store.close();
  });
});
