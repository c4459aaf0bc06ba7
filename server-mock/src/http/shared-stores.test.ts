/**
 * The server on shared stores named by its configuration (`blocks: s3://…`, `bus: redis://…`)
 * against a real S3-compatible server and a real redis-server on loopback: blocks round-trip
 * through S3, /healthz reports each store, and with the object store gone the server answers
 * 503 with Retry-After (never "not found") until it is back; Redis gone only degrades it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeContent, putBlocks, utf8 } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';
import { startRedis, type RedisService } from '../../test/services/redis-service.js';
import { S3RVER_CREDENTIALS, startS3, type S3Service } from '../../test/services/s3-service.js';

let s3: S3Service;
let redis: RedisService;
let server: TestServer;
let ann: TestClient;
const saved = { ...process.env };

beforeAll(async () => {
  [s3, redis] = await Promise.all([startS3(), startRedis()]);
  // The AWS SDK's usual variables, as an operator would set them.
  process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
  server = await startTestServer({
    blocks: `s3://ferry-blocks?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1`,
    bus: redis.url,
  });
  ann = await server.createUser('ann');
});
afterAll(async () => {
  await server?.close();
  await Promise.all([s3?.close(), redis?.stop()]);
  process.env = saved;
});

describe('the server on S3 and Redis', () => {
  it('stores and serves blocks through S3 and reports every store up', async () => {
    const [block] = await encodeContent(utf8('kept in a bucket'), await ann.keyOf());
    const [put] = await putBlocks(ann, [block!]);
    expect(put!.status).toBe(200);
    const got = await ann.fetch(`/blocks/${ann.rootNamespace}/${block!.id}`);
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(block!.encoded))).toBe(true);
    const health = await server.request('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({
      status: 'ok',
      stores: { metadata: 'up', blocks: 'up', bus: 'up' },
    });
  });

  it('answers 503 with Retry-After while the object store is down, then serves again', async () => {
    const [block] = await encodeContent(utf8('still there afterwards'), await ann.keyOf());
    await putBlocks(ann, [block!]);
    await s3.stop();
    try {
      const health = await server.request('GET', '/healthz');
      expect(health.status).toBe(503);
      expect(health.headers.get('retry-after')).toBe('5');
      expect(health.body).toMatchObject({ status: 'unavailable', stores: { blocks: 'down' } });
      const got = await ann.fetch(`/blocks/${ann.rootNamespace}/${block!.id}`);
      expect(got.status).toBe(503);
      expect(got.headers.get('retry-after')).toBe('5');
      expect(await got.json()).toEqual({
        error: {
          code: 'unavailable',
          message: "the server's blocks storage cannot be reached; try again shortly",
        },
      });
    } finally {
      await s3.start();
    }
    const again = await ann.fetch(`/blocks/${ann.rootNamespace}/${block!.id}`);
    expect(again.status).toBe(200);
    expect(Buffer.from(await again.arrayBuffer()).equals(Buffer.from(block!.encoded))).toBe(true);
  });

  it('stays in service, degraded, while Redis is down', async () => {
    await redis.kill();
    try {
      await expect
        .poll(async () => (await server.request('GET', '/healthz')).body, { timeout: 5000 })
        .toEqual({ status: 'degraded', stores: { metadata: 'up', blocks: 'up', bus: 'down' } });
      expect((await ann.json('GET', '/account')).status).toBe(200);
    } finally {
      await redis.start();
    }
    await expect
      .poll(async () => (await server.request('GET', '/healthz')).status, { timeout: 10_000 })
      .toBe(200);
  });
});
