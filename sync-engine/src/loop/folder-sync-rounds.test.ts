import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSyncPair } from '../execute/sync-pair.fixture.js';

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

describe('FolderSync rounds', () => {
  it('stops when a round did nothing and the next would be the same, instead of spinning', async () => {
    const [a, b] = [pair.a(), pair.b()];
    await mkdir(path.join(a.folder, 'p'));
    await mkdir(path.join(a.folder, 's'));
    await pair.converge();
    // A moves /p into /s, B moves /s into /p: a cycle no move can settle (the planner needs
    // a rule for it). B's move of /p into /s finds /s inside /p here: 'stale', every round.
    await rename(path.join(a.folder, 'p'), path.join(a.folder, 's/p'));
    expect((await a.syncOnce()).agreed).toBe(true);
    await rename(path.join(b.folder, 's'), path.join(b.folder, 'p/s'));
    scans = 0;
    const outcome = await b.syncOnce();
    expect(outcome.agreed).toBe(false);
    expect(outcome.plan.operations.map((operation) => operation.kind)).toEqual(['move_local']);
    expect(scans).toBeLessThanOrEqual(3);
  });
});
