/**
 * Signing devices out (issue 7, item 9): POST /auth/logout, GET /devices, DELETE /devices/{id}.
 * A signed-out token is refused at once on every kind of endpoint (also through the metadata
 * read cache, which is on in these servers), another user's devices are invisible, and the
 * signed-out device's name stays in the history it made. Long-polls: device-sign-out.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceInfo, ListDevicesResponse } from 'sync-engine/protocol';
import { takeStoreSnapshot } from '../../test/store-snapshot.js';
import { commitContent, utf8 } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

let users = 0;
/**
 * A fresh user with two devices, each seen twice: the first request records last-seen (a write,
 * which empties the read cache), the second leaves the device's token lookup in the cache, where
 * a sign-out must not let it linger.
 */
async function userWithTwoDevices(): Promise<{ laptop: TestClient; phone: TestClient }> {
  const name = `user${++users}`;
  const laptop = await server.createUser(name, { deviceName: `${name}-laptop` });
  const phone = await server.login(laptop.email, laptop.password, `${name}-phone`);
  for (const device of [laptop, phone, laptop, phone]) {
    expect((await device.json('GET', '/account')).status).toBe(200);
  }
  return { laptop, phone };
}

async function devicesOf(client: TestClient): Promise<DeviceInfo[]> {
  const res = await client.json('GET', '/devices');
  expect(res.status).toBe(200);
  return [...(res.body as ListDevicesResponse).devices];
}

/** One request of each kind an authenticated device makes: reads, writes, bodies, params. */
function everyEndpointKind(client: TestClient): Promise<number>[] {
  const block = 'a'.repeat(64);
  return [
    client.json('GET', '/account'),
    client.json('GET', '/devices'),
    client.json('GET', '/files/list?path=/'),
    client.json('GET', '/changes/latest_cursor'),
    client.json('GET', '/shares'),
    client.json('POST', '/files/mkdir', { path: '/after-sign-out' }),
    client.send('POST', '/files/upload?uploadType=media&path=/late.txt', utf8('late')),
    client.send('PUT', `/blocks/${client.rootNamespace}/${block}`, utf8('x')),
    client.json('POST', '/auth/logout'),
    client.json('DELETE', `/devices/${client.deviceId}`),
  ].map(async (call) => {
    const res = await call;
    expect(res.body).toMatchObject({
      error: { code: 'unauthorized', message: expect.stringMatching(/sign in again/) },
    });
    return res.status;
  });
}

describe('POST /auth/logout', () => {
  it('signs out the calling device: its token is 401 on every endpoint kind at once', async () => {
    const { laptop, phone } = await userWithTwoDevices();
    const res = await phone.json('POST', '/auth/logout');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deviceId: phone.deviceId });
    expect(await Promise.all(everyEndpointKind(phone))).toEqual(Array(10).fill(401));
    // The other device of the same user is still signed in, and no longer lists the phone.
    expect((await devicesOf(laptop)).map((d) => d.id)).toEqual([laptop.deviceId]);
  });

  it('refuses a body with fields and leaves the device signed in', async () => {
    const { phone } = await userWithTwoDevices();
    const before = await takeStoreSnapshot(server.dataDir);
    const res = await phone.json('POST', '/auth/logout', { everywhere: true });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'invalid_request' } });
    expect(await takeStoreSnapshot(server.dataDir)).toEqual(before);
    expect((await phone.json('GET', '/account')).status).toBe(200);
  });

  it('lets the user log in again with a new, working token', async () => {
    const { laptop, phone } = await userWithTwoDevices();
    expect((await phone.json('POST', '/auth/logout')).status).toBe(200);
    const again = await server.login(laptop.email, laptop.password, 'phone again');
    expect(again.token).not.toBe(phone.token);
    expect(again.deviceId).not.toBe(phone.deviceId);
    expect((await again.json('GET', '/account')).status).toBe(200);
    expect((await phone.json('GET', '/account')).status).toBe(401);
  });
});

describe('GET /devices', () => {
  it("lists both of the caller's devices, marks the current one, and shows no secrets", async () => {
    const before = Date.now();
    const { laptop, phone } = await userWithTwoDevices();
    const other = await server.createUser('stranger', { deviceName: 'stranger-pc' });
    const fromPhone = await devicesOf(phone);
    expect(fromPhone.map((d) => [d.name, d.current])).toEqual([
      [`${laptop.email.split('@')[0]}-laptop`, false],
      [`${laptop.email.split('@')[0]}-phone`, true],
    ]);
    for (const device of fromPhone) {
      expect(Object.keys(device).sort()).toEqual(['created', 'current', 'id', 'lastSeen', 'name']);
      expect(device.created).toBeGreaterThanOrEqual(before);
      expect(device.lastSeen).toBeGreaterThanOrEqual(device.created);
      expect(device.lastSeen).toBeLessThanOrEqual(Date.now());
    }
    expect(fromPhone.map((d) => d.id)).toEqual([laptop.deviceId, phone.deviceId]);
    const fromLaptop = await devicesOf(laptop);
    expect(fromLaptop.filter((d) => d.current).map((d) => d.id)).toEqual([laptop.deviceId]);
    // Never another user's device, and nothing of the token in the answer.
    const text = JSON.stringify([fromPhone, fromLaptop]);
    expect(text).not.toContain(other.deviceId);
    expect(text).not.toContain('stranger');
    expect(text).not.toContain(phone.token);
    expect((await devicesOf(other)).map((d) => d.id)).toEqual([other.deviceId]);
  });
});

describe('DELETE /devices/{id}', () => {
  it('signs out another device: its token is 401 at once, the caller stays signed in', async () => {
    const { laptop, phone } = await userWithTwoDevices();
    const res = await laptop.json('DELETE', `/devices/${phone.deviceId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deviceId: phone.deviceId });
    expect(await Promise.all(everyEndpointKind(phone))).toEqual(Array(10).fill(401));
    expect((await devicesOf(laptop)).map((d) => d.id)).toEqual([laptop.deviceId]);
    // Deleting it again: it is gone.
    const again = await laptop.json('DELETE', `/devices/${phone.deviceId}`);
    expect(again.status).toBe(404);
  });

  it("answers another user's device exactly like a missing one (404) and changes nothing", async () => {
    const { laptop } = await userWithTwoDevices();
    const victim = await server.createUser('victim');
    const before = await takeStoreSnapshot(server.dataDir);
    const foreign = await laptop.json('DELETE', `/devices/${victim.deviceId}`);
    const missing = await laptop.json('DELETE', '/devices/d_doesNotExist0000');
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(foreign.body).toMatchObject({
      error: { code: 'not_found', message: expect.stringMatching(/no such device/) },
    });
    // The same message too, apart from the id itself.
    const messageOf = (body: unknown, id: string) =>
      (body as { error: { message: string } }).error.message.replace(id, 'ID');
    expect(messageOf(foreign.body, victim.deviceId)).toBe(
      messageOf(missing.body, 'd_doesNotExist0000'),
    );
    expect(await takeStoreSnapshot(server.dataDir)).toEqual(before);
    expect((await victim.json('GET', '/account')).status).toBe(200);
  });

  it('signs out the current device when given its own id, like POST /auth/logout', async () => {
    const { laptop, phone } = await userWithTwoDevices();
    const res = await phone.json('DELETE', `/devices/${phone.deviceId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deviceId: phone.deviceId });
    expect(await Promise.all(everyEndpointKind(phone))).toEqual(Array(10).fill(401));
    expect((await devicesOf(laptop)).map((d) => d.id)).toEqual([laptop.deviceId]);
  });

  it('signs a device out exactly once when several sign-outs of it race (10 rounds)', async () => {
    const { laptop, phone: tablet } = await userWithTwoDevices();
    for (let round = 0; round < 10; round++) {
      const phone = await server.login(laptop.email, laptop.password, `phone ${round}`);
      expect((await phone.json('GET', '/account')).status).toBe(200);
      const answers = await Promise.all([
        phone.json('POST', '/auth/logout'),
        laptop.json('DELETE', `/devices/${phone.deviceId}`),
        tablet.json('DELETE', `/devices/${phone.deviceId}`),
        phone.json('DELETE', `/devices/${phone.deviceId}`),
      ]);
      const statuses = answers.map((a) => a.status);
      // One wins; the phone's own other call finds its token dead (401) or the device gone
      // (404, when it passed authentication before the winner wrote); the others find it gone.
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.every((s) => [200, 401, 404].includes(s))).toBe(true);
      expect(statuses.slice(1, 3).every((s) => s === 200 || s === 404)).toBe(true);
      expect((await phone.json('GET', '/account')).status).toBe(401);
      expect((await devicesOf(laptop)).map((d) => d.id)).toEqual([
        laptop.deviceId,
        tablet.deviceId,
      ]);
    }
  });

  it("keeps a signed-out device's name in the history and activity it made", async () => {
    const { laptop, phone } = await userWithTwoDevices();
    const phoneName = (await devicesOf(phone)).find((d) => d.current)?.name;
    expect((await commitContent(phone, '/notes.txt', utf8('from the phone'))).status).toBe(200);
    expect((await laptop.json('DELETE', `/devices/${phone.deviceId}`)).status).toBe(200);
    const history = await laptop.json('GET', '/files/list_revisions?path=/notes.txt');
    expect(history.status).toBe(200);
    expect(history.body).toMatchObject({
      revisions: [{ deviceId: phone.deviceId, deviceName: phoneName }],
    });
    const activity = await laptop.json('GET', '/activity');
    expect((activity.body as { events: unknown[] }).events).toContainEqual(
      expect.objectContaining({ path: '/notes.txt', deviceName: phoneName }),
    );
  });
});
