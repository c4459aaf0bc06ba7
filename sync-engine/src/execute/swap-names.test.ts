import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTree, useSyncPair } from './sync-pair.fixture.js';

const pair = useSyncPair();

describe('two names swapped on one device', () => {
  it('swaps them on the other device too (one steps aside under a temporary name)', async () => {
    const [a, b] = [pair.a(), pair.b()];
    await writeFile(path.join(a.folder, 'first.txt'), 'one');
    await writeFile(path.join(a.folder, 'second.txt'), 'two');
    await pair.converge();
    await rename(path.join(a.folder, 'first.txt'), path.join(a.folder, 'swap.tmp'));
    await rename(path.join(a.folder, 'second.txt'), path.join(a.folder, 'first.txt'));
    await rename(path.join(a.folder, 'swap.tmp'), path.join(a.folder, 'second.txt'));
    await pair.converge();
    expect(await readTree(b.folder)).toEqual({ '/first.txt': 'two', '/second.txt': 'one' });
  });
});

describe('three names rotated on one device', () => {
  it('rotates them on the other device too', async () => {
    const [a, b] = [pair.a(), pair.b()];
    for (const name of ['a', 'b', 'c']) await writeFile(path.join(a.folder, `${name}.txt`), name);
    await pair.converge();
    await rename(path.join(a.folder, 'a.txt'), path.join(a.folder, 'tmp'));
    await rename(path.join(a.folder, 'c.txt'), path.join(a.folder, 'a.txt'));
    await rename(path.join(a.folder, 'b.txt'), path.join(a.folder, 'c.txt'));
    await rename(path.join(a.folder, 'tmp'), path.join(a.folder, 'b.txt'));
    await pair.converge();
    expect(await readTree(b.folder)).toEqual({ '/a.txt': 'c', '/b.txt': 'a', '/c.txt': 'b' });
  });
});
