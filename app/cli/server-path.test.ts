import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from './cli-errors.js';
import { toServerPath } from './server-path.js';

let root: string;
let folder: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'ferry-server-path-'));
  folder = path.join(root, 'Ferry');
  await mkdir(path.join(folder, 'docs'), { recursive: true });
  await symlink(folder, path.join(root, 'link'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('toServerPath', () => {
  it.each([
    ['a server path', '/docs/a.txt', () => root, '/docs/a.txt'],
    ['the server root', '/', () => root, '/'],
    ['a trailing slash', '/docs/', () => root, '/docs'],
    [
      'an absolute path in the folder',
      () => path.join(folder, 'docs', 'a.txt'),
      () => root,
      '/docs/a.txt',
    ],
    ['the folder itself', () => folder, () => root, '/'],
    ['a path relative to the folder', 'docs/a.txt', () => folder, '/docs/a.txt'],
    ['a path relative to a subfolder', '../b.txt', () => path.join(folder, 'docs'), '/b.txt'],
    ['a name starting with ..', '..notes', () => folder, '/..notes'],
    ['a not yet existing file', 'new/deep/file.txt', () => folder, '/new/deep/file.txt'],
    [
      'the folder through a symlink',
      () => path.join(root, 'link', 'docs', 'x'),
      () => root,
      '/docs/x',
    ],
    ['NFD spelling', 'docs/cafe\u0301.txt', () => folder, '/docs/caf\u00e9.txt'],
    ['NFD server path', '/cafe\u0301', () => root, '/caf\u00e9'],
  ])('maps %s', async (_what, argument, cwd, expected) => {
    const given = typeof argument === 'string' ? argument : argument();
    expect(await toServerPath(given, { folder, cwd: cwd() })).toBe(expected);
  });

  it.each([
    ['a sibling of the folder', () => path.join(root, 'other.txt'), /outside the synced folder/],
    ['a relative path leaving the folder', () => '../other.txt', /outside the synced folder/],
    [
      'a local absolute path elsewhere',
      () => path.join(tmpdir(), 'x.txt'),
      /outside the synced folder/,
    ],
    ['a dot segment', () => '/docs/../a.txt', /\. or \.\. segment/],
    ['a control character', () => '/docs/a\u0001.txt', /control character/],
    ['an empty path', () => '', /must not be empty/],
  ])('refuses %s', async (_what, argument, reason) => {
    const result = toServerPath(argument(), { folder, cwd: folder });
    await expect(result).rejects.toBeInstanceOf(UsageError);
    await expect(result).rejects.toThrow(reason);
  });

  it('takes only server paths when there is no synced folder yet', async () => {
    const context = { folder: null, cwd: root };
    expect(await toServerPath('/docs/a.txt', context)).toBe('/docs/a.txt');
    await expect(toServerPath('docs/a.txt', context)).rejects.toThrow(/no synced folder yet/);
    await expect(toServerPath(path.join(folder, 'a'), context)).rejects.toThrow(
      /no synced folder yet/,
    );
  });
});
