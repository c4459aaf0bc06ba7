/**
 * Hostile `Content-Range` on resumable uploads and `Range` on downloads (SPEC "HTTP API (v1)").
 * Malformed or inconsistent upload ranges get 400 invalid_upload and leave the session's staged
 * bytes untouched; unsatisfiable download ranges get 416; unparseable ones are ignored, as
 * RFC 9110 allows, and the whole file is served byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../test-blocks.js';
import { bearer, sendCall, type EndpointCall } from './endpoint-call.js';
import { itRefuses, useHostileFixture, type HostileCase } from './hostile-fixture.js';

const f = useHostileFixture();

describe('malformed Content-Range on a resumable upload (4 of 10 bytes arrived)', () => {
  const piece = (range: string | undefined, body = utf8('456789')): HostileCase => ({
    name: range === undefined ? 'no Content-Range' : `Content-Range: ${range}`,
    call: (): EndpointCall => ({
      method: 'PUT',
      path: f.sessionPath,
      headers: range === undefined ? {} : { 'content-range': range },
      body: { bytes: body },
    }),
    status: 400,
    code: 'invalid_upload',
  });
  itRefuses(f, [
    piece(undefined),
    piece('bytes 9-4/10'),
    piece('bytes 4-10/10'),
    piece('bytes=4-9/10'),
    piece('bytes 4-9/11'),
    piece('bytes 4-9/*'),
    piece('items 4-9/10'),
    piece('bytes -4-9/10'),
    piece('bytes 4-9/10, bytes 0-1/10'),
    piece('bytes 6-9/10', utf8('6789')),
    piece('bytes 4-99999999999999999999/100000000000000000000'),
    piece('bytes 0x4-0x9/10'),
    {
      ...piece('bytes 4-9/10', utf8('456789 and then some more bytes')),
      name: 'a body longer than its Content-Range',
    },
  ]);
});

describe('X-Upload-Content-Length that is not a plain decimal number', () => {
  // Sent raw, so that the header reaches the server exactly as written (fetch trims values).
  const start = (value: string): HostileCase => ({
    name: `X-Upload-Content-Length: ${JSON.stringify(value)}`,
    call: () => ({
      raw: {
        method: 'POST',
        target: '/files/upload?uploadType=resumable&path=/Docs/new.bin',
        headers: { 'x-upload-content-length': value },
      },
    }),
    status: 400,
    code: 'invalid_request',
  });
  itRefuses(
    f,
    [
      '0x10',
      '1e3',
      '+7',
      '7.0',
      '0b11',
      '0o7',
      '',
      ' ',
      '-1',
      '1_000',
      '7 7',
      'Infinity',
      '9007199254740992',
      '99999999999999999999',
    ].map(start),
  );
});

describe('a Content-Length on a resumable piece that is not a plain decimal number', () => {
  const piece = (length: string): HostileCase => ({
    name: `Content-Length: ${JSON.stringify(length)}`,
    call: () => ({
      raw: {
        method: 'PUT',
        target: f.sessionPath,
        headers: { 'content-range': 'bytes 4-9/10', 'content-length': length },
        body: utf8('456789'),
      },
    }),
    status: 400,
    code: 'snake_case',
  });
  itRefuses(f, ['+6', '0x6', '6.0', '6e0', '', '6, 6'].map(piece));
});

describe('Range headers on a download', () => {
  const download = (range: string): EndpointCall => ({
    method: 'GET',
    path: '/files/download?path=/Docs/file.bin',
    headers: { range },
  });
  itRefuses(f, [
    {
      name: 'Range: bytes=9-4',
      call: () => download('bytes=9-4'),
      status: 416,
      code: 'range_not_satisfiable',
    },
    {
      name: 'Range: bytes=50000- (past the end)',
      call: () => download('bytes=50000-'),
      status: 416,
      code: 'range_not_satisfiable',
    },
    {
      name: 'Range: bytes=-0',
      call: () => download('bytes=-0'),
      status: 416,
      code: 'range_not_satisfiable',
    },
  ]);

  it.each(['bytes=abc', 'bytes=0-1,5-6', 'items=0-9', 'bytes=--1', 'bytes 0-9'])(
    'ignores the unparseable Range %s and serves the whole file (RFC 9110 14.2)',
    async (range) => {
      const res = await sendCall(f.server.url, download(range), bearer(f.ann.token));
      expect(res.status).toBe(200);
      expect(Buffer.from(res.bytes).equals(Buffer.from(f.file))).toBe(true);
    },
  );

  it('clips an absurdly large range end to the file', async () => {
    const res = await sendCall(
      f.server.url,
      download('bytes=49990-99999999999999999999999'),
      bearer(f.ann.token),
    );
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 49990-49999/50000');
    expect(Buffer.from(res.bytes).equals(Buffer.from(f.file.subarray(49990)))).toBe(true);
  });
});
