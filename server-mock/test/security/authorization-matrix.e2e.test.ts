/**
 * Authorization matrix (SPEC "HTTP API (v1)": every endpoint but register/login/health needs a
 * bearer token): every authenticated route the server documents in /openapi.json (so a route
 * is covered the day it lands; a new public route must be added to PUBLIC_ROUTES on purpose),
 * GET routes also as HEAD, times each kind of bad credential → 401 `unauthorized` in the error
 * shape, never echoing the credential, with the data dir unchanged (store snapshot). Bad
 * credentials include the tokens of devices signed out each way there is: POST /auth/logout,
 * DELETE /devices/{id} from another device, and idle expiry. Two `Authorization` headers are
 * 400 `invalid_request` on every route, even when both carry the valid token.
 * Other users' tokens: cross-user-access.e2e.test.ts; viewers and revoked shares:
 * share-authorization.e2e.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeStoreSnapshot } from '../store-snapshot.js';
import { commitContent, utf8 } from '../test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../test-server.js';
import { bearer, sendCall, type EndpointCall } from './endpoint-call.js';
import { sendRawRequest } from './raw-http.js';

/** Routes that need no token (SPEC): everything else must answer 401 without one. */
const PUBLIC_ROUTES = new Set([
  'POST /auth/register',
  'POST /auth/login',
  'GET /healthz',
  'GET /metrics',
]);

const DAY_MS = 24 * 60 * 60 * 1000;
const IDLE_EXPIRY_MS = 30 * DAY_MS;

let server: TestServer;
let ann: TestClient;
let loggedOutToken: string;
let removedToken: string;
let idleToken: string;
let foreignToken: string;
let documentedRoutes: { method: string; template: string }[];
/** Added to the server's clock: how a device comes to have logged in long ago. */
let clockOffsetMs = 0;

/** A real token, well formed, issued by another server (another data dir). */
async function tokenFromAnotherServer(): Promise<string> {
  const other = await startTestServer();
  try {
    return (await other.createUser('ann')).token;
  } finally {
    await other.close();
  }
}

async function listDocumentedRoutes(): Promise<{ method: string; template: string }[]> {
  const res = await server.request('GET', '/openapi.json');
  const doc = res.body as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([template, operations]) =>
    Object.keys(operations).map((method) => ({ method: method.toUpperCase(), template })),
  );
}

beforeAll(async () => {
  server = await startTestServer({
    deviceIdleExpiryMs: IDLE_EXPIRY_MS,
    components: { now: () => Date.now() + clockOffsetMs },
  });
  ann = await server.createUser('ann');
  expect((await commitContent(ann, '/Docs/a.txt', utf8('ann'))).status).toBe(200);
  const stolen = await server.login(ann.email, ann.password, 'stolen-laptop');
  expect((await stolen.json('POST', '/auth/logout')).status).toBe(200);
  loggedOutToken = stolen.token;
  const lost = await server.login(ann.email, ann.password, 'lost-phone');
  expect((await lost.json('GET', '/account')).status).toBe(200);
  expect((await ann.json('DELETE', `/devices/${lost.deviceId}`)).status).toBe(200);
  removedToken = lost.token;
  // Logged in just past the idle expiry ago and never seen since.
  clockOffsetMs = -IDLE_EXPIRY_MS - DAY_MS;
  idleToken = (await server.login(ann.email, ann.password, 'old-desktop')).token;
  clockOffsetMs = 0;
  foreignToken = await tokenFromAnotherServer();
  documentedRoutes = await listDocumentedRoutes();
});
afterAll(async () => server?.close());

/** Fills a documented route's path parameters with plausible values. */
function concretePath(template: string): string {
  return template
    .replaceAll('{namespace}', ann.rootNamespace)
    .replaceAll('{hash}', 'a'.repeat(64))
    .replace(/\{[^}]+\}/g, 'x');
}

const BAD_CREDENTIALS: [string, () => string | undefined][] = [
  ['no Authorization header', () => undefined],
  ['an empty bearer', () => 'Bearer '],
  [
    'the password as Basic credentials',
    () => `Basic ${Buffer.from(`${ann.email}:${ann.password}`).toString('base64')}`,
  ],
  ['a forged token', () => bearer(randomBytes(32).toString('base64url'))],
  [
    'a real token with one character changed',
    () => bearer(`${ann.token.slice(0, -1)}${ann.token.endsWith('A') ? 'B' : 'A'}`),
  ],
  [
    'the stored token hash instead of the token',
    () => bearer(createHash('sha256').update(ann.token).digest('base64url')),
  ],
  ['a token with a trailing injection', () => `Bearer ${ann.token}' OR '1'='1`],
  ['the token of a device signed out with POST /auth/logout', () => bearer(loggedOutToken)],
  ['the token of a device removed with DELETE /devices/{id}', () => bearer(removedToken)],
  ['the token of a device idle past the expiry', () => bearer(idleToken)],
  ['the token after a tab instead of a space', () => `Bearer\t${ann.token}`],
  ['the token with trailing garbage', () => `bearer  ${ann.token} x`],
  ['a token issued by another server', () => bearer(foreignToken)],
];

describe('every authenticated route refuses bad credentials with 401', () => {
  it('documents the routes this suite expects (the table below is not empty by accident)', () => {
    const names = documentedRoutes.map((r) => `${r.method} ${r.template}`);
    for (const expected of [
      'GET /account',
      'GET /keys/{namespace}',
      'POST /files/commit',
      'PUT /blocks/{namespace}/{hash}',
      'GET /files/download',
      'GET /files/blocks',
      'GET /files/announced_blocks',
      'POST /files/commit_batch',
      'POST /files/blocks_batch',
      'POST /blocks/upload_batch',
      'POST /blocks/download_batch',
      'POST /auth/logout',
      'GET /devices',
      'DELETE /devices/{id}',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it('still accepts the valid token (the 401s below are not a broken server)', async () => {
    expect((await ann.json('GET', '/account')).status).toBe(200);
    const devices = await ann.json('GET', '/devices');
    expect((devices.body as { devices: { name: string }[] }).devices.map((d) => d.name)).toEqual([
      'ann-laptop',
    ]);
  });

  it('answers 401 unauthorized on every documented authenticated route and changes nothing', async () => {
    const before = await takeStoreSnapshot(server.dataDir);
    const routes = documentedRoutes.filter((r) => !PUBLIC_ROUTES.has(`${r.method} ${r.template}`));
    const failures: string[] = [];
    for (const route of routes) {
      const methods = route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
      for (const method of methods) {
        const call: EndpointCall = {
          method,
          path: concretePath(route.template),
          ...(method === 'GET' || method === 'HEAD' ? {} : { body: { json: {} } }),
        };
        for (const [label, credential] of BAD_CREDENTIALS) {
          const sent = credential();
          const res = await sendCall(server.url, call, sent);
          const echoesCredential =
            sent !== undefined && sent.length > 8 && Buffer.from(res.bytes).includes(sent.slice(7));
          const isShaped =
            (!echoesCredential && method === 'HEAD') ||
            (typeof res.body === 'object' &&
              (res.body as { error?: { code?: unknown; message?: unknown } }).error?.code ===
                'unauthorized' &&
              typeof (res.body as { error: { message?: unknown } }).error.message === 'string');
          if (res.status !== 401 || !isShaped) {
            failures.push(
              `${method} ${call.path} with ${label}: ${res.status} ${JSON.stringify(res.body)}`,
            );
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(routes.length).toBeGreaterThanOrEqual(25);
    expect(await takeStoreSnapshot(server.dataDir)).toEqual(before);
  });
});

describe('every authenticated route refuses two Authorization headers with 400', () => {
  it('even when both carry the valid token, and changes nothing', async () => {
    const before = await takeStoreSnapshot(server.dataDir);
    const routes = documentedRoutes.filter((r) => !PUBLIC_ROUTES.has(`${r.method} ${r.template}`));
    const failures: string[] = [];
    for (const route of routes) {
      const methods = route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
      for (const method of methods) {
        const target = concretePath(route.template);
        const res = await sendRawRequest(server.url, {
          method,
          target,
          headerLines: [
            ['Authorization', bearer(ann.token)],
            ['Authorization', bearer(ann.token)],
          ],
        });
        const code = (res.body as { error?: { code?: unknown } } | undefined)?.error?.code;
        if (res.status !== 400 || (method !== 'HEAD' && code !== 'invalid_request')) {
          failures.push(`${method} ${target}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await takeStoreSnapshot(server.dataDir)).toEqual(before);
  });
});
