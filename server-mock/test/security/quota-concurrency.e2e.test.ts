/**
 * The quota under concurrency (issue 7, item 2; SPEC: over quota → 507). Real parallel requests
 * against a 3 MiB quota: simple uploads, block PUTs, resumable session starts, and a mix of them
 * with commits. Whatever the interleaving, the bytes of the successful requests never add up to
 * more than the quota, `/account` never reports more, and every refusal is 507 quota_exceeded
 * (with the usage in its message) and leaves nothing stored. Each round uses a fresh user, and
 * every scenario runs several rounds.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBlock, hashBlock } from 'sync-engine/blocks';
import type { BlockId } from 'sync-engine/protocol';
import { seededBytes } from 'sync-engine/testkit';
import {
  startTestServer,
  type TestClient,
  type TestResponse,
  type TestServer,
} from '../test-server.js';

const KIB = 1024;
const MIB = 1024 * KIB;
const QUOTA = 3 * MIB;
const ROUNDS = 4;
const PARALLEL = 10;

let server: TestServer;
let users = 0;

beforeAll(async () => {
  server = await startTestServer({ defaultQuotaBytes: QUOTA });
});
afterAll(async () => server?.close());

const freshUser = () => server.createUser(`quota${users++}`);

/** Every response is a success or a proper quota refusal; returns which succeeded. */
function sortResponses(responses: readonly TestResponse[], okStatus = 200): boolean[] {
  return responses.map((res) => {
    if (res.status === okStatus) return true;
    expect(res.status).toBe(507);
    expect(res.body).toMatchObject({
      error: { code: 'quota_exceeded', message: expect.stringMatching(/\d+ of \d+ bytes used/) },
    });
    return false;
  });
}

const upload = (client: TestClient, p: string, content: Uint8Array) =>
  client.send('POST', `/files/upload?uploadType=media&path=${encodeURIComponent(p)}`, content);

async function startSession(client: TestClient, p: string, total: number) {
  return client.send(
    'POST',
    `/files/upload?uploadType=resumable&path=${encodeURIComponent(p)}`,
    new Uint8Array(0),
    { 'x-upload-content-length': String(total) },
  );
}

const sessionPathOf = (res: TestResponse) => new URL(res.headers.get('location') ?? '').pathname;

async function finishSession(client: TestClient, sessionPath: string, content: Uint8Array) {
  return client.send('PUT', sessionPath, content, {
    'content-range': `bytes 0-${content.length - 1}/${content.length}`,
  });
}

async function listedPaths(client: TestClient): Promise<string[]> {
  const res = await client.json('GET', '/files/list?path=/&recursive=true');
  return (res.body as { entries: Array<{ path: string }> }).entries.map((e) => e.path).sort();
}

async function stagedBytes(): Promise<number> {
  const dir = path.join(server.dataDir, 'uploads');
  const files = await readdir(dir).catch(() => [] as string[]);
  const sizes = await Promise.all(files.map(async (f) => (await stat(path.join(dir, f))).size));
  return sizes.reduce((a, b) => a + b, 0);
}

async function encodedBlock(client: TestClient, plain: Uint8Array) {
  return { id: hashBlock(plain) as BlockId, encoded: encodeBlock(plain, await client.keyOf()) };
}

describe('the quota holds under parallel requests', () => {
  it(`${PARALLEL} parallel simple uploads of 600 KiB against 3 MiB`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const client = await freshUser();
      const contents = Array.from({ length: PARALLEL }, (_, i) =>
        seededBytes('random', 1000 * round + i + 1, 600 * KIB),
      );
      const responses = await Promise.all(
        contents.map((content, i) => upload(client, `/f${i}.bin`, content)),
      );
      const ok = sortResponses(responses);
      const stored = contents.filter((_, i) => ok[i]).reduce((sum, c) => sum + c.length, 0);
      expect(stored).toBeLessThanOrEqual(QUOTA);
      expect(ok.filter(Boolean).length).toBeGreaterThan(0);
      expect(ok.filter((isOk) => !isOk).length).toBeGreaterThan(0);
      // Refused uploads left no file and no charged block behind.
      expect(await client.usedBytes()).toBe(stored);
      expect(await listedPaths(client)).toEqual(
        contents.flatMap((_, i) => (ok[i] ? [`/f${i}.bin`] : [])).sort(),
      );
    }
  });

  it(`${PARALLEL} parallel block PUTs of 600 KiB against 3 MiB`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const client = await freshUser();
      const blocks = await Promise.all(
        Array.from({ length: PARALLEL }, (_, i) =>
          encodedBlock(client, seededBytes('random', 2000 * round + i + 1, 600 * KIB)),
        ),
      );
      const responses = await Promise.all(
        blocks.map((b) => client.send('PUT', `/blocks/${client.rootNamespace}/${b.id}`, b.encoded)),
      );
      const ok = sortResponses(responses);
      const stored = ok.filter(Boolean).length * 600 * KIB;
      expect(stored).toBeLessThanOrEqual(QUOTA);
      expect(ok.filter((isOk) => !isOk).length).toBeGreaterThan(0);
      expect(await client.usedBytes()).toBe(stored);
      const check = await client.json('POST', '/blocks/check', {
        namespace: client.rootNamespace,
        hashes: blocks.map((b) => b.id),
      });
      expect((check.body as { missing: string[] }).missing.sort()).toEqual(
        blocks.flatMap((b, i) => (ok[i] ? [] : [b.id])).sort(),
      );
    }
  });

  it(`${PARALLEL} parallel resumable starts of 1 MiB against 3 MiB: refused at the start, never after the bytes`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const client = await freshUser();
      const contents = Array.from({ length: PARALLEL }, (_, i) =>
        seededBytes('random', 3000 * round + i + 1, MIB),
      );
      const starts = await Promise.all(
        contents.map((c, i) => startSession(client, `/r${i}.bin`, c.length)),
      );
      const opened = sortResponses(starts);
      expect(opened.filter(Boolean).length * MIB).toBeLessThanOrEqual(QUOTA);
      expect(opened.filter((isOpen) => !isOpen).length).toBeGreaterThan(0);
      // Every session that opened can finish: its bytes were reserved when it started.
      const finishes = await Promise.all(
        contents.flatMap((content, i) =>
          opened[i] ? [finishSession(client, sessionPathOf(starts[i]!), content)] : [],
        ),
      );
      for (const res of finishes) expect(res.status).toBe(200);
      expect(await stagedBytes()).toBe(0);
      expect(await client.usedBytes()).toBe(finishes.length * MIB);
    }
  });

  it('a mix of simple uploads, block PUTs with commits and resumable uploads', async () => {
    const SIZE = 600 * KIB;
    for (let round = 0; round < ROUNDS; round++) {
      const client = await freshUser();
      const key = await client.keyOf();
      const seed = (i: number) => 4000 * round + i + 1;
      const simple = async (i: number) => {
        const content = seededBytes('random', seed(i), SIZE);
        return (await upload(client, `/m${i}.bin`, content)).status === 200 ? [`/m${i}.bin`] : [];
      };
      const putAndCommit = async (i: number) => {
        const plain = seededBytes('random', seed(i), SIZE);
        const id = hashBlock(plain) as BlockId;
        const put = await client.send(
          'PUT',
          `/blocks/${client.rootNamespace}/${id}`,
          encodeBlock(plain, key),
        );
        sortResponses([put]);
        if (put.status !== 200) return [];
        const commit = await client.json('POST', '/files/commit', {
          path: `/c${i}.bin`,
          blocks: [id],
          size: SIZE,
          modified: 1_700_000_000_000,
          parentRev: null,
        });
        expect(commit.status).toBe(200);
        return [`/c${i}.bin`];
      };
      const resumable = async (i: number) => {
        const content = seededBytes('random', seed(i), SIZE);
        const start = await startSession(client, `/s${i}.bin`, SIZE);
        sortResponses([start]);
        if (start.status !== 200) return [];
        expect((await finishSession(client, sessionPathOf(start), content)).status).toBe(200);
        return [`/s${i}.bin`];
      };
      const tasks = [simple, putAndCommit, resumable].flatMap((task, kind) =>
        Array.from({ length: 4 }, (_, j) => task(kind * 10 + j)),
      );
      const landed = (await Promise.all(tasks)).flat();
      expect(landed.length).toBeGreaterThan(0);
      expect(landed.length * SIZE).toBeLessThanOrEqual(QUOTA);
      expect(await client.usedBytes()).toBe(landed.length * SIZE);
      expect(await listedPaths(client)).toEqual(landed.sort());
    }
  });
});
