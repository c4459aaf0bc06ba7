import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../engine.js';
import { createRemoteClient, type RemoteClient } from '../remote/index.js';
import { useTempDir, waitUntil } from '../testkit/index.js';
import {
  startRemoteTestServer,
  type RemoteTestServer,
  type TestDevice,
} from '../testkit/remote-test-server.js';

const tempDir = useTempDir('ferry-folder-rename-');
let server: RemoteTestServer;
const engines: Engine[] = [];
beforeEach(async () => {
  server = await startRemoteTestServer();
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
  await server.close();
});

/** The real client, with a count of the calls made through it. */
function countingRemote(
  baseUrl: string,
  token: string,
): { remote: RemoteClient; calls: Map<string, number> } {
  const real = createRemoteClient({ baseUrl, token });
  const calls = new Map<string, number>();
  const remote = new Proxy(real, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { remote, calls };
}

async function startDevice(device: TestDevice, name: string) {
  const folder = path.join(tempDir(), name, 'Ferry');
  const counted = countingRemote(server.url, device.login.token);
  const engine = await createEngine({
    folder,
    statePath: path.join(tempDir(), `${name}.sqlite`),
    serverUrl: server.url,
    token: device.login.token,
    userId: device.login.userId,
    rootNamespace: device.login.rootNamespace,
    email: device.email,
    deviceName: name,
    remote: counted.remote,
  });
  engines.push(engine);
  return { engine, folder, calls: counted.calls };
}

const idle = async (engine: Engine) => (await engine.getStatus()).state === 'idle';

describe('the watcher and the scan see a folder rename as one move', () => {
  it(
    'renaming a folder of 1,000 files is one /files/move and no block upload; the other device moves it too',
    { timeout: 240_000 },
    async () => {
      const ann = await server.createUser('ann', 'A');
      const a = await startDevice(ann, 'A');
      const b = await startDevice(await server.addDevice(ann, 'B'), 'B');
      await mkdir(path.join(a.folder, 'photos/2026'), { recursive: true });
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          writeFile(path.join(a.folder, 'photos/2026', `p${i}.txt`), `photo ${i}`),
        ),
      );
      expect((await a.engine.syncOnce()).agreed).toBe(true);
      expect((await b.engine.syncOnce()).agreed).toBe(true);
      void a.engine.run();
      await waitUntil(() => idle(a.engine), { timeoutMs: 30_000 });
      const before = new Map(a.calls);
      const count = (name: string) => (a.calls.get(name) ?? 0) - (before.get(name) ?? 0);

      await rename(path.join(a.folder, 'photos'), path.join(a.folder, 'album'));
      await waitUntil(() => count('movePath') === 1 && idle(a.engine), {
        timeoutMs: 30_000,
        what: 'the move',
      });
      expect(count('movePath')).toBe(1);
      // Single and batch calls (small files go in batches).
      expect(count('putBlock') + count('putBlocks')).toBe(0);
      expect(count('commitFile') + count('commitFiles')).toBe(0);
      expect(count('deletePath')).toBe(0);
      const listing = await server
        .client({ token: ann.login.token })
        .listFolder({ path: '/album/2026' }, AbortSignal.timeout(10_000));
      expect(listing.length).toBe(1000);

      const bBefore = new Map(b.calls);
      expect((await b.engine.syncOnce()).agreed).toBe(true);
      const bCount = (name: string) => (b.calls.get(name) ?? 0) - (bBefore.get(name) ?? 0);
      expect(bCount('getBlock') + bCount('getBlocks')).toBe(0);
      const events = (await b.engine.waitForEvents(0, 0)).events.map(({ event }) => event);
      expect(
        events.filter((event) => event.type === 'synced' && event.action === 'move_local'),
      ).toHaveLength(1);
    },
  );
});

describe('a file still being written', () => {
  it(
    'is committed once, with its final content, when written slowly over 5 s',
    { timeout: 60_000 },
    async () => {
      const ann = await server.createUser('ann', 'A');
      const a = await startDevice(ann, 'A');
      void a.engine.run();
      await waitUntil(() => idle(a.engine), { timeoutMs: 30_000 });
      const commits = () => (a.calls.get('commitFile') ?? 0) + (a.calls.get('commitFiles') ?? 0);
      const before = commits();
      const file = path.join(a.folder, 'recording.wav');
      const { open } = await import('node:fs/promises');
      const handle = await open(file, 'w');
      const pieces: string[] = [];
      for (let i = 0; i < 20; i += 1) {
        const piece = `piece ${i} `.repeat(1000);
        pieces.push(piece);
        await handle.write(piece);
        await new Promise((resolve) => setTimeout(resolve, 250)); // the writer's own pace
      }
      await handle.close();
      const history = () =>
        server
          .client({ token: ann.login.token })
          .listRevisions({ path: '/recording.wav' }, AbortSignal.timeout(10_000))
          .catch(() => undefined);
      await waitUntil(
        async () => (await history())?.revisions.length === 1 && (await idle(a.engine)),
        {
          timeoutMs: 30_000,
          what: 'the commit',
        },
      );
      // One commit request: a single one, or a batch (small files).
      expect(commits() - before).toBe(1);
      const revisions = (await history())!.revisions;
      expect(revisions[0]!.size).toBe(Buffer.byteLength(pieces.join('')));
    },
  );
});
