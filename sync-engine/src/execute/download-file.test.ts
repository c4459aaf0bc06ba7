import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMP_FOLDER } from './execute-context.js';
import { readTree, useSyncPair } from './sync-pair.fixture.js';

/** The user saves `/notes.md` on B right after a download renamed it into place. */
let editAfterRename: string | undefined;
async function editIfDownloaded(folder: string, from: string, to: string) {
  if (from.startsWith(`${TEMP_FOLDER}/`) && to === '/notes.md' && editAfterRename) {
    await writeFile(path.join(folder, 'notes.md'), editAfterRename);
    editAfterRename = undefined;
  }
}
const pair = useSyncPair({
  wrapB: (fs, folder) => ({
    ...fs,
    async rename(from, to) {
      await fs.rename(from, to);
      await editIfDownloaded(folder, from, to);
    },
    async renameNoReplace(from, to) {
      await fs.renameNoReplace(from, to);
      await editIfDownloaded(folder, from, to);
    },
  }),
});

describe('download', () => {
  it('an edit saved right after the rename is not hidden: it is uploaded', async () => {
    const [a, b] = [pair.a(), pair.b()];
    await writeFile(path.join(a.folder, 'notes.md'), 'v1 from A');
    expect((await a.syncOnce()).agreed).toBe(true);
    editAfterRename = 'v2, saved on B just after the download';
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(editAfterRename).toBeUndefined();
    await pair.converge();
    expect(await readTree(a.folder)).toEqual({
      '/notes.md': 'v2, saved on B just after the download',
    });
    expect(await readFile(path.join(b.folder, 'notes.md'), 'utf8')).toBe(
      'v2, saved on B just after the download',
    );
  });
});
