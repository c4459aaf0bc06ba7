/**
 * The metadata store, the block store and the bus the configuration names (store-locations.ts), each with the
 * probe /healthz asks. The embedded defaults live under the data folder and are always up.
 */
import path from 'node:path';
import { LocalDirBlockStore, type BlockStore } from './blocks/index.js';
import { KeyedLock, type BlockLock } from './blocks/keyed-lock.js';
import { ReplicatedBlockStore } from './blocks/replicated-block-store.js';
import { S3BlockStore } from './blocks/s3-block-store.js';
import type { ServerConfig } from './config.js';
import type { MetadataStore } from './metadata/metadata-store.js';
import { PgBlockLock } from './metadata/postgres/pg-block-lock.js';
import { openPostgresMetadataStore } from './metadata/postgres/postgres-metadata-store.js';
import { openSqliteMetadataStore } from './metadata/sqlite/sqlite-metadata-store.js';
import {
  InProcessNotificationBus,
  RedisNotificationBus,
  type NotificationBus,
} from './notify/index.js';
import type { BlocksLocation } from './store-locations.js';
import type { HealthProbe } from './store-unavailable.js';

const ALWAYS_UP = async () => true;

/** SQLite under the data folder, or PostgreSQL (connected and migrated). */
export async function openMetadataStore(config: ServerConfig): Promise<MetadataStore> {
  if (config.metadata.kind === 'sqlite') {
    return openSqliteMetadataStore(path.join(config.dataDir, 'metadata.db'));
  }
  return openPostgresMetadataStore({ url: config.metadata.url });
}

/** The block lock: in process for one instance (SQLite), across instances with PostgreSQL. */
export function openBlockLock(config: ServerConfig): BlockLock & { close?(): Promise<void> } {
  return config.metadata.kind === 'postgres'
    ? new PgBlockLock(config.metadata.url)
    : new KeyedLock();
}

interface Opened<T> {
  readonly component: T;
  readonly probes: readonly HealthProbe[];
}

async function openOneBlockStore(
  location: BlocksLocation,
  dir: string,
): Promise<{ store: BlockStore; isHealthy: () => Promise<boolean> }> {
  if (location.kind === 'local') {
    const store = await LocalDirBlockStore.open({
      hotDir: path.join(dir, 'hot'),
      coldDir: path.join(dir, 'cold'),
    });
    return { store, isHealthy: ALWAYS_UP };
  }
  const store = await S3BlockStore.open({
    bucket: location.bucket,
    ...(location.endpoint === undefined ? {} : { endpoint: location.endpoint }),
    ...(location.region === undefined ? {} : { region: location.region }),
    ...(location.prefix === undefined ? {} : { prefix: location.prefix }),
    ...(location.coldStorageClass === undefined
      ? {}
      : { coldStorageClass: location.coldStorageClass }),
  });
  return { store, isHealthy: () => store.isHealthy() };
}

/** The block store (replicated when a replica is configured) and its probes. */
export async function openBlockStores(config: ServerConfig): Promise<Opened<BlockStore>> {
  const primary = await openOneBlockStore(config.blocks, path.join(config.dataDir, 'blocks'));
  if (config.blocksReplica === undefined) {
    return {
      component: primary.store,
      probes: [{ name: 'blocks', required: true, isHealthy: primary.isHealthy }],
    };
  }
  let replica;
  try {
    replica = await openOneBlockStore(
      config.blocksReplica,
      path.join(config.dataDir, 'blocks-replica'),
    );
  } catch (error) {
    await primary.store.close();
    throw error;
  }
  const either = async () =>
    (await Promise.all([primary.isHealthy(), replica.isHealthy()])).some(Boolean);
  return {
    component: new ReplicatedBlockStore({ primary: primary.store, replica: replica.store }),
    probes: [
      // Either copy serves: the instance is up while one of them is.
      { name: 'blocks', required: true, isHealthy: either },
      { name: 'blocksPrimary', required: false, isHealthy: primary.isHealthy },
      { name: 'blocksReplica', required: false, isHealthy: replica.isHealthy },
    ],
  };
}

/**
 * The bus and its probe. Redis being away only delays wake-ups (clients catch up from their
 * cursors), so it degrades the instance rather than taking it out of the balancer.
 */
export function openBus(config: ServerConfig): Opened<NotificationBus> {
  if (config.bus.kind === 'local') {
    return {
      component: new InProcessNotificationBus(),
      probes: [{ name: 'bus', required: false, isHealthy: ALWAYS_UP }],
    };
  }
  const bus = new RedisNotificationBus({ url: config.bus.url });
  return {
    component: bus,
    probes: [{ name: 'bus', required: false, isHealthy: async () => bus.isHealthy() }],
  };
}
