import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../testkit/index.js';
import { createNodeFileSystem } from './node-file-system.js';

const tempDir = useTempDir('ferry-node-fs-');

describe('renameNoReplace', () => {
  it('moves the file when nothing is at the target', async () => {
    const root = tempDir();
    const fs = createNodeFileSystem(root);
    await writeFile(path.join(root, 'temp'), 'downloaded');
    await fs.renameNoReplace('/temp', '/final.txt');
    expect(await readFile(path.join(root, 'final.txt'), 'utf8')).toBe('downloaded');
    expect(await fs.stat('/temp')).toBeUndefined();
  });

  it('refuses with EEXIST when a file is there, and changes neither', async () => {
    const root = tempDir();
    const fs = createNodeFileSystem(root);
    await writeFile(path.join(root, 'temp'), 'downloaded');
    await writeFile(path.join(root, 'final.txt'), "the user's new file");
    await expect(fs.renameNoReplace('/temp', '/final.txt')).rejects.toMatchObject({
      code: 'EEXIST',
    });
    expect(await readFile(path.join(root, 'final.txt'), 'utf8')).toBe("the user's new file");
    expect(await readFile(path.join(root, 'temp'), 'utf8')).toBe('downloaded');
  });
});
