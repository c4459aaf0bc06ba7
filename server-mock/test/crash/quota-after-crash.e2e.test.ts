/**
 * Quota reservations a crash leaves behind do not hold quota forever (issue 7, item 2). A simple
 * upload reserves its declared length before it reads its body; if the server dies meanwhile the
 * reservation row stays in the database. On restart the embedded server drops every reservation
 * that is not an open resumable session's. A request's reservation is a lease its server renews
 * while the request runs (REQUEST_LEASE_MS): once no server renews it (with shared metadata, the
 * instance that held it crashed) it stops counting, and the storage policy deletes it.
 */
import { request as httpRequest, type ClientRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { seededBytes } from 'sync-engine/testkit';
import { startTestServer, type TestServer } from '../test-server.js';
import { registerCrashClient, type CrashClient } from './crash-client.js';
import { countRows } from '../services/test-databases.js';
import { REQUEST_LEASE_MS } from '../../src/transfer/quota-reservation.js';
import { spawnServerProcess, type ServerProcess } from './server-process.js';

const QUOTA = 3 * 1024 * 1024;
const SERVER = { defaultQuotaBytes: QUOTA, scryptCost: 2 ** 10, codecWorkers: 1 };

let dataDir: string | undefined;
let proc: ServerProcess | undefined;
let server: TestServer | undefined;
let held: ClientRequest | undefined;
afterEach(async () => {
  held?.destroy();
  held = undefined;
  await proc?.kill();
  proc = undefined;
  await server?.close();
  server = undefined;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

type Caller = Pick<CrashClient, 'send'>;

/**
 * A simple upload declaring the whole quota whose body stays open: it reserves the quota at
 * once and then waits for bytes that never come. Resolves once its reservation row is written.
 */
async function holdQuota(baseUrl: string, token: string, dir: string): Promise<void> {
  held = httpRequest(`${baseUrl}/files/upload?uploadType=media&path=/held.bin`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/octet-stream',
      'content-length': String(QUOTA),
    },
  });
  // The server's death or the test's cleanup cuts it off.
  held.on('error', () => undefined);
  held.write(seededBytes('random', 5, 64 * 1024));
  await vi.waitFor(async () => expect(await reservationRows(dir)).toBe(1), { timeout: 10_000 });
}

/**
 * One byte uploaded onto the folder /dir: 507 while the quota is reserved; otherwise the byte is
 * stored, the commit fails (a folder is in the way, 409) and the byte is discarded again.
 */
const probe = (client: Caller) =>
  client.send('POST', '/files/upload?uploadType=media&path=/dir', new Uint8Array([1]));

const reservationRows = (dir: string) =>
  countRows(dir, 'SELECT COUNT(*) AS n FROM quota_reservation');

describe('quota reserved by a request that never finished', () => {
  it('is free again after the server is killed and restarted', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ferry-quota-crash-'));
    proc = await spawnServerProcess({ dataDir, server: SERVER });
    const client = await registerCrashClient(proc.url, 'crash@test.example');
    expect((await client.json('POST', '/files/mkdir', { path: '/dir' })).status).toBe(200);
    await holdQuota(proc.url, client.token, dataDir);
    expect((await probe(client)).status).toBe(507);
    await proc.kill();
    expect(await reservationRows(dataDir)).toBe(1);
    proc = await spawnServerProcess({ dataDir, port: proc.port, server: SERVER });
    if (process.env.FERRY_TEST_POSTGRES_URL !== undefined) {
      // Shared metadata: at start an instance cannot tell a dead request's reservation from a
      // live one of another instance, so it stays until its lease runs out (the next test).
      expect((await probe(client)).status).toBe(507);
      return;
    }
    expect((await probe(client)).status).toBe(409);
    const full = await client.send(
      'POST',
      '/files/upload?uploadType=media&path=/after.bin',
      seededBytes('random', 6, QUOTA),
    );
    expect(full.status).toBe(200);
  });

  it('stops counting when its lease runs out unrenewed, and the policy run deletes it', async () => {
    let now = 1_700_000_000_000;
    server = await startTestServer({ ...SERVER, components: { now: () => now } });
    const client = await server.createUser('ann');
    expect((await client.json('POST', '/files/mkdir', { path: '/dir' })).status).toBe(200);
    await holdQuota(server.url, client.token, server.dataDir);
    expect((await probe(client)).status).toBe(507);
    // The server's clock jumps past the lease before any renewal (one every 40 s of real time).
    now += REQUEST_LEASE_MS + 1;
    expect((await probe(client)).status).toBe(409);
    expect(await reservationRows(server.dataDir)).toBe(1);
    await server.server.runPolicy();
    expect(await reservationRows(server.dataDir)).toBe(0);
  });
});
