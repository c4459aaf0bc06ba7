import { statSync } from 'node:fs';
import { mkdir, open, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeFileSystem } from '../disk/node-file-system.js';
import { createTestTempDir, useTempDir, waitUntil } from '../testkit/index.js';
import { watchFolder, type FolderWatcher, type FolderWatcherOptions } from './folder-watcher.js';
import { systemClock } from '../system-clock.js';

const dir = useTempDir('watch');
const running: FolderWatcher[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((watcher) => watcher.close()));
});

const onDisk = (treePath: string) => path.join(dir(), ...treePath.split('/'));

async function put(treePath: string, content = treePath) {
  await mkdir(path.dirname(onDisk(treePath)), { recursive: true });
  await writeFile(onDisk(treePath), content);
}

interface Batch {
  readonly paths: readonly string[];
  readonly atMs: number;
}

/** A watcher on the test's folder that records every batch, error, ignore question and stat. */
async function startWatching(options: Partial<FolderWatcherOptions> = {}) {
  const batches: Batch[] = [];
  const errors: Error[] = [];
  const asked: string[] = [];
  const statted: string[] = [];
  const fs = createNodeFileSystem(dir());
  const isIgnored = options.isIgnored ?? (() => false);
  const watcher = await watchFolder({
    root: dir(),
    clock: systemClock,
    stat: (treePath) => {
      statted.push(treePath);
      return fs.stat(treePath);
    },
    onError: (error) => errors.push(error),
    ...options,
    isIgnored: (treePath) => {
      asked.push(treePath);
      return isIgnored(treePath);
    },
    onChanges: (paths) => {
      batches.push({ paths, atMs: Date.now() });
      options.onChanges?.(paths);
    },
  });
  running.push(watcher);
  const reported = () => new Set(batches.flatMap((batch) => batch.paths));
  return { watcher, batches, errors, asked, statted, reported };
}

describe('watchFolder', () => {
  it('reports a burst of 200 new files in a few sorted batches', async () => {
    await mkdir(onDisk('/burst'));
    const { batches, errors, asked, reported } = await startWatching();
    const names = Array.from({ length: 200 }, (_, i) => `/burst/f${String(i).padStart(3, '0')}`);
    // Four waves, each written once the watcher has seen the last: without a debounce every
    // wave would be checked, held and reported on its own.
    for (let wave = 0; wave < 4; wave += 1) {
      const waveNames = names.slice(wave * 50, wave * 50 + 50);
      await Promise.all(waveNames.map((name) => put(name)));
      await waitUntil(() => waveNames.every((name) => asked.includes(name)), { what: 'a wave' });
    }

    await waitUntil(() => names.every((name) => reported().has(name)), {
      timeoutMs: 20_000,
      what: 'all 200 paths reported',
    });
    const withBurst = batches.filter((batch) => batch.paths.some((p) => p.startsWith('/burst/')));
    expect(withBurst.length).toBeLessThanOrEqual(3);
    for (const batch of batches) expect(batch.paths).toEqual([...new Set(batch.paths)].sort());
    expect(errors).toEqual([]);
  });

  it('holds a slowly written file until the writer is done, then reports it once', async () => {
    const seenSizes: Array<{ isWriterDone: boolean; sizeBytes: number }> = [];
    let isWriterDone = false;
    const { batches, reported } = await startWatching({
      onChanges: (paths) => {
        if (paths.includes('/slow.bin')) {
          seenSizes.push({ isWriterDone, sizeBytes: statSync(onDisk('/slow.bin')).size });
        }
      },
    });
    const chunk = Buffer.alloc(64 * 1024, 7);
    const file = await open(onDisk('/slow.bin'), 'w');
    for (let piece = 0; piece < 21; piece += 1) {
      if (piece > 0) await new Promise((resolve) => setTimeout(resolve, 250)); // the writer's pace
      await file.write(chunk);
    }
    await file.close();
    const lastWriteMs = Date.now();
    isWriterDone = true;

    await waitUntil(() => reported().has('/slow.bin'), { timeoutMs: 15_000, what: 'slow.bin' });
    // A file written afterwards is reported after any late second report of slow.bin would be.
    await put('/after.txt');
    await waitUntil(() => reported().has('/after.txt'), { timeoutMs: 15_000, what: 'after.txt' });
    const withSlow = batches.filter((batch) => batch.paths.includes('/slow.bin'));
    expect(withSlow).toHaveLength(1);
    expect(withSlow[0]!.atMs).toBeGreaterThanOrEqual(lastWriteMs);
    expect(seenSizes).toEqual([{ isWriterDone: true, sizeBytes: 21 * chunk.length }]);
  });

  it('reports a removed file at once, while a new file is still held', async () => {
    await put('/old.txt');
    const { batches, reported } = await startWatching();
    await Promise.all([rm(onDisk('/old.txt')), put('/new.txt')]);

    await waitUntil(() => reported().has('/old.txt') && reported().has('/new.txt'), {
      timeoutMs: 15_000,
      what: 'old.txt and new.txt',
    });
    const removal = batches.findIndex((batch) => batch.paths.includes('/old.txt'));
    const addition = batches.findIndex((batch) => batch.paths.includes('/new.txt'));
    expect(removal).toBeLessThan(addition);
  });

  it('reports both folder paths of a renamed folder (each stands for what is under it)', async () => {
    await Promise.all(['/album/1.jpg', '/album/2.jpg', '/album/raw/3.cr2'].map((p) => put(p)));
    const { reported, errors } = await startWatching();
    await rename(onDisk('/album'), onDisk('/photos'));

    await waitUntil(() => reported().has('/album') && reported().has('/photos'), {
      timeoutMs: 15_000,
      what: '/album and /photos',
    });
    expect(errors).toEqual([]);
    // Still watched, under its new name only (an inotify watch follows the inode, so the old
    // watch would name the change by the old path).
    await put('/photos/raw/4.cr2');
    await waitUntil(() => reported().has('/photos/raw/4.cr2'), {
      timeoutMs: 15_000,
      what: '4.cr2',
    });
  });

  it('watches folders made after it started, and files written into them at once', async () => {
    const { reported } = await startWatching();
    await put('/fresh/deep/first.txt');
    await waitUntil(() => reported().has('/fresh'), { timeoutMs: 15_000, what: '/fresh' });
    await put('/fresh/deep/second.txt');
    await waitUntil(() => reported().has('/fresh/deep/second.txt'), {
      timeoutMs: 15_000,
      what: 'second.txt',
    });
  });

  it('never reports ignored paths or /.ferry, and does not watch ignored trees', async () => {
    await put('/build/sub/old.o');
    await mkdir(onDisk('/docs'));
    const { reported, asked } = await startWatching({
      // The watcher itself must leave out /.ferry: this rule does not mention it.
      isIgnored: (p) => p.endsWith('.tmp') || p === '/build' || p.startsWith('/build/'),
    });
    await put('/x.tmp');
    await put('/docs/y.tmp');
    await put('/.ferry/download-1.part');
    await put('/build/sub/new.o');
    await put('/docs/keep.txt');

    await waitUntil(() => reported().has('/docs/keep.txt'), { timeoutMs: 15_000, what: 'keep' });
    expect([...reported()].filter((p) => /\.tmp$|^\/\.ferry|^\/build/.test(p))).toEqual([]);
    expect(asked.filter((p) => !p.startsWith('/'))).toEqual([]);
    expect(asked.filter((p) => p.startsWith('/build/') || p.startsWith('/.ferry'))).toEqual([]);
  });

  it('reports an NFD name in NFC, and still waits for it to settle', async () => {
    const { batches, reported } = await startWatching();
    const nfd = '/Cafe\u0301.txt';
    const nfc = nfd.normalize('NFC');
    await put(nfd, 'espresso');
    const writtenMs = Date.now();

    await waitUntil(() => reported().has(nfc), { timeoutMs: 15_000, what: nfc });
    expect(reported().has(nfd)).toBe(false);
    // Its stat went to the NFD spelling: a "gone" answer would have been reported at once.
    const batch = batches.find((b) => b.paths.includes(nfc))!;
    expect(batch.atMs - writtenMs).toBeGreaterThanOrEqual(1_000);
  });

  it('reports a symlink as a path of its own and never follows one', async () => {
    const outside = await createTestTempDir('watch-outside');
    try {
      await symlink(outside.path, onDisk('/linked'));
      const { reported } = await startWatching();
      await writeFile(path.join(outside.path, 'secret.txt'), 'not in the synced folder');
      await symlink(outside.path, onDisk('/linked-later'));
      await put('/sentinel.txt');

      await waitUntil(() => reported().has('/sentinel.txt'), {
        timeoutMs: 15_000,
        what: 'sentinel',
      });
      expect(reported().has('/linked-later')).toBe(true);
      expect([...reported()].filter((p) => p.startsWith('/linked/'))).toEqual([]);
    } finally {
      await outside.remove();
    }
  });

  it('passes what onChanges throws to onError and keeps reporting', async () => {
    const failure = new Error('scheduler bug');
    let calls = 0;
    const { errors, reported } = await startWatching({
      onChanges: () => {
        calls += 1;
        if (calls === 1) throw failure;
      },
    });
    await put('/first.txt');
    await waitUntil(() => errors.length > 0, { timeoutMs: 15_000, what: 'the error reported' });
    await put('/second.txt');

    await waitUntil(() => reported().has('/second.txt'), { timeoutMs: 15_000, what: 'second.txt' });
    expect(errors).toEqual([failure]);
  });

  it('fires no callback after close(), which may be called twice', async () => {
    const closing = await startWatching();
    const staying = await startWatching();
    await put('/pending.txt');
    // The closing watcher is holding the new file: checked once, not reported for a second yet.
    await waitUntil(() => closing.statted.includes('/pending.txt'), { what: 'pending.txt held' });
    await Promise.all([closing.watcher.close(), closing.watcher.close()]);
    await closing.watcher.close();
    await put('/later.txt');
    await rm(onDisk('/pending.txt'));

    await waitUntil(() => staying.reported().has('/later.txt'), {
      timeoutMs: 15_000,
      what: 'the other watcher reports',
    });
    expect(staying.reported().has('/pending.txt')).toBe(true);
    expect(closing.batches).toEqual([]);
    expect(closing.errors).toEqual([]);
  });

  it('refuses a missing folder, a relative root and negative delays', async () => {
    const base = { isIgnored: () => false, clock: systemClock, onChanges() {}, onError() {} };
    const stat = async () => undefined;
    await expect(watchFolder({ ...base, stat, root: onDisk('/missing') })).rejects.toThrow(
      /^cannot watch .*missing: ENOENT/,
    );
    await expect(watchFolder({ ...base, stat, root: 'relative/dir' })).rejects.toThrow(
      'root must be an absolute path, got "relative/dir"',
    );
    await expect(watchFolder({ ...base, stat, root: dir(), stableMs: -1 })).rejects.toThrow(
      'stableMs must be a finite number of ms >= 0, got -1',
    );
  });
});
