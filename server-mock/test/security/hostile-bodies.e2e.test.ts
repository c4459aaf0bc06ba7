/**
 * Hostile bodies (SPEC "HTTP API (v1)": all JSON; the server verifies every uploaded block):
 * oversized, invalid or prototype-polluting JSON, wrong content types, and blocks whose bytes do
 * not match their id, were encrypted with another key, were tampered with, or whose id is not 64
 * hex. Each gets a 4xx with a snake_case code and stores nothing (store snapshot).
 */
import { describe, expect, it } from 'vitest';
import { encodeBlock, hashBlock } from 'sync-engine/blocks';
import { utf8 } from '../test-blocks.js';
import { seededBytes } from 'sync-engine/testkit';
import type { EndpointCall } from './endpoint-call.js';
import { itRefuses, useHostileFixture } from './hostile-fixture.js';

const f = useHostileFixture();

describe('bodies', () => {
  const json = (text: string, contentType = 'application/json'): EndpointCall => ({
    method: 'POST',
    path: '/files/mkdir',
    body: { bytes: utf8(text), contentType },
  });
  itRefuses(f, [
    {
      name: 'a JSON body over 16 MiB',
      call: () => json(`{"path":"/${'a'.repeat(17 * 1024 * 1024)}"}`),
      status: 413,
      code: 'payload_too_large',
    },
    { name: 'truncated JSON', call: () => json('{"path": '), status: 400, code: 'invalid_request' },
    {
      name: 'JSON with a trailing comma',
      call: () => json('{"path":"/x",}'),
      status: 400,
      code: 'invalid_request',
    },
    { name: 'an empty JSON body', call: () => json(''), status: 400, code: 'invalid_request' },
    { name: 'a JSON array', call: () => json('["/x"]'), status: 400, code: 'invalid_request' },
    {
      name: 'deeply nested JSON',
      call: () => json(`{"path":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a __proto__ key',
      call: () => json('{"path":"/x","__proto__":{"polluted":true}}'),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a constructor.prototype key',
      call: () => json('{"path":"/x","constructor":{"prototype":{"polluted":true}}}'),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'an unknown field',
      call: () => json('{"path":"/x","owner":"bob"}'),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'raw invalid UTF-8 inside a JSON string',
      call: () => ({
        method: 'POST',
        path: '/files/mkdir',
        body: {
          bytes: Buffer.concat([utf8('{"path":"/a'), Buffer.from([0xff, 0xc0, 0xaf]), utf8('"}')]),
          contentType: 'application/json',
        },
      }),
      status: 400,
      code: 'invalid_path',
    },
    {
      // Fastify parses text/plain into a string, which the body schema then refuses.
      name: 'JSON sent as text/plain',
      call: () => json('{"path":"/x"}', 'text/plain'),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a form instead of JSON',
      call: () => json('path=%2Fx', 'application/x-www-form-urlencoded'),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'XML instead of JSON',
      call: () => json('<path>/x</path>', 'application/xml'),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'too many hashes in a dedup check',
      call: () => ({
        method: 'POST',
        path: '/blocks/check',
        body: {
          json: {
            namespace: f.ann.rootNamespace,
            hashes: Array.from({ length: 10_001 }, () => '0'.repeat(64)),
          },
        },
      }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a negative commit size',
      call: () => ({
        method: 'POST',
        path: '/files/commit',
        body: { json: { path: '/n', blocks: [], size: -1, modified: 0 } },
      }),
      status: 400,
      code: 'invalid_request',
    },
  ]);
  const logout = (text: string, contentType = 'application/json'): EndpointCall => ({
    method: 'POST',
    path: '/auth/logout',
    body: { bytes: utf8(text), contentType },
  });
  // A refused sign-out leaves the device signed in (the snapshot holds device.revoked_ms).
  itRefuses(f, [
    {
      name: 'a sign-out with a field',
      call: () => logout('{"everywhere":true}'),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a sign-out naming another device',
      call: () => logout('{"deviceId":"d_other"}'),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a sign-out with a JSON array',
      call: () => logout('[]'),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a sign-out with a __proto__ key',
      call: () => logout('{"__proto__":{"polluted":true}}'),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a sign-out with a text body',
      call: () => logout('please', 'text/plain'),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a sign-out with truncated JSON',
      call: () => logout('{"a":'),
      status: 400,
      code: 'invalid_request',
    },
  ]);
  // Sent after the 413 case: the f.server must still answer normally.
  it('keeps serving after the hostile bodies', async () => {
    expect((await f.ann.json('GET', '/account')).status).toBe(200);
  });
});

describe('blocks', () => {
  const plain = utf8('a block the f.server must verify');
  const id = hashBlock(plain);
  const put = (hash: string, bytes: () => Uint8Array, contentType?: string): EndpointCall => ({
    method: 'PUT',
    path: `/blocks/${f.ann.rootNamespace}/${hash}`,
    body: { bytes: bytes(), ...(contentType ? { contentType } : {}) },
  });
  const flipped = () => {
    const bytes = encodeBlock(plain, f.annKey);
    bytes[bytes.length - 20]! ^= 0x01;
    return bytes;
  };
  const otherId = hashBlock(utf8('different content'));
  itRefuses(f, [
    {
      name: 'bytes that do not hash to the block id',
      call: () => put(otherId, () => encodeBlock(plain, f.annKey, otherId)),
      status: 400,
      code: 'invalid_block',
    },
    {
      name: 'a valid block stored under another id',
      call: () => put(otherId, () => encodeBlock(plain, f.annKey)),
      status: 400,
      code: 'invalid_block',
    },
    {
      name: "a block encrypted with another namespace's key",
      call: () => put(id, () => encodeBlock(plain, f.bobKey)),
      status: 400,
      code: 'invalid_block',
    },
    {
      name: 'a block with one ciphertext bit flipped',
      call: () => put(id, flipped),
      status: 400,
      code: 'invalid_block',
    },
    {
      name: 'a truncated block',
      call: () => put(id, () => encodeBlock(plain, f.annKey).subarray(0, 30)),
      status: 400,
      code: 'invalid_block',
    },
    {
      name: 'random bytes',
      call: () => put(id, () => seededBytes('random', 9, 1000)),
      status: 400,
      code: 'invalid_block',
    },
    {
      name: 'an empty block body',
      call: () => put(id, () => new Uint8Array(0)),
      status: 400,
      code: 'invalid_block',
    },
    {
      name: 'a block sent as JSON',
      call: () => put(id, () => utf8('{"bytes":"AAAA"}'), 'application/json'),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      name: 'a 3-character block id',
      call: () => put('xyz', () => encodeBlock(plain, f.annKey)),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'an uppercase block id',
      call: () => put(id.toUpperCase(), () => encodeBlock(plain, f.annKey)),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a 63-character block id',
      call: () => put(id.slice(1), () => encodeBlock(plain, f.annKey)),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a 65-character block id',
      call: () => put(`${id}0`, () => encodeBlock(plain, f.annKey)),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a non-hex 64-character block id',
      call: () => put('g'.repeat(64), () => encodeBlock(plain, f.annKey)),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a commit naming a non-hex block id',
      call: () => ({
        method: 'POST',
        path: '/files/commit',
        body: { json: { path: '/c', blocks: ['z'.repeat(64)], size: 1, modified: 0 } },
      }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a commit naming a block never uploaded',
      call: () => ({
        method: 'POST',
        path: '/files/commit',
        body: { json: { path: '/c', blocks: [id], size: plain.length, modified: 0 } },
      }),
      status: 412,
      code: 'missing_blocks',
    },
  ]);

  it('still accepts the genuine block afterwards', async () => {
    const res = await f.ann.send(
      'PUT',
      `/blocks/${f.ann.rootNamespace}/${id}`,
      encodeBlock(plain, f.annKey),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id, stored: true });
  });
});
