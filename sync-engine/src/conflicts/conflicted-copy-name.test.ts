import { describe, expect, it } from 'vitest';
import { conflictedCopyPath } from './conflicted-copy-name.js';

const AT = new Date(2026, 11, 2, 9, 5, 7).getTime();

describe('conflictedCopyPath', () => {
  it.each([
    ['/docs/report.txt', '/docs/report (conflicted copy from laptop 2026-12-02 090507).txt'],
    ['/a.tar.gz', '/a.tar (conflicted copy from laptop 2026-12-02 090507).gz'],
    ['/.bashrc', '/.bashrc (conflicted copy from laptop 2026-12-02 090507)'],
    ['/Makefile', '/Makefile (conflicted copy from laptop 2026-12-02 090507)'],
  ])('%s → %s', (path, expected) => {
    expect(conflictedCopyPath(path, 'laptop', AT)).toBe(expected);
  });

  it('numbers a second copy made in the same second and cleans the device name', () => {
    expect(conflictedCopyPath('/x.md', 'ann/pc:1', AT, 2)).toBe(
      '/x (conflicted copy from ann_pc_1 2026-12-02 090507 2).md',
    );
  });
});
