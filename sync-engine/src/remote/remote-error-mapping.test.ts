import { describe, expect, it } from 'vitest';
import { WIRE_ERROR_STATUS, type WireErrorCode } from '../protocol/index.js';
import { RemoteError, isRetryableCode, type RemoteErrorCode } from './remote-error.js';
import {
  MAX_RETRY_AFTER_MS,
  UploadSourceFailure,
  errorFromResponse,
  errorFromTransport,
  parseRetryAfterMs,
} from './remote-error-mapping.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const HASH = 'ab'.repeat(32);

function wire(code: string, extra: Record<string, unknown> = {}) {
  return { error: { code, message: `${code} happened`, ...extra } };
}

function mapped(status: number, body: unknown, headers: Record<string, string> = {}) {
  return errorFromResponse({ status, headers, body }, 'do a thing', NOW);
}

/** A wire code's documented extra field, so a well-formed body can be built for each. */
const EXTRA: Partial<Record<WireErrorCode, Record<string, unknown>>> = {
  rev_conflict: { currentRev: 'rev-1' },
  missing_blocks: { missing: [HASH] },
  namespace_changed: { namespace: 'ns-2' },
};

describe('errorFromResponse', () => {
  it.each(Object.entries(WIRE_ERROR_STATUS) as [WireErrorCode, number][])(
    'maps a well-formed %s body with status %s to its code',
    (code, status) => {
      const error = mapped(status, wire(code, EXTRA[code]));
      expect(error).toBeInstanceOf(RemoteError);
      expect(error).toMatchObject({
        code,
        status,
        serverMessage: `${code} happened`,
        isRetryable: isRetryableCode(code),
      });
      expect(error.message).toBe(`do a thing: ${code} happened`);
    },
  );

  it.each([
    // status, body, headers, code
    [400, undefined, {}, 'invalid_request'],
    [401, 'Unauthorized', {}, 'unauthorized'],
    [403, {}, {}, 'forbidden'],
    [404, { error: 'nope' }, {}, 'not_found'],
    [413, undefined, {}, 'payload_too_large'],
    [418, undefined, {}, 'invalid_request'],
    [429, undefined, { 'retry-after': '3' }, 'rate_limited'],
    [500, undefined, {}, 'internal_error'],
    [502, undefined, {}, 'internal_error'],
    [503, undefined, {}, 'unavailable'],
    [504, undefined, {}, 'internal_error'],
    [507, undefined, {}, 'quota_exceeded'],
    // A body code of another status is not believed.
    [500, wire('rev_conflict', { currentRev: 'r' }), {}, 'internal_error'],
    [400, wire('not_found'), {}, 'invalid_request'],
    [404, wire('no_such_code'), {}, 'not_found'],
    // A code the engine acts on, without its field: never a half-filled error.
    [409, undefined, {}, 'invalid_response'],
    [409, wire('rev_conflict'), {}, 'invalid_response'],
    [409, wire('rev_conflict', { currentRev: 42 }), {}, 'invalid_response'],
    [412, wire('missing_blocks', { missing: 'x' }), {}, 'invalid_response'],
    [412, wire('missing_blocks', { missing: ['ABC'] }), {}, 'invalid_response'],
    [409, wire('namespace_changed', { namespace: '' }), {}, 'invalid_response'],
    // A success status is never an error code.
    [200, wire('not_found'), {}, 'invalid_response'],
    [308, undefined, {}, 'invalid_response'],
  ] as const)('maps status %s with body %j to %s', (status, body, headers, code) => {
    expect(mapped(status, body, headers).code).toBe(code satisfies RemoteErrorCode);
  });

  it('carries each documented extra field', () => {
    expect(mapped(409, wire('rev_conflict', { currentRev: 'rev-9' })).currentRev).toBe('rev-9');
    expect(mapped(409, wire('rev_conflict', { currentRev: null })).currentRev).toBeNull();
    expect(mapped(412, wire('missing_blocks', { missing: [HASH] })).missing).toEqual([HASH]);
    expect(mapped(412, wire('missing_blocks', { missing: [] })).missing).toEqual([]);
    expect(mapped(409, wire('namespace_changed', { namespace: 'ns-2' })).namespace).toBe('ns-2');
    const block = mapped(400, wire('invalid_block', { reason: 'block_auth_failed' }));
    expect(block).toMatchObject({ code: 'invalid_block', reason: 'block_auth_failed' });
    expect(mapped(404, wire('not_found')).currentRev).toBeUndefined();
  });

  it('reads Retry-After as seconds or a date, clamped', () => {
    expect(mapped(503, wire('unavailable'), { 'retry-after': '7' }).retryAfterMs).toBe(7000);
    const inOneMinute = new Date(NOW + 60_000).toUTCString();
    expect(mapped(429, wire('rate_limited'), { 'retry-after': inOneMinute }).retryAfterMs).toBe(
      60_000,
    );
    expect(mapped(503, wire('unavailable')).retryAfterMs).toBeUndefined();
  });

  it('keeps a long message short and free of control characters', () => {
    const error = mapped(400, {
      error: { code: 'invalid_request', message: `\u001b]0;x\u0007${'y'.repeat(2000)}` },
    });
    expect(error.serverMessage).toMatch(/^\]0;x y+…$/);
    expect(error.serverMessage!.length).toBeLessThanOrEqual(501);
  });
});

describe('parseRetryAfterMs', () => {
  it.each([
    [undefined, undefined],
    ['0', 0],
    ['1', 1000],
    [' 120 ', 120_000],
    ['99999999', MAX_RETRY_AFTER_MS],
    ['-1', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    [new Date(NOW - 5000).toUTCString(), 0],
    [new Date(NOW + 2000).toUTCString(), 2000],
  ])('reads %j as %s ms', (value, ms) => {
    expect(parseRetryAfterMs(value, NOW)).toBe(ms);
  });
});

/** An error shaped like got's: a name and a code. */
function gotError(name: string, code: string, cause?: unknown): Error {
  return Object.assign(new Error(`${name} ${code}`, { cause }), { name, code });
}

describe('errorFromTransport', () => {
  const live = new AbortController().signal;

  it.each([
    ['RequestError', 'ECONNREFUSED', 'network_error'],
    ['RequestError', 'ECONNRESET', 'network_error'],
    ['RequestError', 'ENOTFOUND', 'network_error'],
    ['RequestError', 'EAI_AGAIN', 'network_error'],
    ['ReadError', 'ERR_GOT_REQUEST_ERROR', 'network_error'],
    ['TimeoutError', 'ETIMEDOUT', 'timeout'],
    ['RequestError', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'tls_error'],
    ['RequestError', 'ERR_TLS_CERT_ALTNAME_INVALID', 'tls_error'],
    ['RequestError', 'ERR_SSL_WRONG_VERSION_NUMBER', 'tls_error'],
    ['RequestError', 'HPE_INVALID_CONSTANT', 'invalid_response'],
  ] as const)('maps %s %s to %s', (name, code, expected) => {
    const error = errorFromTransport(gotError(name, code), { what: 'x', signal: live });
    expect(error?.code).toBe(expected);
    expect(error?.status).toBeUndefined();
  });

  it('maps anything after the caller aborted to aborted, with the reason as cause', () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const error = errorFromTransport(gotError('RequestError', 'ECONNRESET'), {
      what: 'x',
      signal: controller.signal,
    });
    expect(error).toMatchObject({ code: 'aborted', isRetryable: false });
    expect(error?.cause).toEqual(new Error('stop'));
  });

  it("maps an upload source's failure to upload_source_failed with its own error", () => {
    const disk = new Error('EIO');
    const wrapped = gotError('RequestError', 'EIO', new UploadSourceFailure('x', { cause: disk }));
    const error = errorFromTransport(wrapped, { what: 'x', signal: live });
    expect(error).toMatchObject({ code: 'upload_source_failed', isRetryable: false });
    expect(error?.cause).toBe(disk);
  });

  it('leaves bugs alone (undefined: the caller rethrows them)', () => {
    expect(errorFromTransport(new TypeError('bad'), { what: 'x', signal: live })).toBeUndefined();
    expect(
      errorFromTransport(gotError('RequestError', 'ERR_INVALID_ARG_TYPE'), {
        what: 'x',
        signal: live,
      }),
    ).toBeUndefined();
  });
});
