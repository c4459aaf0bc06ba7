/**
 * The scale-out setup on this machine, for the multi-instance test and the scale benchmark:
 * PostgreSQL, Redis and two S3-compatible stores (a primary and a replica), all real and on
 * loopback, `instances` API server processes sharing them (one master key), and HAProxy in
 * front. `close()` stops everything and removes every temp dir.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ServerOptions } from '../../src/index.js';
import { spawnServerProcess, type ServerProcess } from '../crash/server-process.js';
import { startHaproxy, type HaproxyService } from '../services/haproxy-service.js';
import { startPostgres, type PostgresService } from '../services/postgres-service.js';
import { startRedis, type RedisService } from '../services/redis-service.js';
import { S3RVER_CREDENTIALS, startS3, type S3Service } from '../services/s3-service.js';

export interface ScaleCluster {
  readonly root: string;
  readonly postgres: PostgresService;
  readonly redis: RedisService;
  readonly primary: S3Service;
  readonly replica: S3Service;
  readonly balancer: HaproxyService;
  /** The running API instances (restartInstance replaces an entry). */
  readonly instances: ServerProcess[];
  /** Starts instance `i` again on its port after it was killed. */
  restartInstance(i: number): Promise<void>;
  close(): Promise<void>;
}

export async function startScaleCluster(
  options: { instances?: number; server?: Omit<ServerOptions, 'dataDir' | 'port' | 'host'> } = {},
): Promise<ScaleCluster> {
  const root = await mkdtemp(path.join(tmpdir(), 'ferry-scale-'));
  const [postgres, redis, primary, replica] = await Promise.all([
    startPostgres(),
    startRedis(),
    startS3(),
    startS3(),
  ]);
  // The AWS SDK's usual variables reach the server processes through the environment.
  process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
  const masterKey = randomBytes(32).toString('hex');
  const count = options.instances ?? 3;
  const dataDirs = Array.from({ length: count }, (_, i) => path.join(root, `instance-${i}`));
  const start = (i: number, port?: number) =>
    spawnServerProcess({
      dataDir: dataDirs[i]!,
      ...(port === undefined ? {} : { port }),
      server: {
        metadata: postgres.url,
        blocks: `s3://ferry-blocks?endpoint=${encodeURIComponent(primary.endpoint)}`,
        blocksReplica: `s3://ferry-blocks?endpoint=${encodeURIComponent(replica.endpoint)}`,
        bus: redis.url,
        masterKey,
        scryptCost: 2 ** 10,
        // The storage policy stays off: nothing here waits for thinning or GC.
        policyIntervalMs: 0,
        ...options.server,
      },
    });
  // The first creates the schema and the buckets; the others find them.
  const instances = [await start(0)];
  instances.push(...(await Promise.all(dataDirs.slice(1).map((_, i) => start(i + 1)))));
  const balancer = await startHaproxy(instances.map((instance) => instance.port));
  return {
    root,
    postgres,
    redis,
    primary,
    replica,
    balancer,
    instances,
    async restartInstance(i) {
      instances[i] = await start(i, instances[i]!.port);
    },
    async close() {
      await balancer.stop();
      await Promise.all(instances.map((instance) => instance.kill().catch(() => undefined)));
      await Promise.all([postgres.stop(), redis.stop(), primary.close(), replica.close()]);
      await rm(root, { recursive: true, force: true });
    },
  };
}
