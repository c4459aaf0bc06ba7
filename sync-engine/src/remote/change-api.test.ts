import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEntry } from '../protocol/index.js';
import { waitUntil } from '../testkit/index.js';
import {
  startRemoteTestServer,
  type RemoteTestServer,
  type TestDevice,
} from '../testkit/remote-test-server.js';
import { RemoteError } from './remote-error.js';

const signal = () => AbortSignal.timeout(30_000);
const text = (value: string) => new TextEncoder().encode(value);

/** How many long-polls the server is holding open (its own gauge). */
async function openLongPolls(server: RemoteTestServer): Promise<number> {
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^ferry_longpolls_active (\d+)$/m.exec(metrics)?.[1] ?? 0);
}

function waitForPolls(server: RemoteTestServer, count: number): Promise<void> {
  return waitUntil(async () => (await openLongPolls(server)) >= count, {
    timeoutMs: 10_000,
    what: `${count} open long-polls`,
  });
}

describe('the journal and long-polls against the real server', () => {
  let server: RemoteTestServer;
  let now = Date.now();
  let ann: TestDevice;
  let phone: TestDevice;
  beforeAll(async () => {
    server = await startRemoteTestServer({ now: () => now });
    ann = await server.createUser('ann');
    phone = await server.addDevice(ann, 'phone');
  });
  afterAll(() => server.close());

  it('reads the changes after a cursor, page by page', async () => {
    const cursor = await ann.client.getLatestCursor(signal());
    await phone.client.createFolder('/Paged', signal());
    for (const name of ['a', 'b', 'c']) {
      await phone.client.uploadFile({ path: `/Paged/${name}.txt`, body: text(name) }, signal());
    }
    const seen: ChangeEntry[] = [];
    let position = cursor;
    for (;;) {
      const page = await ann.client.listChanges({ cursor: position, limit: 2 }, signal());
      if (page.kind !== 'changes') throw new Error(page.kind);
      seen.push(...page.entries);
      position = page.cursor;
      if (!page.hasMore) break;
    }
    expect(seen.map((e) => [e.tag, e.path])).toEqual([
      ['folder', '/Paged'],
      ['file', '/Paged/a.txt'],
      ['file', '/Paged/b.txt'],
      ['file', '/Paged/c.txt'],
    ]);
    const after = await ann.client.listChanges({ cursor: position }, signal());
    expect(after).toMatchObject({ kind: 'changes', entries: [], hasMore: false });
    const garbage = await ann.client
      .listChanges({ cursor: 'not-a-cursor' as typeof cursor }, signal())
      .catch((error: unknown) => error);
    expect(garbage).toMatchObject({ code: 'invalid_cursor' });
  });

  it('wakes a long-poll with changes: true when another device commits', async () => {
    const cursor = await ann.client.getLatestCursor(signal());
    const before = await openLongPolls(server);
    const poll = ann.client.longPoll({ cursor, timeoutSeconds: 60 }, signal());
    await waitForPolls(server, before + 1);
    await phone.client.uploadFile({ path: '/wake.txt', body: text('wake up') }, signal());
    expect(await poll).toEqual({ changes: true });
  });

  it('ends a long-poll with changes: false after its timeout', async () => {
    const cursor = await ann.client.getLatestCursor(signal());
    expect(await ann.client.longPoll({ cursor, timeoutSeconds: 1 }, signal())).toEqual({
      changes: false,
    });
    await expect(ann.client.longPoll({ cursor, timeoutSeconds: 0 }, signal())).rejects.toThrow(
      RangeError,
    );
  });

  it('aborts a waiting long-poll promptly when its signal fires', async () => {
    const cursor = await ann.client.getLatestCursor(signal());
    const before = await openLongPolls(server);
    const controller = new AbortController();
    const poll = ann.client.longPoll({ cursor, timeoutSeconds: 300 }, controller.signal);
    await waitForPolls(server, before + 1);
    const abortedAt = Date.now();
    controller.abort(new Error('the engine stops'));
    const error = await poll.catch((caught: unknown) => caught);
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ code: 'aborted', isRetryable: false });
    expect((error as RemoteError).cause).toEqual(new Error('the engine stops'));
    // The server notices the closed connection and lets the poll go.
    await waitUntil(async () => (await openLongPolls(server)) === before, {
      what: 'the aborted poll released on the server',
    });
  });

  it('ends the long-poll of a device signed out meanwhile with unauthorized', async () => {
    const tablet = await server.addDevice(ann, 'tablet');
    const cursor = await tablet.client.getLatestCursor(signal());
    const before = await openLongPolls(server);
    const poll = tablet.client.longPoll({ cursor, timeoutSeconds: 300 }, signal());
    await waitForPolls(server, before + 1);
    // Watched before the sign-out: the poll may end before the sign-out's own answer arrives.
    const ended = expect(poll).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    await ann.client.signOutDevice(tablet.login.deviceId, signal());
    await ended;
  });

  it('returns cursor_expired for a cursor older than the journal retention', async () => {
    await ann.client.uploadFile({ path: '/doomed.txt', body: text('x') }, signal());
    const old = await ann.client.getLatestCursor(signal());
    await ann.client.deletePath('/doomed.txt', signal());
    now += 31 * 24 * 60 * 60 * 1000;
    await server.server.runPolicy();
    expect(await ann.client.listChanges({ cursor: old }, signal())).toEqual({
      kind: 'cursor_expired',
    });
    const fresh = await ann.client.getLatestCursor(signal());
    expect((await ann.client.listChanges({ cursor: fresh }, signal())).kind).toBe('changes');
  });

  it('lists activity oldest first after a cursor', async () => {
    const first = await ann.client.listActivity({ limit: 1 }, signal());
    expect(first.events).toHaveLength(1);
    expect(first.hasMore).toBe(true);
    const rest = await ann.client.listActivity({ cursor: first.cursor }, signal());
    expect(rest.events.length).toBeGreaterThan(0);
    expect(rest.events[0]!.id).toBeGreaterThan(first.events[0]!.id);
    expect(rest.events.map((e) => e.kind)).toContain('file_added');
  });
});

describe('a long-poll during a server shutdown', () => {
  it('ends with changes: false and the backoff the server asks for, in ms', async () => {
    const server = await startRemoteTestServer();
    try {
      const ann = await server.createUser('ann');
      const cursor = await ann.client.getLatestCursor(signal());
      const poll = ann.client.longPoll({ cursor, timeoutSeconds: 300 }, signal());
      await waitForPolls(server, 1);
      const closing = server.server.close();
      expect(await poll).toEqual({ changes: false, backoffMs: 1000 });
      await closing;
      const offline = await ann.client.getAccount(signal()).catch((error: unknown) => error);
      expect(offline).toMatchObject({ code: 'network_error', isRetryable: true });
    } finally {
      await server.close();
    }
  });
});
