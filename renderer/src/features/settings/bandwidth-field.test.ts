import { describe, expect, it } from 'vitest';
import { fieldToLimit, limitToField } from './bandwidth-field.js';

describe('bandwidth fields', () => {
  it.each([
    ['', null],
    ['  ', null],
    ['500', 500_000],
    [' 20 ', 20_000],
    ['0', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['12345678', undefined],
    ['abc', undefined],
  ])('%j is %j', (text, limit) => expect(fieldToLimit(text)).toBe(limit));

  it('shows limits in KB/s', () => {
    expect(limitToField(null)).toBe('');
    expect(limitToField(500_000)).toBe('500');
  });
});
