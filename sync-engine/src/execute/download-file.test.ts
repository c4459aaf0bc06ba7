import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEMP_FOLDER } from './execute-context.js';
import { readTree, useSyncPair } from './sync-pair.fixture.js';

/**
 * The user saves `/notes.md` on B at one chosen step of a download that replaces it: right
 * after the download's last check of the path, after the old version was set aside, or right
 * after the new version was renamed into place.
 */
type Moment = 'after-last-check' | 'after-set-aside' | 'after-rename';
let armed: { moment: Moment; save: (file: string) => Promise<void> } | undefined;
/** Set once the download's temporary file got its mtime: its next look at the path is the last. */
let placing = false;

async function act(moment: Moment, folder: string): Promise<void> {
  if (armed?.moment !== moment) return;
  const { save } = armed;
  armed = undefined;
  await save(path.join(folder, 'notes.md'));
}

const pair = useSyncPair({
  wrapB: (fs, folder) => ({
    ...fs,
    async setMtime(file, mtimeMs) {
      await fs.setMtime(file, mtimeMs);
      if (file.startsWith(`${TEMP_FOLDER}/`)) placing = true;
    },
    async stat(file, signal) {
      const stat = await fs.stat(file, signal);
      if (placing && file === '/notes.md') {
        placing = false;
        await act('after-last-check', folder);
      }
      return stat;
    },
    async rename(from, to) {
      await fs.rename(from, to);
      if (from === '/notes.md' && to.startsWith(`${TEMP_FOLDER}/`)) {
        await act('after-set-aside', folder);
      }
      if (from.startsWith(`${TEMP_FOLDER}/`) && to === '/notes.md') {
        await act('after-rename', folder);
      }
    },
    async renameNoReplace(from, to) {
      await fs.renameNoReplace(from, to);
      if (from.startsWith(`${TEMP_FOLDER}/`) && to === '/notes.md') {
        await act('after-rename', folder);
      }
    },
  }),
});

afterEach(() => {
  armed = undefined;
  placing = false;
});

/** A's v1 synced to B, then A's v2 uploaded: B's next round downloads v2 over v1. */
async function updateWaitingOnB(): Promise<void> {
  const [a, b] = [pair.a(), pair.b()];
  await writeFile(path.join(a.folder, 'notes.md'), 'v1 from A');
  expect((await a.syncOnce()).agreed).toBe(true);
  expect((await b.syncOnce()).agreed).toBe(true);
  await writeFile(path.join(a.folder, 'notes.md'), 'v2 from A, longer');
  expect((await a.syncOnce()).agreed).toBe(true);
}

/** Every file's content in both folders, once they agree: nothing is lost on either side. */
async function convergedContents(): Promise<string[]> {
  await pair.converge();
  const onA = await readTree(pair.a().folder);
  expect(await readTree(pair.b().folder)).toEqual(onA);
  return Object.values(onA).sort();
}

describe('download', () => {
  it('an edit saved right after the rename is not hidden: it is uploaded', async () => {
    const [a, b] = [pair.a(), pair.b()];
    await writeFile(path.join(a.folder, 'notes.md'), 'v1 from A');
    expect((await a.syncOnce()).agreed).toBe(true);
    armed = {
      moment: 'after-rename',
      save: (file) => writeFile(file, 'v2, saved on B just after the download'),
    };
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(armed).toBeUndefined();
    await pair.converge();
    expect(await readTree(a.folder)).toEqual({
      '/notes.md': 'v2, saved on B just after the download',
    });
    expect(await readFile(path.join(b.folder, 'notes.md'), 'utf8')).toBe(
      'v2, saved on B just after the download',
    );
  });

  it('an edit saved in place at the last moment before the replacement is kept', async () => {
    await updateWaitingOnB();
    armed = { moment: 'after-last-check', save: (file) => writeFile(file, 'B edits in place') };
    await pair.b().syncOnce();
    expect(armed).toBeUndefined();
    expect(await convergedContents()).toEqual(['B edits in place', 'v2 from A, longer']);
  });

  it('a file saved at the path just before the new version goes in is kept', async () => {
    await updateWaitingOnB();
    // An editor's save: a new file written beside, renamed over the (now empty) path.
    armed = {
      moment: 'after-set-aside',
      save: async (file) => {
        await writeFile(`${file}.swp`, 'B saves a new file');
        await rename(`${file}.swp`, file);
      },
    };
    await pair.b().syncOnce();
    expect(armed).toBeUndefined();
    expect(await convergedContents()).toEqual(['B saves a new file', 'v2 from A, longer']);
  });

  it('an update leaves nothing set aside once it is in', async () => {
    await updateWaitingOnB();
    expect((await pair.b().syncOnce()).agreed).toBe(true);
    expect(await readTree(pair.b().folder)).toEqual({ '/notes.md': 'v2 from A, longer' });
    expect(await readTree(path.join(pair.b().folder, TEMP_FOLDER))).toEqual({});
  });
});
