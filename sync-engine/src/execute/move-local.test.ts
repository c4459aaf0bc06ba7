import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTree, useSyncPair } from './sync-pair.fixture.js';

/** The user saves a new `/final.txt` on B right after B's move_local found that name free. */
let saveAtTarget: string | undefined;
const pair = useSyncPair({
  wrapB: (fs, folder) => ({
    ...fs,
    async stat(file, signal) {
      const stat = await fs.stat(file, signal);
      if (stat === undefined && file === '/final.txt' && saveAtTarget !== undefined) {
        await writeFile(path.join(folder, 'final.txt'), saveAtTarget);
        saveAtTarget = undefined;
      }
      return stat;
    },
  }),
});

afterEach(() => {
  saveAtTarget = undefined;
});

describe('move_local', () => {
  it('never replaces a file saved at its target after the check', async () => {
    const [a, b] = [pair.a(), pair.b()];
    await writeFile(path.join(a.folder, 'draft.txt'), 'the draft');
    await pair.converge();
    await rename(path.join(a.folder, 'draft.txt'), path.join(a.folder, 'final.txt'));
    expect((await a.syncOnce()).agreed).toBe(true);

    saveAtTarget = 'saved on B at that instant';
    await b.syncOnce();
    expect(saveAtTarget).toBeUndefined();
    await pair.converge();
    const tree = await readTree(a.folder);
    expect(await readTree(b.folder)).toEqual(tree);
    expect(Object.values(tree).sort()).toEqual(['saved on B at that instant', 'the draft']);
  });
});
