import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodeFileSystem } from './disk/node-file-system.js';
import { createEngine, type Engine } from './engine.js';
import type { FileSystem } from './ports.js';
import {
  startRemoteTestServer,
  type RemoteTestServer,
  type TestDevice,
} from './testkit/remote-test-server.js';
import { useTempDir, waitUntil } from './testkit/index.js';

const tempDir = useTempDir('ferry-engine-');
let server: RemoteTestServer;
const engines: Engine[] = [];

async function startDevice(
  device: TestDevice,
  name: string,
  limits: {
    limitUpBytesPerSecond?: number;
    limitDownBytesPerSecond?: number;
    fs?: (folder: string) => FileSystem;
  } = {},
): Promise<{ engine: Engine; folder: string }> {
  const folder = path.join(tempDir(), name, 'Ferry');
  await mkdir(path.dirname(folder), { recursive: true });
  const { fs, ...rest } = limits;
  const engine = await createEngine({
    folder,
    ...(fs === undefined ? {} : { fs: fs(folder) }),
    statePath: path.join(tempDir(), name, 'state.sqlite'),
    serverUrl: server.url,
    token: device.login.token,
    userId: device.login.userId,
    rootNamespace: device.login.rootNamespace,
    email: device.email,
    deviceName: name,
    ...rest,
  });
  engines.push(engine);
  return { engine, folder };
}

beforeEach(async () => {
  server = await startRemoteTestServer();
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
  await server.close();
});

async function readOrUndefined(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined);
}

describe('a running engine', () => {
  it('brings a file dropped into one device to the other, through the watcher and the long-poll', async () => {
    const ann = await server.createUser('ann', 'A');
    const a = await startDevice(ann, 'A');
    const b = await startDevice(await server.addDevice(ann, 'B'), 'B');
    void a.engine.run();
    void b.engine.run();
    await waitUntil(async () => (await a.engine.getStatus()).state === 'idle', {
      timeoutMs: 20_000,
    });
    await waitUntil(async () => (await b.engine.getStatus()).state === 'idle', {
      timeoutMs: 20_000,
    });

    await writeFile(path.join(a.folder, 'hello.txt'), 'hello from A');
    await waitUntil(
      async () => (await readOrUndefined(path.join(b.folder, 'hello.txt'))) === 'hello from A',
      {
        timeoutMs: 20_000,
      },
    );
    const events = await b.engine.waitForEvents(0, 0);
    expect(events.events.map(({ event }) => event)).toContainEqual(
      expect.objectContaining({ type: 'synced', action: 'download', path: '/hello.txt' }),
    );

    await writeFile(path.join(b.folder, 'hello.txt'), 'edited on B');
    await waitUntil(
      async () => (await readOrUndefined(path.join(a.folder, 'hello.txt'))) === 'edited on B',
      {
        timeoutMs: 20_000,
      },
    );
  });
});

describe('the status while a transfer runs', () => {
  it('counts the files and bytes still to send, and none once they are sent', async () => {
    const ann = await server.createUser('ann', 'A');
    // 1 MB/s up: the 3 MB file takes seconds, long enough to look at the status meanwhile.
    const a = await startDevice(ann, 'A', { limitUpBytesPerSecond: 1_000_000 });
    void a.engine.run();
    await waitUntil(async () => (await a.engine.getStatus()).state === 'idle', {
      timeoutMs: 20_000,
    });
    await writeFile(path.join(a.folder, 'big.bin'), randomBytes(3_000_000));
    await writeFile(path.join(a.folder, 'small.txt'), 'small');
    await waitUntil(
      async () => {
        const { progress } = await a.engine.getStatus();
        return progress.filesPending === 2 && progress.bytesPending === 3_000_005;
      },
      { timeoutMs: 20_000 },
    );
    await waitUntil(
      async () => {
        const status = await a.engine.getStatus();
        return status.state === 'idle' && status.progress.filesPending === 0;
      },
      { timeoutMs: 30_000 },
    );
    const { progress } = await a.engine.getStatus();
    expect(progress.bytesPending).toBe(0);
    expect(progress.bytesUp).toBeGreaterThanOrEqual(3_000_000);
  });
});

async function longPollsAnswered(): Promise<number> {
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  return [
    ...metrics.matchAll(
      /^ferry_http_requests_total\{[^}]*route="\/notifications\/longpoll"[^}]*\} (\d+)$/gm,
    ),
  ]
    .map((match) => Number(match[1]))
    .reduce((sum, count) => sum + count, 0);
}

describe('the long-poll while a round runs', () => {
  it('polls again only after the round pulled, not once per answer', async () => {
    const ann = await server.createUser('ann', 'A');
    const a = await startDevice(ann, 'A');
    // 1 MB/s down: B's round spends seconds on the 8 MB file while A commits more.
    const b = await startDevice(await server.addDevice(ann, 'B'), 'B', {
      limitDownBytesPerSecond: 1_000_000,
    });
    void a.engine.run();
    void b.engine.run();
    for (const device of [a, b]) {
      await waitUntil(async () => (await device.engine.getStatus()).state === 'idle', {
        timeoutMs: 20_000,
      });
    }
    await writeFile(path.join(a.folder, 'big.bin'), randomBytes(8_000_000));
    await waitUntil(async () => (await b.engine.getStatus()).progress.bytesDown > 0, {
      timeoutMs: 20_000,
    });
    const before = await longPollsAnswered();
    await writeFile(path.join(a.folder, 'later.txt'), 'committed during B round');
    await waitUntil(
      async () =>
        (await readOrUndefined(path.join(b.folder, 'later.txt'))) === 'committed during B round',
      { timeoutMs: 30_000 },
    );
    // A few polls per round on each device; answering the same cursor again and again would
    // be about 2,000 during the seconds of B's download (measured before the fix).
    expect((await longPollsAnswered()) - before).toBeLessThan(20);
  });
});

/**
 * Devices A and B of one user, both running and idle, B's full scans counted (a scan lists
 * the root folder); `setMtimeDelayMs` makes B's disk slow to finish placing each file.
 */
async function startCountingScans(options: { setMtimeDelayMs?: number } = {}) {
  const ann = await server.createUser('ann', 'A');
  const a = await startDevice(ann, 'A');
  let scans = 0;
  const b = await startDevice(await server.addDevice(ann, 'B'), 'B', {
    fs: (folder) => {
      const real = createNodeFileSystem(folder);
      return {
        ...real,
        readDir: (dirPath, signal) => {
          if (dirPath === '/') scans += 1;
          return real.readDir(dirPath, signal);
        },
        setMtime: async (filePath, mtimeMs) => {
          await real.setMtime(filePath, mtimeMs);
          const delayMs = options.setMtimeDelayMs ?? 0;
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        },
      };
    },
  });
  void a.engine.run();
  void b.engine.run();
  for (const device of [a, b]) {
    await waitUntil(async () => (await device.engine.getStatus()).state === 'idle', {
      timeoutMs: 20_000,
    });
  }
  return { a, b, scansOnB: () => scans };
}

describe('scans while the watcher works', () => {
  it('does not scan for its own batches of downloads, whose rows are recorded only when each batch ends', async () => {
    // A slow disk: each file placed stays without its row until its batch ends and is
    // recorded, for longer than the watcher holds a fresh file (its stable time).
    const { a, b, scansOnB } = await startCountingScans({ setMtimeDelayMs: 200 });
    const before = scansOnB();
    // 600 files in 6 folders, prepared beside A's folder and moved in at once.
    const staging = path.join(tempDir(), 'staging');
    for (let folder = 0; folder < 6; folder++) {
      await mkdir(path.join(staging, `d${folder}`), { recursive: true });
      for (let file = 0; file < 100; file++) {
        await writeFile(path.join(staging, `d${folder}`, `f${file}.txt`), `${folder}/${file}`);
      }
    }
    await rename(staging, path.join(a.folder, 'many'));
    await waitUntil(
      async () => (await readOrUndefined(path.join(b.folder, 'many', 'd5', 'f99.txt'))) === '5/99',
      { timeoutMs: 60_000 },
    );
    await waitUntil(async () => (await b.engine.getStatus()).state === 'idle', {
      timeoutMs: 20_000,
    });
    for (let folder = 0; folder < 6; folder++) {
      for (let file = 0; file < 100; file += 33) {
        expect(
          await readFile(path.join(b.folder, 'many', `d${folder}`, `f${file}.txt`), 'utf8'),
        ).toBe(`${folder}/${file}`);
      }
    }
    // B's watcher saw every file placed while its batch ran; compared when the batch was
    // recorded, each matched its row.
    expect(scansOnB() - before).toBe(0);
  });

  it('does not scan the folder for what arrives from the server, and still finds a local edit', async () => {
    const { a, b, scansOnB } = await startCountingScans();
    const before = scansOnB();
    for (const name of ['one.txt', 'two.txt', 'three.txt']) {
      await writeFile(path.join(a.folder, name), `${name} from A`);
      await waitUntil(
        async () => (await readOrUndefined(path.join(b.folder, name))) === `${name} from A`,
        { timeoutMs: 20_000 },
      );
    }
    await waitUntil(async () => (await b.engine.getStatus()).state === 'idle', {
      timeoutMs: 20_000,
    });
    // Three rounds woken by the long-poll, three downloads seen by B's own watcher: the
    // local tree already held each, so no full scan.
    expect(scansOnB() - before).toBe(0);

    await writeFile(path.join(b.folder, 'two.txt'), 'edited on B');
    await waitUntil(
      async () => (await readOrUndefined(path.join(a.folder, 'two.txt'))) === 'edited on B',
      { timeoutMs: 20_000 },
    );
    expect(scansOnB() - before).toBeGreaterThan(0);
  });
});
