import { describe, expect, it } from 'vitest';
import type { Operation } from '../plan/index.js';
import { nameRefusalOf } from './name-refusal.js';

const errno = (code: string) => Object.assign(new Error(`${code}: failed`), { code });

const cases: Array<[Operation['kind'], string, unknown, string | undefined]> = [
  ['download', '/CON.txt', errno('EINVAL'), 'this file system refuses the name "CON.txt" (EINVAL)'],
  ['mkdir_local', '/bad. ', errno('EINVAL'), 'this file system refuses the name "bad. " (EINVAL)'],
  // The folder's name is the one refused, not the file's.
  [
    'download',
    '/bad. /in.txt',
    errno('EINVAL'),
    'this file system refuses the name "bad. " (EINVAL)',
  ],
  [
    'move_local',
    '/docs/x\ud800',
    errno('EILSEQ'),
    'this file system refuses the name "x\ud800" (EILSEQ)',
  ],
  [
    'download',
    '/long.txt',
    errno('ENAMETOOLONG'),
    'the name is too long for this file system (ENAMETOOLONG)',
  ],
  // Node on Windows: ERROR_INVALID_NAME comes out as ENOENT.
  [
    'download',
    '/a:b?.txt',
    errno('ENOENT'),
    'this file system refuses the name "a:b?.txt" (ENOENT)',
  ],
  // ENOENT for a portable name is a folder gone meanwhile, not a refusal.
  ['download', '/docs/plan.txt', errno('ENOENT'), undefined],
  ['download', '/CON.txt', errno('EACCES'), undefined],
  ['download', '/CON.txt', new Error('no code'), undefined],
  // Nothing is written here: a server-side failure is never a refused name.
  ['upload', '/CON.txt', errno('EINVAL'), undefined],
  ['delete_local', '/CON.txt', errno('EINVAL'), undefined],
];

describe('nameRefusalOf', () => {
  it.each(cases)('%s %j (case %#)', (kind, path, error, expected) => {
    expect(nameRefusalOf(kind, path, error)).toBe(expected);
  });
});
