/**
 * Shared fixture of the hostile-input suites: a server with Ann (a 50 kB file at /Docs/file.bin,
 * an empty folder /Movable, a resumable upload of 10 bytes with 4 arrived) and Bob's key, plus
 * `itRefuses`, which runs table rows: one request as Ann → the expected 4xx in the error shape
 * with a snake_case code, and an unchanged data dir (store snapshot).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { takeStoreSnapshot } from '../store-snapshot.js';
import { commitContent, utf8, startResumableUpload } from '../test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import { startTestServer, type TestClient, type TestServer } from '../test-server.js';
import { bearer, sendCall, type EndpointCall } from './endpoint-call.js';
import { sendRawRequest, type RawRequest } from './raw-http.js';

const SNAKE_CASE = /^[a-z]+(_[a-z]+)*$/;

/** Filled in by the suite's beforeAll; read it only inside tests. */
export interface HostileFixture {
  server: TestServer;
  ann: TestClient;
  annKey: Uint8Array;
  bobKey: Uint8Array;
  /** Path of Ann's resumable session: total 10 bytes, `0123` arrived. */
  sessionPath: string;
  /** The bytes of /Docs/file.bin. */
  readonly file: Uint8Array;
}

/** One hostile request and the refusal it must get. */
export interface HostileCase {
  readonly name: string;
  readonly call: () => EndpointCall | { raw: RawRequest };
  readonly status: number;
  /** Expected code; `snake_case` accepts any snake_case code. */
  readonly code: string;
}

/** Registers beforeAll/afterAll for the suite and returns the fixture they fill. */
export function useHostileFixture(): HostileFixture {
  const fixture = { file: seededBytes('random', 3, 50_000) } as HostileFixture;
  beforeAll(async () => {
    const server = await startTestServer();
    fixture.server = server;
    const ann = await server.createUser('ann');
    fixture.ann = ann;
    fixture.annKey = await ann.keyOf();
    fixture.bobKey = await (await server.createUser('bob')).keyOf();
    expect((await commitContent(ann, '/Docs/file.bin', fixture.file)).status).toBe(200);
    // Target of the type-confusion cases, so a wrongly accepted one cannot disturb the others.
    expect((await ann.json('POST', '/files/mkdir', { path: '/Movable' })).status).toBe(200);
    fixture.sessionPath = await startResumableUpload(ann, {
      path: '/Docs/big.bin',
      totalBytes: 10,
      firstPiece: utf8('0123'),
    });
  });
  afterAll(async () => fixture.server?.close());
  return fixture;
}

/** Sends a case's request as Ann (raw requests get her token added). */
export async function sendAsAnn(
  fixture: HostileFixture,
  request: EndpointCall | { raw: RawRequest },
) {
  if ('raw' in request) {
    const headers = { ...request.raw.headers, authorization: bearer(fixture.ann.token) };
    return sendRawRequest(fixture.server.url, { ...request.raw, headers });
  }
  return sendCall(fixture.server.url, request, bearer(fixture.ann.token));
}

/** Runs each case: the refusal, its shape, and an unchanged data dir. */
export function itRefuses(fixture: HostileFixture, cases: readonly HostileCase[]): void {
  it.each(cases)('$name → $status $code', async ({ call, status, code }) => {
    const request = call();
    const before = await takeStoreSnapshot(fixture.server.dataDir);
    const res = await sendAsAnn(fixture, request);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({
      error: {
        code: code === 'snake_case' ? expect.stringMatching(SNAKE_CASE) : code,
        message: expect.any(String),
      },
    });
    // Errors name no server internals: no data dir, no stack trace.
    const text = Buffer.from(res.bytes).toString('utf8');
    expect(text).not.toContain(fixture.server.dataDir);
    expect(text).not.toMatch(/\n\s+at /);
    expect(await takeStoreSnapshot(fixture.server.dataDir)).toEqual(before);
  });
}
