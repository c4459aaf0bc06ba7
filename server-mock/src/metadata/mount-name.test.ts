import { describe, expect, it } from 'vitest';
import { MAX_SEGMENT_BYTES, parsePath } from 'sync-engine/protocol';
import { mountNameCandidate, truncateToBytes } from './mount-name.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('truncateToBytes', () => {
  it.each([
    ['ascii within the limit', 'abc', 5, 'abc'],
    ['ascii cut', 'abcdef', 4, 'abcd'],
    ['two-byte characters, never half of one', 'ééé', 5, 'éé'],
    ['three-byte characters', '日本語', 8, '日本'],
    ['four-byte emoji (surrogate pairs)', '😀😀', 7, '😀'],
    ['a combining mark stays with its letter', 'ae\u0301', 3, 'a'],
    ['a zero-width-joiner sequence is one character', 'x👩‍👩‍👧', 17, 'x'],
    ['a flag (two regional indicators) is one character', 'x🇫🇷', 7, 'x'],
    ['nothing fits', '日', 2, ''],
  ])('%s', (_name, text, maxBytes, expected) => {
    expect(truncateToBytes(text, maxBytes)).toBe(expected);
    expect(bytes(truncateToBytes(text, maxBytes))).toBeLessThanOrEqual(maxBytes);
  });
});

describe('mountNameCandidate', () => {
  it('is the name itself first, then the name with (n)', () => {
    expect(mountNameCandidate('Projects', 1)).toBe('Projects');
    expect(mountNameCandidate('Projects', 2)).toBe('Projects (2)');
    expect(mountNameCandidate('Projects', 12)).toBe('Projects (12)');
  });

  it.each([
    ['255 ASCII bytes', 'a'.repeat(255)],
    ['254 ASCII bytes', 'a'.repeat(254)],
    ['85 three-byte characters', '日'.repeat(85)],
    ['63 emoji and three letters', `${'😀'.repeat(63)}abc`],
    ['127 two-byte characters and one letter', `${'é'.repeat(127)}x`],
  ])('keeps every candidate of %s a valid segment', (_name, name) => {
    expect(parsePath(`/${name}`).ok).toBe(true);
    for (const n of [2, 9, 10, 100, 1000]) {
      const candidate = mountNameCandidate(name, n);
      expect(bytes(candidate)).toBeLessThanOrEqual(MAX_SEGMENT_BYTES);
      expect(parsePath(`/${candidate}`)).toEqual({ ok: true, path: `/${candidate}` });
      expect(candidate.endsWith(` (${n})`)).toBe(true);
      expect(name.startsWith(candidate.slice(0, -` (${n})`.length))).toBe(true);
    }
  });
});
