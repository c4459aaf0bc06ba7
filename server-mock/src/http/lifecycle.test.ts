import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessNotificationBus } from '../notify/index.js';
import { utf8 } from '../../test/test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import { waitForLongPolls } from '../../test/long-polls.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';

let toClose: TestServer[] = [];
afterEach(async () => {
  for (const s of toClose) await s.close();
  toClose = [];
});

describe('server lifecycle', () => {
  it('releases what it opened when it cannot listen (port taken)', async () => {
    const first = await startTestServer();
    toClose.push(first);
    const bus = new InProcessNotificationBus();
    const port = Number(new URL(first.url).port);
    await expect(startTestServer({ port, components: { bus } })).rejects.toThrow(/EADDRINUSE/);
    // The second server closed the components it was given before reporting the failure.
    await expect(bus.subscribe(['topic'], () => undefined)).rejects.toThrow();
  });

  it('lets an in-flight download finish during a graceful shutdown, then refuses connections', async () => {
    const server = await startTestServer();
    const ann = await server.createUser('ann');
    const content = seededBytes('random', 21, 12 * 1024 * 1024);
    await ann.send('POST', '/files/upload?uploadType=media&path=/big.bin', content);
    const res = await ann.fetch('/files/download?path=/big.bin');
    expect(res.status).toBe(200);
    const reading = res.arrayBuffer();
    const closing = server.close();
    const bytes = Buffer.from(await reading);
    // Shutdown must not wait for the download's keep-alive socket to time out (72 s).
    const outcome = await Promise.race([
      closing.then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still open after 8 s'), 8_000).unref()),
    ]);
    expect(outcome).toBe('closed');
    expect(bytes.equals(Buffer.from(content))).toBe(true);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('wakes a long-poll on one instance for a commit on another sharing the data and the bus', async () => {
    const bus = new InProcessNotificationBus();
    const common = { metadataCacheEntries: 0, keepDataDir: true };
    const a = await startTestServer({ ...common, components: { bus } });
    const b = await startTestServer({ ...common, dataDir: a.dataDir, components: { bus } });
    toClose.push(b, a);
    const annOnA = await a.createUser('ann');
    const annOnB = await b.login(annOnA.email, annOnA.password, 'other');
    const cursor = ((await annOnA.json('GET', '/changes/latest_cursor')).body as { cursor: string })
      .cursor;
    const poll = annOnA.json('GET', `/notifications/longpoll?cursor=${cursor}&timeout=30`);
    await waitForLongPolls(a, 1);
    expect(
      (await annOnB.send('POST', '/files/upload?uploadType=media&path=/via-b.txt', utf8('b')))
        .status,
    ).toBe(200);
    expect((await poll).body).toEqual({ changes: true });
    const seen = await annOnA.fetch('/files/download?path=/via-b.txt');
    expect(await seen.text()).toBe('b');
    toClose = [];
    await b.close();
    await a.close();
    await rm(a.dataDir, { recursive: true, force: true });
  });
});
