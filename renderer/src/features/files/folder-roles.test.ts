import { describe, expect, it } from 'vitest';
import type { FolderEntry } from 'sync-engine/control';
import { canWriteAt, crumbsOf, roleAt, withMounts } from './folder-roles.js';

const folder = (path: string, sharedRole: FolderEntry['sharedRole']): FolderEntry => ({
  path,
  name: path.slice(path.lastIndexOf('/') + 1),
  type: 'folder',
  sizeBytes: null,
  modifiedMs: null,
  sharedRole,
});

describe('folder roles', () => {
  const roles = withMounts(new Map(), [
    folder('/Team', 'viewer'),
    folder('/Plans', 'editor'),
    folder('/Mine', null),
  ]);

  it.each([
    ['/', 'owner', true],
    ['/Mine/a.txt', 'owner', true],
    ['/Team', 'viewer', false],
    ['/Team/deep/a.txt', 'viewer', false],
    ['/Teamwork/a.txt', 'owner', true],
    ['/Plans/a.txt', 'editor', true],
  ] as const)('%s is %s', (path, role, writable) => {
    expect(roleAt(roles, path)).toBe(role);
    expect(canWriteAt(roles, path)).toBe(writable);
  });

  it('the innermost mount decides', () => {
    const nested = withMounts(roles, [folder('/Plans/Review', 'viewer')]);
    expect(roleAt(nested, '/Plans/Review/x')).toBe('viewer');
    expect(roleAt(nested, '/Plans/x')).toBe('editor');
  });

  it('crumbs', () => {
    expect(crumbsOf('/')).toEqual([['Ferry', '/']]);
    expect(crumbsOf('/a/b')).toEqual([
      ['Ferry', '/'],
      ['a', '/a'],
      ['b', '/a/b'],
    ]);
  });
});
