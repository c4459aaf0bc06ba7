/**
 * Idle expiry of device sessions (issue 7, item 9: tokens never expired): a device the server
 * has not seen for `deviceIdleExpiryMs` is signed out, with a message that says to sign in
 * again; a device in use never expires. Time moves through the server's clock seam.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ListDevicesResponse } from 'sync-engine/protocol';
import { startTestServer, type TestServer } from '../../test/test-server.js';

const DAY_MS = 24 * 60 * 60 * 1000;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server whose clock the test moves forward (`advance`). */
async function startWithClock(deviceIdleExpiryMs: number) {
  let offsetMs = 0;
  server = await startTestServer({
    deviceIdleExpiryMs,
    components: { now: () => Date.now() + offsetMs },
  });
  return {
    server,
    advance(ms: number) {
      offsetMs += ms;
    },
  };
}

describe('a device unseen for the idle expiry', () => {
  it('is signed out: 401 unauthorized saying to sign in again, and no longer listed', async () => {
    const { server, advance } = await startWithClock(10 * DAY_MS);
    const laptop = await server.createUser('ann');
    const phone = await server.login(laptop.email, laptop.password, 'phone');
    advance(10 * DAY_MS + 60_000);
    const res = await phone.json('GET', '/account');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: {
        code: 'unauthorized',
        message: expect.stringMatching(/not used for 10 days.*sign in again/),
      },
    });
    // A fresh login works, and lists only itself: both old devices are expired.
    const again = await server.login(laptop.email, laptop.password, 'laptop again');
    const listed = await again.json('GET', '/devices');
    expect((listed.body as ListDevicesResponse).devices.map((d) => d.id)).toEqual([again.deviceId]);
    // An expired device cannot be signed out again: it is not there.
    expect((await again.json('DELETE', `/devices/${phone.deviceId}`)).status).toBe(404);
  });

  it('does not apply to a device in use: each request counts as seen', async () => {
    const { server, advance } = await startWithClock(10 * DAY_MS);
    const laptop = await server.createUser('bob');
    for (let day = 0; day < 30; day += 6) {
      advance(6 * DAY_MS);
      expect((await laptop.json('GET', '/account')).status).toBe(200);
    }
  });

  it('never applies when the expiry is 0', async () => {
    const { server, advance } = await startWithClock(0);
    const laptop = await server.createUser('cat');
    advance(3650 * DAY_MS);
    expect((await laptop.json('GET', '/account')).status).toBe(200);
  });
});
