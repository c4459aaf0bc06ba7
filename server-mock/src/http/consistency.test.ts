import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListResponse, Rev } from 'sync-engine/protocol';
import { commitContent, utf8 } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let server: TestServer;
let writers: TestClient[];
let readers: TestClient[];
beforeAll(async () => {
  // The metadata cache is on (the default): whether it stays consistent is what is tested.
  server = await startTestServer();
  const ann = await server.createUser('ann', { deviceName: 'w0' });
  writers = [ann, await server.login(ann.email, ann.password, 'w1')];
  readers = [
    await server.login(ann.email, ann.password, 'r0'),
    await server.login(ann.email, ann.password, 'r1'),
  ];
});
afterAll(async () => server.close());

const COMMITS_PER_WRITER = 15;

describe('strong consistency with the metadata cache', () => {
  it('a read started after a commit was acknowledged sees that commit or a newer one', async () => {
    // acks[w] = revisions of writer w's file, in the order they were acknowledged.
    const acks: Rev[][] = writers.map(() => []);
    const violations: string[] = [];
    let isWriting = true;

    const write = async (w: number) => {
      let parentRev: Rev | null = null;
      for (let i = 0; i < COMMITS_PER_WRITER; i++) {
        const res = await commitContent(writers[w]!, `/c/w${w}.txt`, utf8(`${i}`), { parentRev });
        expect(res.status).toBe(200);
        parentRev = res.file.rev;
        acks[w]!.push(parentRev);
      }
    };
    const read = async (client: TestClient) => {
      while (isWriting) {
        const floor = acks.map((revs) => revs.length - 1);
        const listed = await client.json('GET', '/files/list?path=/c');
        const entries = (listed.body as ListResponse).entries;
        for (const [w, minimum] of floor.entries()) {
          if (minimum < 0) continue;
          const entry = entries.find((e) => e.path === `/c/w${w}.txt`);
          const rev = entry && 'rev' in entry ? entry.rev : undefined;
          // -1: committed but not acknowledged yet when we looked, so newer than the floor.
          const index = rev === undefined ? -2 : acks[w]!.indexOf(rev);
          if (index !== -1 && index < minimum) violations.push(`list w${w}: ${index} < ${minimum}`);
        }
        const w = floor.findIndex((m) => m >= 0);
        if (w >= 0) {
          const res = await client.fetch(`/files/download?path=/c/w${w}.txt`);
          const version = Number(await res.text());
          if (version < floor[w]!) violations.push(`download w${w}: ${version} < ${floor[w]}`);
        }
      }
    };

    const reading = readers.map(read);
    await Promise.all(writers.map((_, w) => write(w)));
    isWriting = false;
    await Promise.all(reading);
    expect(violations).toEqual([]);
    expect(acks.map((a) => a.length)).toEqual([COMMITS_PER_WRITER, COMMITS_PER_WRITER]);
  });
});
