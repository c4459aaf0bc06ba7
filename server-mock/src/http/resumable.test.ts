import { afterEach, describe, expect, it } from 'vitest';
import type { FileMetadata } from 'sync-engine/protocol';
import { utf8 } from '../../test/test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

async function begin(client: TestClient, path: string, total: number): Promise<string> {
  const res = await client.fetch(
    `/files/upload?uploadType=resumable&path=${encodeURIComponent(path)}`,
    {
      method: 'POST',
      headers: { 'x-upload-content-length': String(total) },
    },
  );
  expect(res.status).toBe(200);
  const location = res.headers.get('location');
  expect(location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/upload\/sessions\/up_/);
  return new URL(location!).pathname;
}

const piece = (
  client: TestClient,
  session: string,
  bytes: Uint8Array,
  start: number,
  total: number,
) =>
  client.send('PUT', session, bytes, {
    'content-range': `bytes ${start}-${start + bytes.length - 1}/${total}`,
  });

const status = (client: TestClient, session: string, total: number) =>
  client.send('PUT', session, new Uint8Array(0), { 'content-range': `bytes */${total}` });

describe('resumable upload', () => {
  it('accepts pieces with 308 + Range, then commits and serves the whole file', async () => {
    const server = await startTestServer();
    servers.push(server);
    const ann = await server.createUser('ann');
    const content = seededBytes('random', 3, 3 * 1024 * 1024 + 5);
    const session = await begin(ann, '/video.bin', content.length);
    const first = await piece(ann, session, content.subarray(0, 1024 * 1024), 0, content.length);
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe(`bytes=0-${1024 * 1024 - 1}`);
    const asked = await status(ann, session, content.length);
    expect(asked.status).toBe(308);
    expect(asked.headers.get('range')).toBe(`bytes=0-${1024 * 1024 - 1}`);
    // Re-sending bytes that already arrived is harmless: they are skipped.
    const overlap = await piece(
      ann,
      session,
      content.subarray(1024 * 1024 - 100),
      1024 * 1024 - 100,
      content.length,
    );
    expect(overlap.status).toBe(200);
    expect(overlap.body).toMatchObject({ path: '/video.bin', size: content.length });
    const got = await ann.fetch('/files/download?path=/video.bin');
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(content))).toBe(true);
    expect((await status(ann, session, content.length)).status).toBe(404);
  });

  it('survives a server restart: the status query reports what arrived, and the upload resumes', async () => {
    const first = await startTestServer({ keepDataDir: true });
    const ann = await first.createUser('ann');
    const content = seededBytes('random', 5, 2 * 1024 * 1024);
    const session = await begin(ann, '/resume.bin', content.length);
    await piece(ann, session, content.subarray(0, 700_000), 0, content.length);
    await first.close();
    const second = await startTestServer({ dataDir: first.dataDir });
    servers.push(second);
    const again = await second.login(ann.email, ann.password);
    const asked = await status(again, session, content.length);
    expect(asked.status).toBe(308);
    expect(asked.headers.get('range')).toBe('bytes=0-699999');
    const done = await piece(again, session, content.subarray(700_000), 700_000, content.length);
    expect(done.status).toBe(200);
    expect((done.body as FileMetadata).size).toBe(content.length);
    const got = await again.fetch('/files/download?path=/resume.bin');
    expect(Buffer.from(await got.arrayBuffer()).equals(Buffer.from(content))).toBe(true);
  });

  it('refuses gaps, wrong totals and malformed Content-Range; hides sessions of other users', async () => {
    const server = await startTestServer();
    servers.push(server);
    const ann = await server.createUser('ann');
    const bob = await server.createUser('bob');
    const session = await begin(ann, '/g.bin', 100);
    expect((await piece(ann, session, utf8('x'), 50, 100)).status).toBe(400);
    expect((await piece(ann, session, utf8('x'), 0, 99)).status).toBe(400);
    const bad = await ann.send('PUT', session, utf8('x'), { 'content-range': 'bytes=0-0/100' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_upload' } });
    expect((await status(bob, session, 100)).status).toBe(404);
    const noLength = await ann.fetch('/files/upload?uploadType=resumable&path=/n', {
      method: 'POST',
    });
    expect(noLength.status).toBe(400);
  });

  it('refuses a piece whose body is longer than its Content-Range, keeping nothing of it', async () => {
    const server = await startTestServer();
    servers.push(server);
    const ann = await server.createUser('ann');
    const session = await begin(ann, '/long.bin', 10);
    await piece(ann, session, utf8('0123'), 0, 10);
    const res = await ann.send('PUT', session, utf8('456789 and more'), {
      'content-range': 'bytes 4-9/10',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'invalid_upload' } });
    expect((await status(ann, session, 10)).headers.get('range')).toBe('bytes=0-3');
  });

  it('expires sessions after the configured time (410, then gone)', async () => {
    let now = 1_000_000;
    const server = await startTestServer({
      uploadSessionTtlMs: 1000,
      components: { now: () => now },
    });
    servers.push(server);
    const ann = await server.createUser('ann');
    const session = await begin(ann, '/late.bin', 10);
    now += 2000;
    const res = await status(ann, session, 10);
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ error: { code: 'upload_expired' } });
    expect((await status(ann, session, 10)).status).toBe(404);
  });

  it('finishes an empty file on the status query', async () => {
    const server = await startTestServer();
    servers.push(server);
    const ann = await server.createUser('ann');
    const session = await begin(ann, '/zero', 0);
    const res = await status(ann, session, 0);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ path: '/zero', size: 0 });
  });
});
