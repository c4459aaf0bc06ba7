/**
 * Mount names the server builds obey the path rules users' names do (issue 7 item 4): two
 * folders with the same 255-byte name shared with one recipient give the second mount a name
 * shortened to fit ` (2)` within 255 UTF-8 bytes, cut between characters; the recipient's
 * listings and downloads work through every mount.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_SEGMENT_BYTES,
  parsePath,
  type ListResponse,
  type ListSharesResponse,
} from 'sync-engine/protocol';
import { commitContent, utf8 } from '../../test/test-blocks.js';
import { startTestServer, type TestClient, type TestServer } from '../../test/test-server.js';

let server: TestServer;
let bob: TestClient;
let sharers: TestClient[];
beforeEach(async () => {
  server = await startTestServer();
  bob = await server.createUser('bob');
  sharers = [];
  for (const name of ['ann', 'cat', 'dan']) sharers.push(await server.createUser(name));
});
afterEach(async () => server.close());

const bytesOf = (text: string) => Buffer.byteLength(text, 'utf8');

/** Each sharer shares `/<name>` (holding a file naming its owner) with bob. */
async function shareSameNameThrice(name: string): Promise<string[]> {
  for (const sharer of sharers) {
    await commitContent(sharer, `/${name}/owner.txt`, utf8(sharer.email));
    const res = await sharer.json('POST', '/shares', {
      path: `/${name}`,
      email: bob.email,
      role: 'viewer',
    });
    expect(res.status).toBe(200);
  }
  const received = ((await bob.json('GET', '/shares')).body as ListSharesResponse).received;
  return received.map((s) => s.path);
}

async function expectUsableMounts(mounts: string[]) {
  for (const mount of mounts) {
    expect(parsePath(mount)).toEqual({ ok: true, path: mount });
    expect(bytesOf(mount.slice(1))).toBeLessThanOrEqual(MAX_SEGMENT_BYTES);
  }
  const listing = await bob.json('GET', '/files/list?path=/&recursive=true');
  expect(listing.status).toBe(200);
  const paths = (listing.body as ListResponse).entries.map((e) => e.path);
  expect(paths).toEqual(expect.arrayContaining(mounts.map((m) => `${m}/owner.txt`)));
  const owners: string[] = [];
  for (const mount of mounts) {
    const res = await bob.fetch(`/files/download?path=${encodeURIComponent(`${mount}/owner.txt`)}`);
    expect(res.status).toBe(200);
    owners.push(await res.text());
  }
  expect(owners.sort()).toEqual(sharers.map((s) => s.email).sort());
}

describe('mount names in the recipient root', () => {
  it('shorten a 255-byte ASCII name to fit the (n) suffix', async () => {
    const name = 'a'.repeat(255);
    const mounts = await shareSameNameThrice(name);
    expect(mounts).toEqual([`/${name}`, `/${'a'.repeat(251)} (2)`, `/${'a'.repeat(251)} (3)`]);
    await expectUsableMounts(mounts);
  });

  it('cut multi-byte names between characters, never inside one', async () => {
    // 85 three-byte characters: 255 bytes. With " (2)" (4 bytes) only 83 of them fit.
    const name = '日'.repeat(85);
    const mounts = await shareSameNameThrice(name);
    expect(mounts).toEqual([`/${name}`, `/${'日'.repeat(83)} (2)`, `/${'日'.repeat(83)} (3)`]);
    await expectUsableMounts(mounts);
  });

  it('keep four-byte characters and combined emoji whole', async () => {
    // 58 emoji (232 bytes), "xx", then a family emoji of three people joined by zero-width
    // joiners (18 bytes): 252 bytes. A cut at a code point would leave part of the family.
    const family = '👩‍👩‍👧';
    const name = `${'😀'.repeat(58)}xx${family}`;
    expect(bytesOf(name)).toBe(252);
    const mounts = await shareSameNameThrice(name);
    expect(mounts[0]).toBe(`/${name}`);
    for (const mount of mounts.slice(1)) {
      expect(mount.endsWith(' (2)') || mount.endsWith(' (3)')).toBe(true);
      const base = mount.slice(1, -4);
      expect(name.startsWith(base)).toBe(true);
      // The cut dropped the whole family, not part of it.
      expect(base).toBe(`${'😀'.repeat(58)}xx`);
    }
    await expectUsableMounts(mounts);
  });
});
