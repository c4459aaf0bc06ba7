import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRemoteTestServer, type RemoteTestServer } from '../testkit/remote-test-server.js';
import { RemoteError } from './remote-error.js';

const signal = () => AbortSignal.timeout(30_000);

/** The RemoteError a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<RemoteError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RemoteError);
  return error as RemoteError;
}

describe('accounts and devices against the real server', () => {
  let server: RemoteTestServer;
  beforeAll(async () => {
    server = await startRemoteTestServer({ loginMaxAttempts: 3 });
  });
  afterAll(() => server.close());

  it('registers, logs in, reads the account, logs out; the token is refused afterwards', async () => {
    const anonymous = server.client();
    const email = 'round-trip@test.example';
    const registered = await anonymous.register(
      { email, password: 'correct horse', name: 'Round Trip' },
      signal(),
    );
    const login = await anonymous.login(
      { email, password: 'correct horse', deviceName: 'laptop' },
      signal(),
    );
    expect(login.userId).toBe(registered.userId);
    expect(login.rootNamespace).toBe(registered.rootNamespace);

    const device = server.client({ token: login.token });
    const account = await device.getAccount(signal());
    expect(account).toMatchObject({ email, name: 'Round Trip', usedBytes: 0 });
    expect(account.quotaBytes).toBeGreaterThan(0);
    const devices = await device.listDevices(signal());
    expect(devices).toEqual([expect.objectContaining({ id: login.deviceId, current: true })]);

    expect(await device.logout(signal())).toEqual({ deviceId: login.deviceId });
    const refused = await rejection(device.getAccount(signal()));
    expect(refused).toMatchObject({ code: 'unauthorized', status: 401, isRetryable: false });
    expect(refused.message).toMatch(/^read the account: /);
  });

  it('maps a taken email and wrong credentials to their codes', async () => {
    const ann = await server.createUser('ann');
    const anonymous = server.client();
    const taken = await rejection(
      anonymous.register({ email: ann.email, password: 'whatever1', name: 'Ann 2' }, signal()),
    );
    expect(taken).toMatchObject({ code: 'email_taken', status: 409 });
    const wrong = await rejection(
      anonymous.login({ email: ann.email, password: 'wrong-password', deviceName: 'x' }, signal()),
    );
    expect(wrong).toMatchObject({ code: 'invalid_credentials', status: 401 });
  });

  it('gives rate_limited with retryAfterMs from Retry-After after repeated failed logins', async () => {
    const bob = await server.createUser('bob');
    const anonymous = server.client();
    const attempt = () =>
      rejection(
        anonymous.login({ email: bob.email, password: 'not-bobs', deviceName: 'x' }, signal()),
      );
    for (let i = 0; i < 3; i++) expect((await attempt()).code).toBe('invalid_credentials');
    const limited = await attempt();
    expect(limited).toMatchObject({ code: 'rate_limited', status: 429, isRetryable: true });
    expect(limited.retryAfterMs).toBeGreaterThan(0);
    expect(limited.retryAfterMs! % 1000).toBe(0);
  });

  it('gives unauthorized to a device another device signed out, at once', async () => {
    const cy = await server.createUser('cy');
    const phone = await server.addDevice(cy, 'phone');
    expect((await phone.client.getAccount(signal())).email).toBe(cy.email);
    const listed = await cy.client.listDevices(signal());
    expect(listed.map((d) => d.id).sort()).toEqual(
      [cy.login.deviceId, phone.login.deviceId].sort(),
    );

    await cy.client.signOutDevice(phone.login.deviceId, signal());
    const refused = await rejection(phone.client.listDevices(signal()));
    expect(refused.code).toBe('unauthorized');
    const again = await rejection(cy.client.signOutDevice(phone.login.deviceId, signal()));
    expect(again.code).toBe('not_found');
  });

  it('sends no token without one, and refuses a malformed token before any request', async () => {
    const refused = await rejection(server.client().getAccount(signal()));
    expect(refused.code).toBe('unauthorized');
    expect(() => server.client({ token: 'two words' })).toThrow(TypeError);
    expect(() => server.client({ token: 'x\r\nHost: evil' })).toThrow(TypeError);
  });
});
