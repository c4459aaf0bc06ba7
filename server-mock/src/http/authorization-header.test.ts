/**
 * The `Authorization` header (issue 7, item 12): the scheme is case-insensitive (RFC 9110
 * §11.1) and one or more spaces may follow it (RFC 9110 §11.4, RFC 6750 §2.1); two
 * `Authorization` headers are 400 `invalid_request`, never "the first wins" (Node keeps only the
 * first in `headers.authorization`). Tabs, trailing garbage and characters outside the token
 * alphabet stay 401. Sent over a raw socket, so that nothing normalises the header on the way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRawRequest, type RawResponse } from '../../test/security/raw-http.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let server: TestServer;
let ann: TestClient;
beforeAll(async () => {
  server = await startTestServer();
  ann = await server.createUser('ann');
});
afterAll(async () => server?.close());

function getAccount(headerLines: readonly (readonly [string, string])[]): Promise<RawResponse> {
  return sendRawRequest(server.url, { method: 'GET', target: '/account', headerLines });
}

const token = () => ann.token;

describe('accepted forms', () => {
  it.each([
    ['Bearer', () => `Bearer ${token()}`],
    ['lowercase bearer', () => `bearer ${token()}`],
    ['uppercase BEARER', () => `BEARER ${token()}`],
    ['mixed case bEaReR', () => `bEaReR ${token()}`],
    ['two spaces after the scheme', () => `Bearer  ${token()}`],
    ['five spaces after the scheme', () => `bearer     ${token()}`],
  ])('%s → 200', async (_name, value) => {
    const res = await getAccount([['Authorization', value()]]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: ann.email });
  });
});

describe('refused forms', () => {
  it.each([
    ['a tab after the scheme', () => `Bearer\t${token()}`],
    ['a space and a tab after the scheme', () => `Bearer \t${token()}`],
    ['no space after the scheme', () => `Bearer${token()}`],
    ['trailing garbage after the token', () => `Bearer ${token()} x`],
    ['a second credential after a comma', () => `Bearer ${token()}, Bearer ${token()}`],
    ['a token with a character outside base64url', () => `Bearer ${token().slice(0, -1)}!`],
    ['a token with padding', () => `Bearer ${token()}=`],
    ['another scheme', () => `Token ${token()}`],
    ['a scheme that only starts like bearer', () => `Bearerx ${token()}`],
  ])('%s → 401 unauthorized', async (_name, value) => {
    const res = await getAccount([['Authorization', value()]]);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({
      error: { code: 'unauthorized', message: expect.any(String) },
    });
  });
});

describe('two Authorization headers', () => {
  it.each([
    ['the same valid token twice', () => [`Bearer ${token()}`, `Bearer ${token()}`]],
    ['a valid token, then garbage', () => [`Bearer ${token()}`, 'Bearer nonsense']],
    ['garbage, then a valid token', () => ['Basic YTpi', `Bearer ${token()}`]],
    ['a valid token, then an empty header', () => [`Bearer ${token()}`, '']],
  ])('%s → 400 invalid_request', async (_name, values) => {
    const [first = '', second = ''] = values();
    for (const names of [
      ['Authorization', 'Authorization'],
      ['authorization', 'AUTHORIZATION'],
    ] as const) {
      const res = await getAccount([
        [names[0], first],
        [names[1], second],
      ]);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        error: { code: 'invalid_request', message: expect.stringMatching(/Authorization/) },
      });
    }
  });

  it('with other headers between them are refused too', async () => {
    const res = await getAccount([
      ['Authorization', `Bearer ${token()}`],
      ['Accept', 'application/json'],
      ['Authorization', `Bearer ${token()}`],
    ]);
    expect(res.status).toBe(400);
  });
});
