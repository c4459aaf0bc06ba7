import { describe, expect, it } from 'vitest';
import { caseOnlyTwins, nonPortableReason } from './portable-names.js';

describe('portable names', () => {
  it.each([
    ['CON', 'windows_reserved_name'],
    ['nul.txt', 'windows_reserved_name'],
    ['Com1', 'windows_reserved_name'],
    ['lpt9.tar.gz', 'windows_reserved_name'],
    ['COM¹', 'windows_reserved_name'],
    ['report.', 'trailing_dot_or_space'],
    ['notes ', 'trailing_dot_or_space'],
    ['a:b', 'windows_invalid_character'],
    ['why?.txt', 'windows_invalid_character'],
    ['"quoted"', 'windows_invalid_character'],
    ['x<y>z', 'windows_invalid_character'],
    ['pipe|name', 'windows_invalid_character'],
    ['star*', 'windows_invalid_character'],
  ] as const)('%s is not portable: %s', (name, reason) => {
    expect(nonPortableReason(name)).toBe(reason);
  });

  it.each(['console.log', 'CONFIG', 'com10', 'lpt', '.hidden', 'naïve.txt', 'a.b.c', '日本語'])(
    '%s is portable',
    (name) => {
      expect(nonPortableReason(name)).toBeUndefined();
    },
  );

  it('finds case-only twins, NFC and NFD spellings being one name', () => {
    const nfd = 'Cafe\u0301.txt';
    expect(
      caseOnlyTwins(['Readme.md', 'README.md', 'readme.MD', 'other.txt', 'Café.txt', nfd]),
    ).toEqual([['README.md', 'Readme.md', 'readme.MD']]);
    expect(caseOnlyTwins(['café.TXT', nfd])).toEqual([['Café.txt', 'café.TXT']]);
    expect(caseOnlyTwins(['a', 'b'])).toEqual([]);
  });
});
