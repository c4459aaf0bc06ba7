/**
 * First shares of one folder sent at once (issue 7 item 10): every one succeeds, all end in the
 * same namespace, each recipient reads the files byte-equal, and the conversions that lost the
 * race leave no blocks, bytes or quota behind once garbage is collected.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListSharesResponse, NamespaceId, ShareMetadata } from 'sync-engine/protocol';
import { openFaultyBlockStore, type FaultyBlockStore } from '../../test/faulty-block-store.js';
import { commitContent } from '../../test/test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

const ROUNDS = 10;

let dataDir: string;
let blocks: FaultyBlockStore;
let server: TestServer;
let ann: TestClient;
let recipients: TestClient[];
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ferry-concurrent-shares-'));
  blocks = await openFaultyBlockStore(dataDir);
  server = await startTestServer({ dataDir, gcGraceMs: 0, components: { blocks } });
  ann = await server.createUser('ann');
  recipients = [];
  for (const name of ['bob', 'cat', 'dan', 'eve']) recipients.push(await server.createUser(name));
});
afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function download(client: TestClient, filePath: string) {
  const res = await client.fetch(`/files/download?path=${encodeURIComponent(filePath)}`);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('first shares of one folder sent at once', () => {
  it(`all succeed into one namespace, ${ROUNDS} rounds of 2–4 parallel shares`, async () => {
    const sharedNamespaces = new Set<NamespaceId>();
    let totalBytes = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const folder = `/Round ${round}`;
      const files = [0, 1, 2].map(
        (i) =>
          [`/f${i}.bin`, seededBytes('random', 100 * round + i + 1, 5_000 + 1_000 * i)] as const,
      );
      for (const [name, content] of files) {
        await commitContent(ann, `${folder}${name}`, content);
        totalBytes += content.length;
      }
      const group = recipients.slice(0, 2 + (round % 3));
      const answers = await Promise.all(
        group.map((r) =>
          ann.json('POST', '/shares', { path: folder, email: r.email, role: 'editor' }),
        ),
      );
      expect(
        answers.map((a) => a.status),
        `round ${round}: ${JSON.stringify(answers.map((a) => a.body))}`,
      ).toEqual(group.map(() => 200));
      const namespaces = new Set(answers.map((a) => (a.body as ShareMetadata).namespace));
      expect(namespaces.size, `round ${round}`).toBe(1);
      sharedNamespaces.add([...namespaces][0]!);

      for (const recipient of group) {
        const received = ((await recipient.json('GET', '/shares')).body as ListSharesResponse)
          .received;
        const mine = received.find((s) => namespaces.has(s.namespace));
        expect(mine?.path).toBe(folder);
        for (const [name, content] of files) {
          const got = await download(recipient, `${folder}${name}`);
          expect(got.status).toBe(200);
          expect(got.bytes.equals(Buffer.from(content))).toBe(true);
        }
      }
    }

    // The losing conversions' re-encoded blocks are garbage: after a run, only the shared
    // namespaces hold bytes and ann is charged each file's bytes exactly once.
    await server.server.runPolicy();
    const stored: NamespaceId[] = [];
    for await (const namespace of blocks.listNamespaces()) stored.push(namespace);
    expect(stored.sort()).toEqual([...sharedNamespaces].sort());
    const account = (await ann.json('GET', '/account')).body as { usedBytes: number };
    expect(account.usedBytes).toBe(totalBytes);
  });
});
