import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ loginMaxAttempts: 3 });
});
afterAll(async () => server.close());

describe('POST /auth/register', () => {
  it('creates a user with a root namespace, and refuses the same email in another case', async () => {
    const res = await server.request('POST', '/auth/register', {
      body: { email: 'Reg@Test.example', password: 'long-enough', name: 'Reg' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      userId: expect.any(String),
      rootNamespace: expect.any(String),
    });
    const again = await server.request('POST', '/auth/register', {
      body: { email: 'reg@test.EXAMPLE', password: 'long-enough', name: 'Reg' },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'email_taken' } });
  });

  it.each([
    ['short password', { email: 'a@b.c', password: 'short', name: 'x' }],
    ['bad email', { email: 'no-at-sign', password: 'long-enough', name: 'x' }],
    ['missing name', { email: 'a@b.c', password: 'long-enough' }],
    ['extra field', { email: 'a@b.c', password: 'long-enough', name: 'x', admin: true }],
  ])('rejects %s with invalid_request', async (_name, body) => {
    const res = await server.request('POST', '/auth/register', { body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: { code: 'invalid_request', message: expect.any(String) },
    });
  });

  it('answers bad JSON and wrong content types in the error shape', async () => {
    const badJson = await server.request('POST', '/auth/register', {
      body: undefined,
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    const res = await fetch(`${server.url}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_request' } });
    const xml = await fetch(`${server.url}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<a/>',
    });
    expect(xml.status).toBe(415);
    expect(await xml.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });
});

describe('POST /auth/login', () => {
  it('returns a device token that authorises calls; tokens differ per device', async () => {
    const ann = await server.createUser('ann');
    const second = await server.login(ann.email, ann.password, 'phone');
    expect(second.token).not.toBe(ann.token);
    expect(second.deviceId).not.toBe(ann.deviceId);
    expect(second.userId).toBe(ann.userId);
    const account = await second.json('GET', '/account');
    expect(account.status).toBe(200);
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    await server.createUser('bob');
    for (const email of ['bob@test.example', 'nobody@test.example']) {
      const res = await server.request('POST', '/auth/login', {
        body: { email, password: 'wrong-password', deviceName: 'x' },
      });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'invalid_credentials' } });
    }
  });

  it('rate-limits failed logins per email and IP with Retry-After, even for the right password', async () => {
    const cat = await server.createUser('cat');
    const attempt = (password: string) =>
      server.request('POST', '/auth/login', {
        body: { email: cat.email, password, deviceName: 'x' },
      });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong-password')).status).toBe(401);
    const limited = await attempt(cat.password);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another email from the same address is not affected.
    const dan = await server.createUser('dan');
    expect(dan.token).toBeTruthy();
  });
});

describe('authentication of API routes', () => {
  it.each([
    ['no header', undefined],
    ['wrong scheme', 'Basic abc'],
    ['unknown token', `Bearer ${'x'.repeat(43)}`],
  ])('answers 401 unauthorized for %s', async (_name, authorization) => {
    const headers: Record<string, string> = authorization ? { authorization } : {};
    const res = await server.request('GET', '/account', { headers });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: { code: 'unauthorized' } });
  });
});
