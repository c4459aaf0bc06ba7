import { describe, expect, it } from 'vitest';
import {
  baseName,
  folderOf,
  formatBytes,
  formatRate,
  formatRelativeTime,
  placeOf,
} from './format.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [999, '999 bytes'],
    [1000, '1.0 KB'],
    [1500, '1.5 KB'],
    [12_345_678, '12 MB'],
    [1_234_567_890, '1.2 GB'],
    [5e15, '5000 TB'],
    [-1, '—'],
    [Number.NaN, '—'],
  ])('%d reads %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});

describe('formatRate', () => {
  it('is empty when nothing moves', () => {
    expect(formatRate(0)).toBe('');
    expect(formatRate(2_500_000)).toBe('2.5 MB/s');
  });
});

describe('formatRelativeTime', () => {
  const now = Date.UTC(2026, 11, 3, 12, 0, 0);
  it.each([
    [now - 10_000, 'just now'],
    [now + 5_000, 'just now'],
    [now - 60_000, 'a minute ago'],
    [now - 5 * 60_000, '5 minutes ago'],
    [now - 3_600_000, 'an hour ago'],
    [now - 5 * 3_600_000, '5 hours ago'],
    [now - 26 * 3_600_000, 'yesterday'],
    [now - 3 * 86_400_000, '3 days ago'],
  ])('%d reads %s', (then, text) => expect(formatRelativeTime(then, now)).toBe(text));

  it('gives a date past a week', () => {
    expect(formatRelativeTime(now - 30 * 86_400_000, now)).toMatch(/2026/);
  });
});

describe('paths', () => {
  it.each([
    ['/a.txt', 'a.txt', '/', ''],
    ['/docs/a.txt', 'a.txt', '/docs', 'in /docs'],
    ['/x/y/z', 'z', '/x/y', 'in /x/y'],
    ['/', '/', '/', ''],
  ])('%s', (path, base, folder, place) => {
    expect(baseName(path)).toBe(base);
    expect(folderOf(path)).toBe(folder);
    expect(placeOf(path)).toBe(place);
  });
});
