import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSyncPair } from '../execute/sync-pair.fixture.js';

describe('FolderSync plans again only when the trees moved', () => {
  const pair = useSyncPair();

  it('keeps the plan while no tree row changes, and never misses one that does', async () => {
    const [a, b] = [pair.a(), pair.b()];
    await writeFile(path.join(a.folder, 'notes.txt'), 'first');
    await pair.converge();
    const agreed = b.sync.plan();
    expect(agreed.operations).toEqual([]);
    expect(b.sync.plan()).toBe(agreed);
    // The empty plan is remembered with the version (and the rules), for the next start-up.
    expect(b.state.settings.get('agreedTreeVersion')).toMatch(
      new RegExp(`^${b.state.items.treeVersion()} [\\w-]{43}$`),
    );

    // Any write to a tree moves the version: the same call now plans over the new rows.
    const row = b.state.items.local.getByPath('/notes.txt')!;
    b.state.items.local.put({ ...row, fingerprint: '0123456789abcdef', sizeBytes: 99 });
    expect(b.sync.plan().operations).toMatchObject([{ kind: 'upload', path: '/notes.txt' }]);
    b.state.items.local.put(row);
    expect(b.sync.plan().operations).toEqual([]);

    // A change pulled from the server is planned and done in the same sync.
    await writeFile(path.join(a.folder, 'notes.txt'), 'second, from A');
    expect((await a.syncOnce()).agreed).toBe(true);
    expect((await b.syncOnce()).agreed).toBe(true);
    await pair.converge();
  });
});
