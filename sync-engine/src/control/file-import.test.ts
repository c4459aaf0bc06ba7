/**
 * Importing dropped files into a real folder through the real disk adapter: the bytes land at
 * the path (folders made), a taken name gets the next free number and nothing is replaced, the
 * engine is told, and a failing stream leaves no temporary file behind.
 */
import { readdir, readFile, writeFile, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeFileSystem } from '../disk/node-file-system.js';
import { useTempDir } from '../testkit/index.js';
import { createFileImport, numberedPath } from './file-import.js';

const dir = useTempDir('ferry-import-');

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

function importer(root: string, imported: string[]) {
  let n = 0;
  return createFileImport({
    fs: createNodeFileSystem(root),
    tempFolder: '/.ferry/tmp',
    tempName: () => `import-${(n += 1)}`,
    onImported: (p) => imported.push(p),
  });
}

describe('importing a dropped file', () => {
  it('streams it to its path, making folders, and tells the engine', async () => {
    const imported: string[] = [];
    const result = await importer(dir(), imported)('/Drop/deep/a.txt', chunks('hello ', 'world'));
    expect(result).toEqual({ path: '/Drop/deep/a.txt', sizeBytes: 11 });
    expect(await readFile(path.join(dir(), 'Drop/deep/a.txt'), 'utf8')).toBe('hello world');
    expect(imported).toEqual(['/Drop/deep/a.txt']);
    expect(await readdir(path.join(dir(), '.ferry/tmp'))).toEqual([]);
  });

  it('never replaces a file: the next free number is taken', async () => {
    await writeFile(path.join(dir(), 'a.txt'), 'mine');
    await writeFile(path.join(dir(), 'a (2).txt'), 'also mine');
    const run = importer(dir(), []);
    expect((await run('/a.txt', chunks('dropped'))).path).toBe('/a (3).txt');
    expect(await readFile(path.join(dir(), 'a.txt'), 'utf8')).toBe('mine');
    expect(await readFile(path.join(dir(), 'a (3).txt'), 'utf8')).toBe('dropped');
  });

  it('a failing stream leaves nothing behind', async () => {
    await mkdir(path.join(dir(), 'x'));
    async function* broken(): AsyncIterable<Uint8Array> {
      yield new Uint8Array([1, 2, 3]);
      throw Object.assign(new Error('the browser went away'), { code: 'ECONNRESET' });
    }
    await expect(importer(dir(), [])('/x/b.bin', broken())).rejects.toThrow('went away');
    expect(await readdir(path.join(dir(), 'x'))).toEqual([]);
    expect(await readdir(path.join(dir(), '.ferry/tmp'))).toEqual([]);
  });

  it('refuses a path through a symbolic link or a file, writing nothing anywhere', async () => {
    const outside = path.join(dir(), 'outside');
    await mkdir(outside);
    const root = path.join(dir(), 'root');
    await mkdir(root);
    await symlink(outside, path.join(root, 'link'));
    await writeFile(path.join(root, 'plain.txt'), 'a file');
    const run = importer(root, []);
    await expect(run('/link/sub/evil.txt', chunks('x'))).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'cannot add /link/sub/evil.txt: /link is a symbolic link',
    });
    await expect(run('/plain.txt/b.txt', chunks('x'))).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'cannot add /plain.txt/b.txt: /plain.txt is not a folder',
    });
    expect(await readdir(outside)).toEqual([]);
    expect((await readdir(root)).sort()).toEqual(['link', 'plain.txt']);
  });

  it('refuses a name too long once numbered, with a sentence', async () => {
    const name = `${'n'.repeat(251)}.txt`;
    await writeFile(path.join(dir(), name), 'first');
    await expect(importer(dir(), [])(`/${name}`, chunks('x'))).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('the name is too long here'),
    });
  });

  it.each([
    ['/a.txt', '/a (2).txt'],
    ['/d/archive.tar.gz', '/d/archive.tar (2).gz'],
    ['/.profile', '/.profile (2)'],
    ['/README', '/README (2)'],
  ])('numberedPath(%s, 2) is %s', (from, to) => expect(numberedPath(from, 2)).toBe(to));
});
