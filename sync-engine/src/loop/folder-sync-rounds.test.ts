import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSyncPair } from '../execute/sync-pair.fixture.js';

describe('FolderSync rounds', () => {
  /** Scans of B (each round scans once: it lists the folder's top). */
  let scans = 0;
  const pair = useSyncPair({
    wrapB: (fs) => ({
      ...fs,
      readDir(p, signal) {
        if (p === '/') scans += 1;
        return fs.readDir(p, signal);
      },
    }),
  });

  it('settles a move cycle in a few rounds instead of spinning', async () => {
    const [a, b] = [pair.a(), pair.b()];
    await mkdir(path.join(a.folder, 'p'));
    await mkdir(path.join(a.folder, 's'));
    await pair.converge();
    // A moves /p into /s, B moves /s into /p: a cycle. The planner breaks it (the server's
    // move came first); what matters here is that B gets there in a few rounds, never spinning.
    await rename(path.join(a.folder, 'p'), path.join(a.folder, 's/p'));
    expect((await a.syncOnce()).agreed).toBe(true);
    await rename(path.join(b.folder, 's'), path.join(b.folder, 'p/s'));
    scans = 0;
    const outcome = await b.syncOnce();
    expect(outcome.agreed).toBe(true);
    expect(outcome.failures).toEqual([]);
    expect(scans).toBeLessThanOrEqual(5);
  });
});

describe('FolderSync rounds, a file edited while it is uploaded', () => {
  /** B's user edits /notes.txt once, while its upload asks which blocks the server lacks. */
  let editDuringUpload: (() => Promise<void>) | undefined;
  const pair = useSyncPair({
    wrapRemoteB: (remote) => ({
      ...remote,
      async checkBlocks(request, signal) {
        const edit = editDuringUpload;
        editDuringUpload = undefined;
        await edit?.();
        return remote.checkBlocks(request, signal);
      },
    }),
  });

  it('uploads the new content in the same sync: the same upload, on new content, is no livelock', async () => {
    const [a, b] = [pair.a(), pair.b()];
    const file = path.join(b.folder, 'notes.txt');
    await writeFile(file, 'first');
    await pair.converge();
    await writeFile(file, 'second');
    editDuringUpload = () => writeFile(file, 'third, written while the second was uploaded');
    // The upload of "second" finds the file changed and is stale; the next round plans the very
    // same upload (same item, path and parent revision), now of the third content.
    const outcome = await b.syncOnce();
    expect(editDuringUpload).toBeUndefined();
    expect(outcome.failures).toEqual([]);
    expect(outcome.agreed).toBe(true);
    await pair.converge();
    expect(await readFile(path.join(a.folder, 'notes.txt'), 'utf8')).toBe(
      'third, written while the second was uploaded',
    );
  });
});
