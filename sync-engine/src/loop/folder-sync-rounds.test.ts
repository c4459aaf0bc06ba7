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
