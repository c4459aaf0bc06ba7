/**
 * SPEC "No data loss": the server is SIGKILLed in the middle of concurrent block uploads,
 * commits and resumable uploads, at seeded moments, then restarted on the same data dir and
 * port. Every acknowledged commit must be intact, nothing half-committed may be visible, and
 * every open resumable session must resume. Set FERRY_CRASH_SEED to replay a run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registerCrashClient, type CrashClient } from './crash-client.js';
import { CrashLedger } from './crash-ledger.js';
import { checkAckedCommits, checkNoHalfCommits, resumeOpenSessions } from './crash-verify.js';
import { createSeededRandom } from 'sync-engine/testkit';
import { startCrashRound } from './crash-workload.js';
import { spawnServerProcess, type ServerProcess } from './server-process.js';

const BASE_SEED = Number(process.env.FERRY_CRASH_SEED ?? 20261123);
const ROUNDS = 3;
const SERVER = { scryptCost: 2 ** 10, codecWorkers: 1, versionLimit: 1000 };

let dataDir: string | undefined;
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.kill();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function verify(client: CrashClient, ledger: CrashLedger): Promise<string[]> {
  return [
    ...(await checkAckedCommits(client, ledger)),
    ...(await checkNoHalfCommits(client, ledger)),
    ...(await resumeOpenSessions(client, ledger)),
    // Resumed sessions are now acknowledged commits too.
    ...(await checkAckedCommits(client, ledger)),
  ];
}

describe('server killed during writes', () => {
  it(`keeps acknowledged data, shows no half-commit and resumes uploads (seed ${BASE_SEED})`, async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ferry-crash-'));
    server = await spawnServerProcess({ dataDir, server: SERVER });
    const port = server.port;
    const client = await registerCrashClient(server.url, 'crash@test.example');
    const ledger = new CrashLedger();
    const random = createSeededRandom(BASE_SEED);

    for (let round = 1; round <= ROUNDS; round++) {
      const seed = BASE_SEED + round;
      // The kill moment: after a seeded number of acknowledged commits plus a seeded delay,
      // so it lands mid-request whatever the machine's speed.
      const killAfterAcks = ledger.acked.length + 2 + Math.floor(random() * 10);
      const extraDelayMs = Math.floor(random() * 300);
      const work = await startCrashRound({ client, ledger, round, seed, writers: 3, uploaders: 3 });
      await ledger.waitForAcks(killAfterAcks, 20_000);
      await new Promise((resolve) => setTimeout(resolve, extraDelayMs));
      work.stop();
      await server.kill();
      await work.done;
      expect(ledger.unexpected, `round ${round} seed ${seed}`).toEqual([]);

      server = await spawnServerProcess({ dataDir, port, server: SERVER });
      const problems = await verify(client, ledger);
      expect(problems, `round ${round} seed ${seed}`).toEqual([]);
    }
    // The run did what it claims: commits were acknowledged and sessions were left open.
    expect(ledger.acked.length).toBeGreaterThan(ROUNDS * 2);
    expect(ledger.sessions.filter((s) => s.ackedBytes < s.content.length).length).toBeGreaterThan(
      0,
    );
    expect(ledger.resumedSessions).toBeGreaterThan(0);
    await server.stop();
    server = undefined;
  });
});
