/**
 * Hostile paths (SPEC "HTTP API (v1)": paths are absolute, `/`-separated, NFC; `..`, empty
 * segments, NUL and control characters are rejected with 400), in JSON bodies, query strings
 * and URL parameters, plus type confusion, hostile device ids and a repeated `Authorization`
 * header. Each request comes from a valid user and must get a 4xx with a snake_case code in the
 * error shape, with the data dir unchanged (store snapshot).
 */
import { describe } from 'vitest';
import { utf8 } from '../test-blocks.js';
import type { EndpointCall } from './endpoint-call.js';
import { itRefuses, useHostileFixture, type HostileCase } from './hostile-fixture.js';

const f = useHostileFixture();

const mkdir = (path: unknown): EndpointCall => ({
  method: 'POST',
  path: '/files/mkdir',
  body: { json: { path } },
});
const upload = (query: string): EndpointCall => ({
  method: 'POST',
  path: `/files/upload?uploadType=media&${query}`,
  body: { bytes: utf8('payload that must not be stored') },
});
const invalidPath = (name: string, path: unknown): HostileCase => ({
  name: `mkdir ${name}`,
  call: () => mkdir(path),
  status: 400,
  code: 'invalid_path',
});

describe('paths in JSON bodies', () => {
  itRefuses(f, [
    invalidPath('..', '..'),
    invalidPath('/..', '/..'),
    invalidPath('/Docs/../../etc', '/Docs/../../etc'),
    invalidPath('/a/./b', '/a/./b'),
    invalidPath('an empty segment', '/a//b'),
    invalidPath('a trailing slash', '/a/'),
    invalidPath('a relative path', 'Docs/x'),
    // Refused by the body schema (minLength) before the path rules run.
    { name: 'mkdir an empty path', call: () => mkdir(''), status: 400, code: 'invalid_request' },
    invalidPath('a Windows drive path', 'C:\\Windows\\System32'),
    invalidPath('a UNC path', '\\\\server\\share'),
    invalidPath('a backslash inside an absolute path', '/Docs\\..\\..\\x'),
    invalidPath('NUL', '/a\u0000b'),
    invalidPath('BEL', '/a\u0007b'),
    invalidPath('ESC', '/a\u001b[31mred'),
    invalidPath('a newline', '/a\nb'),
    invalidPath('DEL', '/a\u007fb'),
    invalidPath('a C1 control (NEL)', '/a\u0085b'),
    invalidPath('a 256-byte segment', `/${'a'.repeat(256)}`),
    invalidPath('a segment of 86 three-byte characters (258 bytes)', `/${'€'.repeat(86)}`),
    invalidPath('a path over 4096 bytes', `/${'a'.repeat(250)}`.repeat(17)),
    invalidPath('a lone surrogate', '/a\ud800b'),
    invalidPath('U+FFFD (what bad UTF-8 decodes to)', '/a\ufffdb'),
    // Schema type coercion turns 42 into "42" (then not absolute): any clean 400 will do.
    { name: 'mkdir a number', call: () => mkdir(42), status: 400, code: 'snake_case' },
    {
      name: 'mkdir an object',
      call: () => mkdir({ toString: '/x' }),
      status: 400,
      code: 'invalid_request',
    },
    { name: 'mkdir null', call: () => mkdir(null), status: 400, code: 'invalid_request' },
    { name: 'mkdir an array', call: () => mkdir(['/a']), status: 400, code: 'invalid_request' },
    {
      name: 'move with arrays for paths',
      call: () => ({
        method: 'POST',
        path: '/files/move',
        body: { json: { from: ['/Movable'], to: ['/Moved'] } },
      }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'move to a path above the root',
      call: () => ({
        method: 'POST',
        path: '/files/move',
        body: { json: { from: '/Docs', to: '/../x' } },
      }),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'commit to a traversal path',
      call: () => ({
        method: 'POST',
        path: '/files/commit',
        body: { json: { path: '/../evil', blocks: [], size: 0, modified: 0 } },
      }),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'a second "path" key smuggling a traversal',
      call: () => ({
        method: 'POST',
        path: '/files/mkdir',
        body: { bytes: utf8('{"path":"/ok","path":"/../x"}'), contentType: 'application/json' },
      }),
      status: 400,
      code: 'invalid_path',
    },
  ]);
});

describe('paths in query strings and URLs', () => {
  itRefuses(f, [
    {
      name: 'upload to %2e%2e/ (encoded ..)',
      call: () => upload('path=/%2e%2e/x'),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'upload to /a/%2E%2E/b',
      call: () => upload('path=/Docs/%2E%2E/b'),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'upload to a relative ../ path',
      call: () => upload('path=..%2Fmaster.key'),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'upload to a NUL path (%00)',
      call: () => upload('path=/a%00b'),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'upload to a control-character path (%1b)',
      call: () => upload('path=/a%1bb'),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'upload to a Windows path',
      call: () => upload(`path=${encodeURIComponent('C:\\x')}`),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'upload to a UNC path',
      call: () => upload(`path=${encodeURIComponent('\\\\server\\share')}`),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'upload to percent-encoded invalid UTF-8 (%FF%FE)',
      call: () => upload('path=/%FF%FE.txt'),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'upload to raw invalid UTF-8 bytes in the request line',
      call: () => ({
        raw: {
          method: 'POST',
          target: Buffer.concat([
            Buffer.from('/files/upload?uploadType=media&path=/'),
            Buffer.from([0xff, 0xfe, 0x80]),
            Buffer.from('.txt'),
          ]),
          headers: { 'content-type': 'application/octet-stream' },
          body: utf8('raw'),
        },
      }),
      status: 400,
      code: 'snake_case',
    },
    {
      name: 'a raw unencoded /../ in the URL path',
      call: () => ({ raw: { method: 'GET', target: '/files/../../master.key' } }),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'download %2e%2e/%2e%2e/master.key',
      call: () => ({ method: 'GET', path: '/files/download?path=/%2e%2e/%2e%2e/master.key' }),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'zip of %2e%2e/%2e%2e (the data dir)',
      call: () => ({ method: 'GET', path: '/files/download_zip?path=/%2e%2e/%2e%2e' }),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'zip of /etc (not the OS folder)',
      call: () => ({ method: 'GET', path: '/files/download_zip?path=/etc' }),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'download /etc/passwd (not the OS file)',
      call: () => ({ method: 'GET', path: '/files/download?path=/etc/passwd' }),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'block list of %2e%2e/%2e%2e/master.key',
      call: () => ({ method: 'GET', path: '/files/blocks?path=/%2e%2e/%2e%2e/master.key' }),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'block list of a NUL path (%00)',
      call: () => ({ method: 'GET', path: '/files/blocks?path=/a%00b' }),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'block list of percent-encoded invalid UTF-8 (%FF%FE)',
      call: () => ({ method: 'GET', path: '/files/blocks?path=/%FF%FE.txt' }),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'announced block list of %2e%2e/%2e%2e/master.key',
      call: () => ({
        method: 'GET',
        path: '/files/announced_blocks?path=/%2e%2e/%2e%2e/master.key',
      }),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'announced block list of a NUL path (%00)',
      call: () => ({ method: 'GET', path: '/files/announced_blocks?path=/a%00b' }),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'announced block list with the path repeated',
      call: () => ({ method: 'GET', path: '/files/announced_blocks?path=/a&path=/b' }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'block list of /etc/passwd (not the OS file)',
      call: () => ({ method: 'GET', path: '/files/blocks?path=/etc/passwd' }),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'list a traversal path',
      call: () => ({ method: 'GET', path: '/files/list?path=/Docs/..' }),
      status: 400,
      code: 'invalid_path',
    },
    {
      name: 'a traversal as the upload session id',
      call: () => ({
        method: 'PUT',
        path: '/files/upload/sessions/..%2F..%2Fmaster.key',
        headers: { 'content-range': 'bytes 0-3/4' },
        body: { bytes: utf8('evil') },
      }),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'a traversal as the block hash',
      call: () => ({
        method: 'PUT',
        path: `/blocks/${f.ann.rootNamespace}/..%2F..%2Fmaster.key`,
        body: { bytes: utf8('evil') },
      }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a traversal as the block namespace',
      call: () => ({ method: 'GET', path: `/blocks/..%2F..%2Fblocks/${'0'.repeat(64)}` }),
      status: 403,
      code: 'forbidden',
    },
  ]);
});

describe('cursors and other query values', () => {
  const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const changes = (cursor: string): EndpointCall => ({
    method: 'GET',
    path: `/changes?cursor=${cursor}`,
  });
  const invalidCursor = (name: string, cursor: () => string): HostileCase => ({
    name: `changes with ${name}`,
    call: () => changes(cursor()),
    status: 400,
    code: 'invalid_cursor',
  });
  itRefuses(f, [
    invalidCursor('a non-base64 cursor', () => '!!not-a-cursor!!'),
    invalidCursor('a cursor of another version', () => cursorOf({ v: 2, n: {} })),
    invalidCursor('a negative position', () =>
      cursorOf({ v: 1, n: { [f.ann.rootNamespace]: -1 } }),
    ),
    invalidCursor('a fractional position', () =>
      cursorOf({ v: 1, n: { [f.ann.rootNamespace]: 1.5 } }),
    ),
    invalidCursor('an array of positions', () => cursorOf({ v: 1, n: [1, 2] })),
    invalidCursor('a negative prune mark', () =>
      cursorOf({ v: 1, n: {}, p: { [f.ann.rootNamespace]: -1 } }),
    ),
    invalidCursor('a JSON null', () => cursorOf(null)),
    invalidCursor('a 15 000-character cursor of zeros', () => 'A'.repeat(15_000)),
    {
      name: 'changes with a negative limit',
      call: () => ({
        method: 'GET',
        path: `/changes?cursor=${cursorOf({ v: 1, n: {} })}&limit=-1`,
      }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a long-poll with an invalid cursor',
      call: () => ({ method: 'GET', path: '/notifications/longpoll?cursor=%00&timeout=1' }),
      status: 400,
      code: 'snake_case',
    },
    {
      name: 'a long-poll with a timeout over the maximum',
      call: () => ({
        method: 'GET',
        path: `/notifications/longpoll?cursor=${cursorOf({ v: 1, n: {} })}&timeout=100000`,
      }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'activity with a non-numeric cursor',
      call: () => ({ method: 'GET', path: '/activity?cursor=1%20OR%201=1' }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a block list rev of 65 characters',
      call: () => ({
        method: 'GET',
        path: `/files/blocks?path=/Docs/file.bin&rev=r_${'x'.repeat(63)}`,
      }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a block list rev given twice',
      call: () => ({ method: 'GET', path: '/files/blocks?path=/Docs/file.bin&rev=r_a&rev=r_b' }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a block list rev that is a traversal',
      call: () => ({
        method: 'GET',
        path: '/files/blocks?path=/Docs/file.bin&rev=..%2F..%2Fmaster.key',
      }),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'a block list rev that is an SQL injection',
      call: () => ({
        method: 'GET',
        path: `/files/blocks?path=/Docs/file.bin&rev=${encodeURIComponent("x' OR '1'='1")}`,
      }),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'a block list unknown parameter',
      call: () => ({ method: 'GET', path: '/files/blocks?path=/Docs/file.bin&recursive=true' }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a block list of a path given twice',
      call: () => ({ method: 'GET', path: '/files/blocks?path=/Docs/file.bin&path=/Movable' }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a list_revisions fileId of 65 characters',
      call: () => ({
        method: 'GET',
        path: `/files/list_revisions?path=/Docs/file.bin&fileId=f_${'x'.repeat(63)}`,
      }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a list_revisions fileId given twice',
      call: () => ({
        method: 'GET',
        path: '/files/list_revisions?path=/Docs/file.bin&fileId=f_a&fileId=f_b',
      }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a list_revisions fileId that is a traversal',
      call: () => ({
        method: 'GET',
        path: '/files/list_revisions?path=/Docs/file.bin&fileId=..%2F..%2Fmaster.key',
      }),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'a list_revisions unknown parameter',
      call: () => ({
        method: 'GET',
        path: '/files/list_revisions?path=/Docs/file.bin&fileid=f_a',
      }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a list_revisions limit of a billion',
      call: () => ({
        method: 'GET',
        path: '/files/list_revisions?path=/Docs/file.bin&limit=1000000000',
      }),
      status: 400,
      code: 'invalid_request',
    },
  ]);
});

describe('delete preconditions', () => {
  // Each aims at /Docs/file.bin: one wrongly accepted would delete it (the snapshot would see).
  const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const del = (precondition: Record<string, unknown>): EndpointCall => ({
    method: 'POST',
    path: '/files/delete',
    body: { json: { path: '/Docs/file.bin', ...precondition } },
  });
  const refused = (
    name: string,
    precondition: () => Record<string, unknown>,
    status: number,
    code: string,
  ): HostileCase => ({
    name: `delete with ${name}`,
    call: () => del(precondition()),
    status,
    code,
  });
  itRefuses(f, [
    refused('rev an object', () => ({ rev: { $ne: null } }), 400, 'invalid_request'),
    refused('rev an array', () => ({ rev: ['r_x'] }), 400, 'invalid_request'),
    refused('rev null', () => ({ rev: null }), 400, 'invalid_request'),
    refused('an empty rev', () => ({ rev: '' }), 400, 'invalid_request'),
    refused(
      'a rev of 65 characters',
      () => ({ rev: `r_${'x'.repeat(63)}` }),
      400,
      'invalid_request',
    ),
    // Schema type coercion turns 42 into "42", as for every string of the API: no revision.
    refused('rev a number', () => ({ rev: 42 }), 409, 'rev_conflict'),
    refused('a rev that is an SQL injection', () => ({ rev: "x' OR '1'='1" }), 409, 'rev_conflict'),
    refused('an unknown precondition field', () => ({ ifMatch: '*' }), 400, 'invalid_request'),
    refused('unchangedSince an object', () => ({ unchangedSince: {} }), 400, 'invalid_request'),
    refused('unchangedSince an array', () => ({ unchangedSince: ['x'] }), 400, 'invalid_request'),
    refused('unchangedSince null', () => ({ unchangedSince: null }), 400, 'invalid_request'),
    refused('an empty unchangedSince', () => ({ unchangedSince: '' }), 400, 'invalid_request'),
    refused('unchangedSince a number', () => ({ unchangedSince: 42 }), 400, 'invalid_cursor'),
    refused(
      'a 70 000-character unchangedSince',
      () => ({ unchangedSince: 'A'.repeat(70_000) }),
      400,
      'invalid_request',
    ),
    refused('a non-base64 cursor', () => ({ unchangedSince: '!!no!!' }), 400, 'invalid_cursor'),
    refused(
      'a cursor of another version',
      () => ({ unchangedSince: cursorOf({ v: 2, n: {} }) }),
      400,
      'invalid_cursor',
    ),
    refused(
      'a negative position',
      () => ({ unchangedSince: cursorOf({ v: 1, n: { [f.ann.rootNamespace]: -1 } }) }),
      400,
      'invalid_cursor',
    ),
    refused(
      'a fractional position',
      () => ({ unchangedSince: cursorOf({ v: 1, n: { [f.ann.rootNamespace]: 0.5 } }) }),
      400,
      'invalid_cursor',
    ),
    refused(
      'a position past 2^53',
      () => ({ unchangedSince: cursorOf({ v: 1, n: { [f.ann.rootNamespace]: 2 ** 60 } }) }),
      400,
      'invalid_cursor',
    ),
    refused(
      'a position of 1e308',
      () => ({ unchangedSince: cursorOf({ v: 1, n: { [f.ann.rootNamespace]: 1e308 } }) }),
      400,
      'invalid_cursor',
    ),
    refused(
      'a position as a string',
      () => ({ unchangedSince: cursorOf({ v: 1, n: { [f.ann.rootNamespace]: '9' } }) }),
      400,
      'invalid_cursor',
    ),
    refused(
      'a position ahead of the server',
      () => ({ unchangedSince: cursorOf({ v: 1, n: { [f.ann.rootNamespace]: 2 ** 40 } }) }),
      410,
      'cursor_expired',
    ),
    refused(
      'a cursor without the namespace (nothing read of it)',
      () => ({ unchangedSince: cursorOf({ v: 1, n: {} }) }),
      409,
      'path_changed',
    ),
    refused(
      'a valid rev but a malformed cursor',
      () => ({ rev: 'r_whatever', unchangedSince: '%%%' }),
      400,
      'invalid_cursor',
    ),
  ]);
});

describe('device ids and the Authorization header', () => {
  const signOut = (id: string): EndpointCall => ({ method: 'DELETE', path: `/devices/${id}` });
  itRefuses(f, [
    {
      name: 'sign out a traversal as the device id',
      call: () => signOut('..%2F..%2Fmaster.key'),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'sign out an SQL injection as the device id',
      call: () => signOut(encodeURIComponent("x' OR '1'='1")),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'sign out a wildcard as the device id',
      call: () => signOut('%25'),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'sign out a NUL as the device id',
      call: () => signOut('%00'),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'sign out a 65-character device id',
      call: () => signOut('d'.repeat(65)),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a second Authorization header beside the valid one',
      call: () => ({
        raw: { method: 'GET', target: '/devices', headers: { Authorization: 'Bearer x' } },
      }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a second Authorization header on a sign-out',
      call: () => ({
        raw: {
          method: 'POST',
          target: '/auth/logout',
          headers: { Authorization: `Bearer ${f.ann.token}` },
        },
      }),
      status: 400,
      code: 'invalid_request',
    },
  ]);
});

describe('announces with block lists, and waits for blocks (streaming sync)', () => {
  const id = 'c'.repeat(64);
  const announce = (body: Record<string, unknown>): EndpointCall => ({
    method: 'POST',
    path: '/files/announce',
    body: { json: { path: '/Docs/coming.bin', size: 10, modified: 1, ...body } },
  });
  const refused = (name: string, body: Record<string, unknown>): HostileCase => ({
    name: `announce ${name}`,
    call: () => announce(body),
    status: 400,
    code: 'invalid_request',
  });
  const waitFor = (query: string): HostileCase => ({
    name: `GET a block with ${query}`,
    call: () => ({ method: 'GET', path: `/blocks/${f.ann.rootNamespace}/${id}?${query}` }),
    status: 400,
    code: 'invalid_request',
  });
  itRefuses(f, [
    refused('blocks that add up to more than the size', { blocks: [{ id, size: 11 }] }),
    refused('blocks that add up to less than the size', { blocks: [{ id, size: 4 }] }),
    refused('a block of 0 bytes', { size: 0, blocks: [{ id, size: 0 }] }),
    refused('a negative block size', { blocks: [{ id, size: -10 }] }),
    refused('a block over 16 MiB', {
      size: 16 * 1024 * 1024 + 1,
      blocks: [{ id, size: 16 * 1024 * 1024 + 1 }],
    }),
    refused('a fractional block size', {
      blocks: [
        { id, size: 2.5 },
        { id, size: 7.5 },
      ],
    }),
    refused('a block id that is not 64 hex', { blocks: [{ id: 'C'.repeat(64), size: 10 }] }),
    refused('a block id with a traversal', { blocks: [{ id: '../../master.key', size: 10 }] }),
    refused('a block without a size', { blocks: [{ id }] }),
    refused('a block with an unknown field', { blocks: [{ id, size: 10, tier: 'cold' }] }),
    refused('blocks as a string', { blocks: id }),
    refused('blocks as an object', { blocks: { id, size: 10 } }),
    refused('over 100,000 blocks', {
      size: 100_001,
      blocks: Array.from({ length: 100_001 }, () => ({ id, size: 1 })),
    }),
    waitFor('waitMs=-1'),
    waitFor('waitMs=30001'),
    waitFor('waitMs=1e9'),
    waitFor('waitMs=abc'),
    waitFor('waitMs=1&waitMs=2'),
    waitFor('wait=1'),
  ]);
});
