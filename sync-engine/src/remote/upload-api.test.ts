import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileChunks } from '../blocks/index.js';
import { seededBytes, useTempDir, writeSeededFile } from '../testkit/index.js';
import {
  startRemoteTestServer,
  type RemoteTestServer,
  type TestDevice,
} from '../testkit/remote-test-server.js';
import { RemoteError } from './remote-error.js';

const signal = () => AbortSignal.timeout(30_000);
const SEED = 4242;

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

async function* inPieces(bytes: Uint8Array, pieceBytes: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += pieceBytes) yield bytes.subarray(at, at + pieceBytes);
}

async function rejection(promise: Promise<unknown>): Promise<RemoteError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RemoteError);
  return error as RemoteError;
}

describe('whole-file uploads against the real server', () => {
  const tempDir = useTempDir('remote-upload');
  let server: RemoteTestServer;
  let ann: TestDevice;
  beforeAll(async () => {
    server = await startRemoteTestServer();
    ann = await server.createUser('ann');
  });
  afterAll(() => server.close());

  it(`streams a file from readFileChunks, whose buffers are reused (seed ${SEED})`, async () => {
    const file = path.join(tempDir(), 'source.bin');
    const sizeBytes = 3 * 1024 * 1024 + 77;
    await writeSeededFile({ path: file, kind: 'random', seed: SEED, sizeBytes });
    const result = await ann.client.uploadFile(
      {
        path: '/uploaded.bin',
        body: readFileChunks(file, { readBytes: 64 * 1024 }),
        sizeBytes,
        modified: 1_700_000_000_000,
      },
      signal(),
    );
    if (result.kind !== 'uploaded') throw new Error(result.kind);
    expect(result.file).toMatchObject({ path: '/uploaded.bin', size: sizeBytes });
    const back = await ann.client.downloadFile({ path: '/uploaded.bin' }, signal());
    expect(Buffer.compare(await readAll(back.body), seededBytes('random', SEED, sizeBytes))).toBe(
      0,
    );
  });

  it('returns rev_conflict for an upload on a stale parentRev', async () => {
    const first = await ann.client.uploadFile(
      { path: '/plain.txt', body: new TextEncoder().encode('one') },
      signal(),
    );
    if (first.kind !== 'uploaded') throw new Error(first.kind);
    const second = await ann.client.uploadFile(
      { path: '/plain.txt', body: new TextEncoder().encode('two'), parentRev: first.file.rev },
      signal(),
    );
    expect(second.kind).toBe('uploaded');
    const stale = await ann.client.uploadFile(
      { path: '/plain.txt', body: new TextEncoder().encode('three'), parentRev: first.file.rev },
      signal(),
    );
    expect(stale).toEqual({
      kind: 'rev_conflict',
      currentRev: second.kind === 'uploaded' ? second.file.rev : undefined,
    });
  });

  it('fails with upload_source_failed when the source fails or gives another length', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(1000);
      throw Object.assign(new Error('the disk went away'), { code: 'EIO' });
    }
    const broken = await rejection(
      ann.client.uploadFile({ path: '/broken.bin', body: failing(), sizeBytes: 5000 }, signal()),
    );
    expect(broken.code).toBe('upload_source_failed');
    expect((broken.cause as Error).message).toBe('the disk went away');

    const short = await rejection(
      ann.client.uploadFile(
        { path: '/short.bin', body: inPieces(new Uint8Array(10), 4), sizeBytes: 20 },
        signal(),
      ),
    );
    expect(short.code).toBe('upload_source_failed');
    const absent = await rejection(ann.client.listRevisions({ path: '/short.bin' }, signal()));
    expect(absent.code).toBe('not_found');
  });

  it('resumes an upload from what the server says arrived', async () => {
    const content = seededBytes('random', SEED + 1, 2 * 1024 * 1024 + 5);
    const session = await ann.client.startUpload(
      { path: '/resumed.bin', totalBytes: content.length },
      signal(),
    );
    expect(session.url.startsWith(server.url)).toBe(true);
    expect(await ann.client.queryUpload(session, signal())).toEqual({
      kind: 'incomplete',
      receivedBytes: 0,
    });

    const firstBytes = 1024 * 1024;
    const first = await ann.client.uploadPiece(
      {
        session,
        start: 0,
        lengthBytes: firstBytes,
        body: inPieces(content.subarray(0, firstBytes), 100_000),
      },
      signal(),
    );
    expect(first).toEqual({ kind: 'incomplete', receivedBytes: firstBytes });
    const asked = await ann.client.queryUpload(session, signal());
    expect(asked).toEqual({ kind: 'incomplete', receivedBytes: firstBytes });

    // Resending from below what arrived is allowed: the overlap is skipped.
    const from = firstBytes - 10;
    const rest = await ann.client.uploadPiece(
      { session, start: from, lengthBytes: content.length - from, body: content.subarray(from) },
      signal(),
    );
    if (rest.kind !== 'uploaded') throw new Error(rest.kind);
    expect(rest.file.size).toBe(content.length);
    const back = await ann.client.downloadFile({ path: '/resumed.bin' }, signal());
    expect(Buffer.compare(await readAll(back.body), content)).toBe(0);
  });

  it('maps a session over quota, and a piece past what arrived, to their codes', async () => {
    const bob = await server.createUser('bob');
    await server.server.setUserQuota(bob.email, 1000);
    const over = await rejection(
      bob.client.startUpload({ path: '/huge.bin', totalBytes: 5000 }, signal()),
    );
    expect(over).toMatchObject({ code: 'quota_exceeded', status: 507 });

    const session = await ann.client.startUpload({ path: '/gap.bin', totalBytes: 100 }, signal());
    const gap = await rejection(
      ann.client.uploadPiece(
        { session, start: 50, lengthBytes: 50, body: new Uint8Array(50) },
        signal(),
      ),
    );
    expect(gap).toMatchObject({ code: 'invalid_upload', status: 400 });
  });
});
