import { describe, expect, it } from 'vitest';
import {
  ancestorsOf,
  baseName,
  isSameOrDescendant,
  joinPath,
  parentPath,
  parsePath,
  type PathProblem,
  type RemotePath,
} from './index.js';

const accepted: Array<[string, string, string]> = [
  ['root', '/', '/'],
  ['simple file', '/a.txt', '/a.txt'],
  ['nested', '/Docs/2024/report.pdf', '/Docs/2024/report.pdf'],
  ['NFD becomes NFC', '/cafe\u0301.txt', '/caf\u00e9.txt'],
  ['spaces and dots inside names', '/my file..v2 .txt', '/my file..v2 .txt'],
  ['three dots is a name', '/.../x', '/.../x'],
  ['hidden file', '/.ferryignore', '/.ferryignore'],
  ['astral characters', '/\u{1F600}.png', '/\u{1F600}.png'],
  ['255-byte segment', `/${'a'.repeat(255)}`, `/${'a'.repeat(255)}`],
  ['255 bytes of 2-byte chars', `/${'é'.repeat(127)}a`, `/${'é'.repeat(127)}a`],
];

const refused: Array<[string, unknown, PathProblem]> = [
  ['not a string', 42, 'not_a_string'],
  ['empty', '', 'not_absolute'],
  ['relative', 'a/b', 'not_absolute'],
  ['double slash', '/a//b', 'empty_segment'],
  ['trailing slash', '/a/', 'empty_segment'],
  ['dot', '/a/./b', 'dot_segment'],
  ['dot dot', '/a/../b', 'dot_segment'],
  ['dot dot at end', '/..', 'dot_segment'],
  ['NUL', '/a\u0000b', 'control_character'],
  ['newline', '/a\nb', 'control_character'],
  ['DEL', '/a\u007fb', 'control_character'],
  ['C1 control', '/a\u0085b', 'control_character'],
  ['backslash', '/a\\b', 'backslash'],
  ['lone high surrogate', '/a\ud800b', 'invalid_unicode'],
  ['lone low surrogate', '/a\udc00', 'invalid_unicode'],
  ['replacement char from bad UTF-8', '/a\ufffd', 'invalid_unicode'],
  ['256-byte segment', `/${'a'.repeat(256)}`, 'segment_too_long'],
  ['256 bytes of 2-byte chars', `/${'é'.repeat(128)}`, 'segment_too_long'],
  ['path over 4096 bytes', `/${Array(20).fill('b'.repeat(250)).join('/')}`, 'path_too_long'],
];

describe('parsePath', () => {
  it.each(accepted)('accepts %s', (_name, input, expected) => {
    const result = parsePath(input);
    expect(result).toEqual({ ok: true, path: expected });
  });

  it.each(refused)('refuses %s', (_name, input, problem) => {
    const result = parsePath(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toBe(problem);
      expect(result.message.length).toBeGreaterThan(0);
    }
  });
});

describe('path helpers', () => {
  const p = (s: string) => s as RemotePath;
  it.each([
    ['/', '/', ''],
    ['/a', '/', 'a'],
    ['/a/b/c.txt', '/a/b', 'c.txt'],
  ])('parent and name of %s', (path, parent, name) => {
    expect(parentPath(p(path))).toBe(parent);
    expect(baseName(p(path))).toBe(name);
  });

  it('joins under the root and under a folder', () => {
    expect(joinPath(p('/'), 'x')).toBe('/x');
    expect(joinPath(p('/a'), 'x')).toBe('/a/x');
  });

  it.each([
    ['/a/b', '/a', true],
    ['/a', '/a', true],
    ['/ab', '/a', false],
    ['/a', '/a/b', false],
    ['/anything', '/', true],
  ])('%s is same or below %s: %s', (path, ancestor, expected) => {
    expect(isSameOrDescendant(p(path), p(ancestor))).toBe(expected);
  });

  it('lists ancestors top down', () => {
    expect(ancestorsOf(p('/a/b/c'))).toEqual(['/a', '/a/b']);
    expect(ancestorsOf(p('/a'))).toEqual([]);
    expect(ancestorsOf(p('/'))).toEqual([]);
  });
});
