import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseEmail, parseLimit, parseName, parseRev, parseServerUrl } from './flag-parsers.js';

describe('flag parsers', () => {
  it.each([
    ['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
    ['http://127.0.0.1:8787/', 'http://127.0.0.1:8787'],
    ['https://ferry.example/base/', 'https://ferry.example/base'],
    ['HTTPS://Ferry.Example', 'https://ferry.example'],
  ])('takes the server URL %s', (value, expected) => {
    expect(parseServerUrl(value)).toBe(expected);
  });

  it.each([
    ['ftp://x.example'],
    ['localhost:8787'],
    ['http://u:p@x.example'],
    ['http://x.example/?a=1'],
    ['http://x.example/#top'],
    [''],
  ])('refuses the server URL %j', (value) => {
    expect(() => parseServerUrl(value)).toThrow(InvalidArgumentError);
  });

  it('checks emails as the server does', () => {
    expect(parseEmail('ann@example.com')).toBe('ann@example.com');
    for (const bad of ['ann', '@x', 'a@', 'a b@c', 'a@b@c', `${'a'.repeat(250)}@b.cd`]) {
      expect(() => parseEmail(bad), bad).toThrow(InvalidArgumentError);
    }
  });

  it('checks names', () => {
    expect(parseName('Ann Lee')).toBe('Ann Lee');
    for (const bad of ['', '  ', 'a\nb', 'x'.repeat(201)]) {
      expect(() => parseName(bad), JSON.stringify(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('takes limits from 1 to 1000, digits only', () => {
    expect(parseLimit('1')).toBe(1);
    expect(parseLimit('1000')).toBe(1000);
    for (const bad of ['0', '1001', '-1', '1.5', '1e2', ' 5', '', 'ten']) {
      expect(() => parseLimit(bad), bad).toThrow(InvalidArgumentError);
    }
  });

  it('takes revision ids as history prints them', () => {
    expect(parseRev('r_3kTabc-_')).toBe('r_3kTabc-_');
    for (const bad of ['', 'a b', 'x'.repeat(65), 'r\u00e9v']) {
      expect(() => parseRev(bad), bad).toThrow(InvalidArgumentError);
    }
  });
});
