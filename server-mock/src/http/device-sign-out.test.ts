/**
 * A signed-out device's open long-polls end at once with 401 (issue 7, item 9), not at their
 * timeout: signed out by another device, by itself, in a race with the poll's start, and from
 * another server instance sharing the data and the notification bus.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NamespaceId } from 'sync-engine/protocol';
import type { MetadataStore } from '../metadata/metadata-store.js';
import { openSqliteMetadataStore } from '../metadata/sqlite/sqlite-metadata-store.js';
import { InProcessNotificationBus } from '../notify/index.js';
import {
  startTestServer,
  type TestClient,
  type TestResponse,
  type TestServer,
} from '../../test/test-server.js';
import { waitForLongPolls } from '../../test/long-polls.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

/** Resolves to `promise`'s value, or to 'timed out' after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function longPoll(client: TestClient, timeoutS = 60): Promise<TestResponse> {
  const latest = await client.json('GET', '/changes/latest_cursor');
  const { cursor } = latest.body as { cursor: string };
  return client.json('GET', `/notifications/longpoll?cursor=${cursor}&timeout=${timeoutS}`);
}

function expectSignedOut(res: TestResponse | 'timed out'): void {
  expect(res === 'timed out' ? res : { status: res.status, body: res.body }).toEqual({
    status: 401,
    body: { error: { code: 'unauthorized', message: expect.stringMatching(/sign in again/) } },
  });
}

let users = 0;
async function userWithTwoDevices(target: TestServer = server) {
  const laptop = await target.createUser(`poller${++users}`);
  const phone = await target.login(laptop.email, laptop.password, 'phone');
  return { laptop, phone };
}

describe("a signed-out device's open long-poll", () => {
  it('ends within a second of DELETE /devices/{id} by another device', async () => {
    const { laptop, phone } = await userWithTwoDevices();
    const poll = longPoll(phone);
    await waitForLongPolls(server, 1);
    const deletedAt = Date.now();
    expect((await laptop.json('DELETE', `/devices/${phone.deviceId}`)).status).toBe(200);
    expectSignedOut(await within(poll, 5_000));
    expect(Date.now() - deletedAt).toBeLessThan(1_000);
    await waitForLongPolls(server, 0);
  });

  it('ends when the device signs itself out with POST /auth/logout', async () => {
    const { laptop, phone } = await userWithTwoDevices();
    const poll = longPoll(phone);
    const bystander = longPoll(laptop, 2);
    await waitForLongPolls(server, 2);
    expect((await phone.json('POST', '/auth/logout')).status).toBe(200);
    expectSignedOut(await within(poll, 5_000));
    // The other device's poll is not disturbed: it runs to its own timeout.
    const other = await bystander;
    expect({ status: other.status, body: other.body }).toEqual({
      status: 200,
      body: { changes: false },
    });
  });

  it('ends even when the sign-out races with the start of the poll (20 rounds)', async () => {
    const { laptop } = await userWithTwoDevices();
    for (let round = 0; round < 20; round++) {
      const phone = await server.login(laptop.email, laptop.password, `phone ${round}`);
      const { cursor } = (await phone.json('GET', '/changes/latest_cursor')).body as {
        cursor: string;
      };
      const [poll, deleted] = await Promise.all([
        within(phone.json('GET', `/notifications/longpoll?cursor=${cursor}&timeout=30`), 5_000),
        // A few event-loop turns later, so that some rounds land inside the poll's setup.
        new Promise((resolve) => setImmediate(resolve)).then(() =>
          laptop.json('DELETE', `/devices/${phone.deviceId}`),
        ),
      ]);
      expect(deleted.status).toBe(200);
      expectSignedOut(poll);
    }
  });
});

/**
 * The real SQLite store, with one fault: while armed, `listMounts` (which a long-poll calls
 * between authentication and subscribing to the bus) waits until the test releases it.
 */
function storeThatPausesListMounts(file: string) {
  const inner = openSqliteMetadataStore(file);
  let armed: { reached: () => void; released: Promise<void> } | undefined;
  const store: MetadataStore = {
    ...inner,
    async listMounts(namespace: NamespaceId) {
      const pause = armed;
      armed = undefined;
      if (pause) {
        pause.reached();
        await pause.released;
      }
      return inner.listMounts(namespace);
    },
  };
  /** Arms the pause; resolves `reached` when a call is held, which waits for `release()`. */
  const pauseNextListMounts = () => {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const reached = new Promise<void>((resolve) => (armed = { reached: resolve, released }));
    return { reached, release };
  };
  return { store, pauseNextListMounts };
}

describe('a sign-out between the poll passing authentication and subscribing', () => {
  it('still ends the poll at once (no lost wake-up)', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ferry-sign-out-'));
    const { store, pauseNextListMounts } = storeThatPausesListMounts(
      path.join(dataDir, 'metadata.db'),
    );
    // Cache off, so that the poll's listMounts reaches the store.
    const paused = await startTestServer({
      dataDir,
      metadataCacheEntries: 0,
      components: { store },
    });
    try {
      const { laptop, phone } = await userWithTwoDevices(paused);
      const { cursor } = (await phone.json('GET', '/changes/latest_cursor')).body as {
        cursor: string;
      };
      const pause = pauseNextListMounts();
      const poll = phone.json('GET', `/notifications/longpoll?cursor=${cursor}&timeout=60`);
      await pause.reached;
      expect((await laptop.json('DELETE', `/devices/${phone.deviceId}`)).status).toBe(200);
      pause.release();
      expectSignedOut(await within(poll, 5_000));
    } finally {
      await paused.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('with two server instances sharing the data and the bus', () => {
  const toRemove: string[] = [];
  const toClose: TestServer[] = [];
  afterEach(async () => {
    for (const s of toClose.splice(0)) await s.close();
    for (const dir of toRemove.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('a DELETE on instance B ends the long-poll held by instance A', async () => {
    const bus = new InProcessNotificationBus();
    const common = { metadataCacheEntries: 0, keepDataDir: true };
    const a = await startTestServer({ ...common, components: { bus } });
    const b = await startTestServer({ ...common, dataDir: a.dataDir, components: { bus } });
    toClose.push(b, a);
    toRemove.push(a.dataDir);
    const { laptop: laptopOnA, phone: phoneOnA } = await userWithTwoDevices(a);
    const laptopOnB = await b.login(laptopOnA.email, laptopOnA.password, 'laptop on b');
    const poll = longPoll(phoneOnA);
    await waitForLongPolls(a, 1);
    expect((await laptopOnB.json('DELETE', `/devices/${phoneOnA.deviceId}`)).status).toBe(200);
    expectSignedOut(await within(poll, 5_000));
    expect((await laptopOnA.json('GET', '/account')).status).toBe(200);
  });
});
