import { describe, expect, it } from 'vitest';
import { httpStatusOf, isWireErrorCode, WIRE_ERROR_STATUS, wireErrorCodeOf } from './index.js';

describe('wire error codes', () => {
  it('are snake_case and map to 4xx/5xx statuses', () => {
    for (const [code, status] of Object.entries(WIRE_ERROR_STATUS)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });

  it.each([
    ['rev_conflict', 409],
    ['missing_blocks', 412],
    ['cursor_expired', 410],
    ['quota_exceeded', 507],
    ['rate_limited', 429],
    ['invalid_path', 400],
  ] as const)('%s answers %i', (code, status) => {
    expect(httpStatusOf(code)).toBe(status);
  });

  it('recognises only known codes', () => {
    expect(isWireErrorCode('not_found')).toBe(true);
    expect(isWireErrorCode('toString')).toBe(false);
    expect(isWireErrorCode(404)).toBe(false);
  });

  it.each([
    [409, { error: { code: 'path_conflict', message: 'x' } }, 'path_conflict'],
    [409, { error: { code: 'made_up', message: 'x' } }, 'rev_conflict'],
    [404, 'not json', 'not_found'],
    [502, null, 'internal_error'],
    [503, {}, 'unavailable'],
    [418, {}, 'invalid_request'],
  ] as const)('status %i with body %j reads as %s', (status, body, code) => {
    expect(wireErrorCodeOf(status, body)).toBe(code);
  });
});
