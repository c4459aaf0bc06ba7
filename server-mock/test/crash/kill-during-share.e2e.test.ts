/**
 * A server SIGKILLed in the middle of a share conversion (issue 7 item 3) leaves pinned blocks
 * of a conversion that will never finish. After a restart the folder is still a plain folder
 * with every file intact; once the conversion has been idle past the timeout, one storage
 * policy run abandons it: no pin, no conversion row, no namespace, no block row or bytes of it,
 * nothing charged. Sharing the folder again then works.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NamespaceId } from 'sync-engine/protocol';
import { CONVERSION_IDLE_TIMEOUT_MS } from '../../src/sharing/convert-blocks.js';
import { openFaultyBlockStore } from '../faulty-block-store.js';
import { seededBytes } from 'sync-engine/testkit';
import { startTestServer, type TestServer } from '../test-server.js';
import { registerCrashClient } from './crash-client.js';
import { countRows as count } from '../services/test-databases.js';
import { spawnServerProcess, type ServerProcess } from './server-process.js';

const FILES = 120;
const SERVER = { scryptCost: 2 ** 10, codecWorkers: 1 };

let dataDir: string | undefined;
let child: ServerProcess | undefined;
let restarted: TestServer | undefined;
afterAll(async () => {
  await child?.kill();
  await restarted?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const content = (i: number) => seededBytes('random', i + 1, 700 + i);

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return false;
}

describe('server killed during a share conversion', () => {
  it('leaves the folder intact, and its abandoned conversion is collected without a trace', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ferry-crash-share-'));
    child = await spawnServerProcess({ dataDir, server: SERVER });
    const ann = await registerCrashClient(child.url, 'ann@test.example');
    await registerCrashClient(child.url, 'bob@test.example');
    for (let start = 0; start < FILES; start += 10) {
      const batch = Array.from({ length: 10 }, (_, k) => start + k);
      const answers = await Promise.all(
        batch.map((i) =>
          ann.send('POST', `/files/upload?uploadType=media&path=/Big/f${i}.bin`, content(i), {
            'content-type': 'application/octet-stream',
          }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(batch.map(() => 200));
    }
    const usedBefore = ((await ann.json('GET', '/account')).body as { usedBytes: number })
      .usedBytes;

    const sharing = ann
      .json('POST', '/shares', { path: '/Big', email: 'bob@test.example', role: 'editor' })
      .catch(() => undefined);
    const dir = dataDir;
    const pinnedSome = await waitFor(
      async () => (await count(dir, 'SELECT COUNT(*) AS n FROM conversion_block')) >= 3,
      20_000,
    );
    await child.kill();
    child = undefined;
    await sharing;
    expect(pinnedSome).toBe(true);
    // Killed mid-way: a conversion with some blocks pinned, and the folder not converted.
    expect(await count(dir, 'SELECT COUNT(*) AS n FROM folder_conversion')).toBe(1);
    expect(await count(dir, 'SELECT COUNT(*) AS n FROM conversion_block')).toBeLessThan(FILES);
    expect(await count(dir, "SELECT COUNT(*) AS n FROM namespace WHERE kind = 'shared'")).toBe(1);

    let nowMs = Date.now();
    const blocks = await openFaultyBlockStore(dir);
    restarted = await startTestServer({
      ...SERVER,
      dataDir: dir,
      gcGraceMs: 0,
      components: { blocks, now: () => nowMs },
    });
    const annAgain = await restarted.login('ann@test.example', 'password-ann@test.example');
    const bob = await restarted.login('bob@test.example', 'password-bob@test.example');
    const list = await annAgain.json('GET', '/files/list?path=/');
    expect(list.body).toMatchObject({
      entries: [expect.not.objectContaining({ mount: expect.anything() })],
    });

    // Within the idle timeout the pins hold (its server might only be slow).
    await restarted.server.runPolicy();
    expect(await count(dir, 'SELECT COUNT(*) AS n FROM folder_conversion')).toBe(1);
    nowMs += CONVERSION_IDLE_TIMEOUT_MS + 1;
    await restarted.server.runPolicy();
    for (const table of ['folder_conversion', 'conversion_block']) {
      expect(await count(dir, `SELECT COUNT(*) AS n FROM ${table}`), table).toBe(0);
    }
    expect(await count(dir, "SELECT COUNT(*) AS n FROM namespace WHERE kind = 'shared'")).toBe(0);
    expect(await count(dir, 'SELECT COUNT(*) AS n FROM block')).toBe(FILES);
    const stored: NamespaceId[] = [];
    for await (const namespace of blocks.listNamespaces()) stored.push(namespace);
    expect(stored).toEqual([annAgain.rootNamespace]);
    expect(((await annAgain.json('GET', '/account')).body as { usedBytes: number }).usedBytes).toBe(
      usedBefore,
    );

    const shared = await annAgain.json('POST', '/shares', {
      path: '/Big',
      email: bob.email,
      role: 'viewer',
    });
    expect(shared.status).toBe(200);
    for (let i = 0; i < FILES; i++) {
      const res = await bob.fetch(`/files/download?path=/Big/f${i}.bin`);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(content(i)))).toBe(true);
    }
  });
});
