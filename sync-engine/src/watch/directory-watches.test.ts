import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDir, waitUntil } from '../testkit/index.js';
import { watchDirectories, type DirectoryWatches } from './directory-watches.js';

const dir = useTempDir('dir-watches');
const running: DirectoryWatches[] = [];
afterEach(() => running.splice(0).forEach((watches) => watches.close()));

const onDisk = (diskPath: string) => path.join(dir(), ...diskPath.split('/'));

async function start() {
  const seen: string[] = [];
  const errors: Error[] = [];
  const watches = await watchDirectories({
    root: dir(),
    isLeftOut: (diskPath) => diskPath === '/skip' || diskPath.startsWith('/skip/'),
    onPath: (diskPath) => seen.push(diskPath),
    onError: (error) => errors.push(error),
    platform: 'linux',
  });
  running.push(watches);
  return { watches, seen, errors };
}

describe.runIf(process.platform === 'linux')('watchDirectories on Linux', () => {
  it('opens one watch per folder, none for files or left-out trees', async () => {
    await mkdir(onDisk('/a/b'), { recursive: true });
    await mkdir(onDisk('/skip/deep'), { recursive: true });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => writeFile(onDisk(`/a/b/f${i}.txt`), `${i}`)),
    );
    const { watches } = await start();
    expect(watches.folders()).toEqual(['/', '/a', '/a/b']);
  });

  it('follows renames, removals and a folder made again under the same name', async () => {
    await mkdir(onDisk('/album/raw'), { recursive: true });
    const { watches, seen, errors } = await start();
    expect(watches.size).toBe(3);

    await rename(onDisk('/album'), onDisk('/photos'));
    await waitUntil(() => watches.folders().join() === '/,/photos,/photos/raw', {
      what: 'relabelled',
    });
    await writeFile(onDisk('/photos/raw/1.cr2'), 'x');
    await waitUntil(() => seen.includes('/photos/raw/1.cr2'), { what: 'new name' });
    expect(seen.filter((p) => p.startsWith('/album/'))).toEqual([]);

    await rm(onDisk('/photos'), { recursive: true });
    await waitUntil(() => watches.size === 1, { what: 'watches closed' });
    await mkdir(onDisk('/photos/raw'), { recursive: true });
    await waitUntil(() => watches.folders().join() === '/,/photos,/photos/raw', {
      what: 'made again',
    });
    await writeFile(onDisk('/photos/raw/2.cr2'), 'x');
    await waitUntil(() => seen.includes('/photos/raw/2.cr2'), { what: 'made again, watched' });
    expect(errors).toEqual([]);
  });

  it('reports nothing once closed', async () => {
    const { watches, seen } = await start();
    watches.close();
    await writeFile(onDisk('/late.txt'), 'x');
    await mkdir(onDisk('/sentinel'));
    // A second watcher on the same folder sees both, so the first had the chance to.
    const other = await start();
    await writeFile(onDisk('/sentinel/x'), 'x');
    await waitUntil(() => other.seen.includes('/sentinel/x'), { what: 'other watcher' });
    expect(seen).toEqual([]);
    expect(watches.size).toBe(0);
  });
});
