import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RemoteClient } from '../remote/index.js';
import { seededBytes } from '../testkit/index.js';
import { readTree, useSyncPair } from './sync-pair.fixture.js';

const pair = useSyncPair();

describe('move_remote onto a name the server gave another item meanwhile', () => {
  it('keeps our item under another name instead of failing forever', async () => {
    const [a, b] = [pair.a(), pair.b()];
    await writeFile(path.join(a.folder, 'draft.txt'), 'draft');
    await pair.converge();
    await rename(path.join(a.folder, 'draft.txt'), path.join(a.folder, 'final.txt'));
    await writeFile(path.join(b.folder, 'final.txt'), 'made on B');
    expect((await b.syncOnce()).agreed).toBe(true);

    expect((await a.syncOnce()).agreed).toBe(true);
    await pair.converge();
    const tree = await readTree(a.folder);
    expect(await readTree(b.folder)).toEqual(tree);
    expect(tree['/final.txt']).toBe('made on B');
    // The server's item came first and keeps the name; ours is kept under another name (the
    // planner moves it back to where it was; nothing is lost, nothing fails for ever).
    expect(Object.values(tree).filter((content) => content === 'draft')).toHaveLength(1);
    expect(Object.keys(tree)).toHaveLength(2);
  });

  it('waits for a name our own delete frees: a file moved over another stays a plain move', async () => {
    const [a, b] = [pair.a(), pair.b()];
    await writeFile(path.join(a.folder, 'old.txt'), 'old');
    await writeFile(path.join(a.folder, 'new.txt'), 'new');
    await pair.converge();
    await rename(path.join(a.folder, 'new.txt'), path.join(a.folder, 'old.txt'));
    await pair.converge();
    expect(await readTree(b.folder)).toEqual({ '/old.txt': 'new' });
    expect(a.conflicts).toEqual([]);
  });
});

describe('mkdir_remote where the server still has a folder both sides know', () => {
  it('waits for that folder to move away instead of taking it over', async () => {
    const [a, b] = [pair.a(), pair.b()];
    await mkdir(path.join(a.folder, 'y'));
    await writeFile(path.join(a.folder, 'y/in.txt'), 'in');
    await pair.converge();
    await rename(path.join(a.folder, 'y'), path.join(a.folder, 'z'));
    await mkdir(path.join(a.folder, 'y'));
    const outcome = await a.syncOnce();
    expect(outcome.failures).toEqual([]);
    expect(outcome.agreed).toBe(true);
    await pair.converge();
    expect(await readTree(b.folder)).toEqual({ '/y': '/', '/z': '/', '/z/in.txt': 'in' });
  });
});

describe('mkdir_remote where a folder both sides know moved on the server', () => {
  it('gives way: the new folder becomes a conflicted copy, the moved one takes the name', async () => {
    const [a, b] = [pair.a(), pair.b()];
    await mkdir(path.join(a.folder, 'docs'));
    await writeFile(path.join(a.folder, 'docs/in.txt'), 'in');
    await pair.converge();
    await rename(path.join(a.folder, 'docs'), path.join(a.folder, 'sub'));
    expect((await a.syncOnce()).agreed).toBe(true);
    await mkdir(path.join(b.folder, 'sub'));
    await writeFile(path.join(b.folder, 'sub/new.txt'), 'new on B');
    const outcome = await b.syncOnce();
    expect(outcome.failures).toEqual([]);
    expect(outcome.agreed).toBe(true);
    await pair.converge();
    const tree = await readTree(b.folder);
    const [copy] = Object.keys(tree).filter((p) => p.startsWith('/sub (conflicted copy from B '));
    expect(tree).toEqual({
      '/sub': '/',
      '/sub/in.txt': 'in',
      [copy!]: '/',
      [`${copy!}/new.txt`]: 'new on B',
    });
  });
});

describe('move_local into a folder that moved on the server too', () => {
  it('goes into the folder where it is here, never into a stranger made in its place', async () => {
    const [a, b] = [pair.a(), pair.b()];
    await mkdir(path.join(a.folder, 'x'));
    await writeFile(path.join(a.folder, 'x/in.txt'), 'in');
    await writeFile(path.join(a.folder, 'notes.md'), 'notes');
    await pair.converge();
    // On A: the folder is renamed and a file moved into it. B runs /notes.md's move first
    // (its path sorts first), into /y, which on B is still /x.
    await rename(path.join(a.folder, 'x'), path.join(a.folder, 'y'));
    await rename(path.join(a.folder, 'notes.md'), path.join(a.folder, 'y/notes.md'));
    expect((await a.syncOnce()).agreed).toBe(true);
    const outcome = await b.syncOnce();
    expect(outcome.failures).toEqual([]);
    expect(outcome.agreed).toBe(true);
    expect(await readTree(b.folder)).toEqual({
      '/y': '/',
      '/y/in.txt': 'in',
      '/y/notes.md': 'notes',
    });
    await pair.converge();
  });
});

describe('moves of a folder and of the folder it was moved into', () => {
  it('a folder moved into another, which is then renamed to its old name, settles both ways', async () => {
    const [a, b] = [pair.a(), pair.b()];
    await mkdir(path.join(a.folder, 'docs'));
    await writeFile(path.join(a.folder, 'docs/in.txt'), 'in');
    await mkdir(path.join(a.folder, 'y'));
    await pair.converge();
    // /docs goes into /y as /y/y, then /y is renamed /docs: the server must move /docs into
    // /y first (at /y/y), then /y; B must do the same on its disk.
    await rename(path.join(a.folder, 'docs'), path.join(a.folder, 'y/y'));
    await rename(path.join(a.folder, 'y'), path.join(a.folder, 'docs'));
    const outcome = await a.syncOnce();
    expect(outcome.failures).toEqual([]);
    expect(outcome.agreed).toBe(true);
    await pair.converge();
    // Both devices settle on one arrangement with the file in it (the planner breaks the move
    // cycle by following the server's first step; the second rename is not replayed yet).
    const tree = await readTree(b.folder);
    expect(await readTree(a.folder)).toEqual(tree);
    expect(
      Object.entries(tree).filter(([p, content]) => p.endsWith('/in.txt') && content === 'in'),
    ).toHaveLength(1);
    expect(Object.keys(tree)).toHaveLength(3);
  });
});

describe('an item that takes the agreed path of another item moved on both sides', () => {
  it("keeps the other item's merge base: its server edit is downloaded, no conflict", async () => {
    const [a, b] = [pair.a(), pair.b()];
    await writeFile(path.join(a.folder, 'one.txt'), 'y');
    await writeFile(path.join(a.folder, 'c'), 'x');
    await pair.converge();
    // B: /one.txt becomes /two.txt (and is edited), /c takes the name /one.txt.
    await rename(path.join(b.folder, 'one.txt'), path.join(b.folder, 'two.txt'));
    await writeFile(path.join(b.folder, 'two.txt'), 'y edited on B');
    await rename(path.join(b.folder, 'c'), path.join(b.folder, 'one.txt'));
    expect((await b.syncOnce()).agreed).toBe(true);
    // A meanwhile renamed /one.txt to /notes.md: it moved on both sides, the server's wins.
    await rename(path.join(a.folder, 'one.txt'), path.join(a.folder, 'notes.md'));
    const outcome = await a.syncOnce();
    expect(outcome.failures).toEqual([]);
    await pair.converge();
    expect(await readTree(a.folder)).toEqual({ '/one.txt': 'x', '/two.txt': 'y edited on B' });
    expect(a.conflicts.map((c) => c.reason)).toEqual(['rename_rename']);
  });
});

describe('delete_remote of a folder edited on the server after the pull', () => {
  // B deletes the folder; A's edit inside it reaches the server while B scans, after B's pull
  // and before B's delete runs: the delete must not take A's edit with it.
  let editDuringScan: (() => Promise<void>) | undefined;
  const racing = useSyncPair({
    wrapB: (fs) => ({
      ...fs,
      readDir: async (dirPath, signal) => {
        const edit = editDuringScan;
        if (edit !== undefined && dirPath === '/') {
          editDuringScan = undefined;
          await edit();
        }
        return fs.readDir(dirPath, signal);
      },
    }),
  });

  it('waits for the pull: the edit is kept on both devices', async () => {
    const [a, b] = [racing.a(), racing.b()];
    await mkdir(path.join(a.folder, 'docs'));
    await writeFile(path.join(a.folder, 'docs/in.txt'), 'first');
    await racing.converge();
    await rm(path.join(b.folder, 'docs'), { recursive: true });
    await writeFile(path.join(a.folder, 'docs/in.txt'), 'edited on A');
    editDuringScan = async () => {
      expect((await a.syncOnce()).agreed).toBe(true);
    };
    await b.syncOnce();
    expect(editDuringScan).toBeUndefined();
    await racing.converge();
    // The edit beats the delete: it is back on B, and A still has it.
    expect(await readTree(b.folder)).toEqual({ '/docs': '/', '/docs/in.txt': 'edited on A' });
  });
});

describe('delete_remote racing a commit that reaches the server just before the delete', () => {
  // B deletes; A's change is committed after everything B read of the server (its pull) and
  // before B's POST /files/delete arrives. The delete's precondition (the file's agreed
  // revision, or for a folder nothing changed since B's pull) no longer holds: the server
  // refuses it, and after B's next pull the edit comes back to B (an edit beats a delete).
  let beforeDelete: (() => Promise<void>) | undefined;
  let remoteB: RemoteClient;
  const racing = useSyncPair({
    wrapRemoteB: (remote) => {
      remoteB = remote;
      return {
        ...remote,
        deletePath: async (request, signal) => {
          const change = beforeDelete;
          beforeDelete = undefined;
          await change?.();
          return remote.deletePath(request, signal);
        },
      };
    },
  });
  const edited = seededBytes('random', 71, 300_000);

  async function onServer(filePath: string): Promise<Buffer> {
    const download = await remoteB.downloadFile({ path: filePath }, AbortSignal.timeout(30_000));
    const chunks: Uint8Array[] = [];
    for await (const chunk of download.body) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  /** The file's bytes on A, on B and on the server: all the edited ones. */
  async function expectEditKept(filePath: string): Promise<void> {
    const [a, b] = [racing.a(), racing.b()];
    for (const bytes of [
      await readFile(path.join(a.folder, filePath)),
      await readFile(path.join(b.folder, filePath)),
      await onServer(filePath),
    ]) {
      expect(Buffer.compare(bytes, edited)).toBe(0);
    }
  }

  /** B deletes `deleted` while A's change reaches the server just before B's delete. */
  async function race(deleted: string, change: () => Promise<void>): Promise<void> {
    const [a, b] = [racing.a(), racing.b()];
    await rm(path.join(b.folder, deleted), { recursive: true });
    await change();
    beforeDelete = async () => {
      expect((await a.syncOnce()).agreed).toBe(true);
    };
    const outcome = await b.syncOnce();
    expect(beforeDelete).toBeUndefined();
    expect(outcome.failures).toEqual([]);
    await racing.converge();
  }

  it('a file edited on A: the edit survives on the server and on both devices', async () => {
    const [a, b] = [racing.a(), racing.b()];
    await writeFile(path.join(a.folder, 'note.bin'), 'first');
    await racing.converge();
    await race('note.bin', () => writeFile(path.join(a.folder, 'note.bin'), edited));
    await expectEditKept('/note.bin');
    expect(b.synced.filter((line) => line.startsWith('delete_remote'))).toEqual([]);
  });

  it('a file inside a deleted folder: the edit survives, the rest of the delete goes', async () => {
    const [a, b] = [racing.a(), racing.b()];
    await mkdir(path.join(a.folder, 'docs/deep'), { recursive: true });
    await writeFile(path.join(a.folder, 'docs/deep/in.bin'), 'first');
    await writeFile(path.join(a.folder, 'docs/other.txt'), 'other');
    await racing.converge();
    await race('docs', () => writeFile(path.join(a.folder, 'docs/deep/in.bin'), edited));
    await expectEditKept('/docs/deep/in.bin');
    // What nobody changed is deleted as B asked; the folders holding the edit stay.
    expect(Object.keys(await readTree(b.folder)).sort()).toEqual([
      '/docs',
      '/docs/deep',
      '/docs/deep/in.bin',
    ]);
  });

  it('a file renamed on A: the delete follows it to its new name after the pull', async () => {
    const [a, b] = [racing.a(), racing.b()];
    await writeFile(path.join(a.folder, 'old.txt'), 'old');
    await racing.converge();
    await race('old.txt', () =>
      rename(path.join(a.folder, 'old.txt'), path.join(a.folder, 'new.txt')),
    );
    // A rename is not an edit: B's delete stands, at the name the file has now, everywhere.
    expect(await readTree(a.folder)).toEqual({});
    expect(await readTree(b.folder)).toEqual({});
    const listed = await remoteB.listFolder({ path: '/' }, AbortSignal.timeout(30_000));
    expect(listed).toEqual([]);
  });

  it('a file added to the folder on A: it survives on the server and on both devices', async () => {
    const a = racing.a();
    await mkdir(path.join(a.folder, 'docs'));
    await writeFile(path.join(a.folder, 'docs/old.txt'), 'old');
    await racing.converge();
    await race('docs', () => writeFile(path.join(a.folder, 'docs/new.bin'), edited));
    await expectEditKept('/docs/new.bin');
  });
});

describe('delete_local racing the user', () => {
  // A deletes a file; B's user moves or saves over it just as B's delete_local removes it,
  // after B's scan and plan: what the user put there is never what the delete removes.
  let beforeRemoval: { path: string; run: () => Promise<void> } | undefined;
  const removal = async (filePath: string) => {
    const hook = beforeRemoval;
    if (hook?.path !== filePath) return;
    beforeRemoval = undefined;
    await hook.run();
  };
  const racing = useSyncPair({
    wrapB: (fs) => ({
      ...fs,
      rename: async (from, to) => {
        if (to.startsWith('/.ferry/tmp/')) await removal(from);
        return fs.rename(from, to);
      },
      removeFile: async (filePath) => {
        await removal(filePath);
        return fs.removeFile(filePath);
      },
    }),
  });

  it('a file moved over another: deleted at its new place, not taken for an edit of the other', async () => {
    const [a, b] = [racing.a(), racing.b()];
    await writeFile(path.join(a.folder, 'report.doc'), 'the report');
    await writeFile(path.join(a.folder, 'b.txt'), 'b');
    await racing.converge();
    await rm(path.join(a.folder, 'report.doc'));
    expect((await a.syncOnce()).agreed).toBe(true);
    beforeRemoval = {
      path: '/report.doc',
      run: () => rename(path.join(b.folder, 'report.doc'), path.join(b.folder, 'b.txt')),
    };
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(beforeRemoval).toBeUndefined();
    await racing.converge();
    // The report A deleted stays deleted (B only moved it); b.txt, replaced on B, is gone too.
    expect(await readTree(b.folder)).toEqual({});
  });

  it('a file saved over just before its removal: the new version stays and goes up', async () => {
    const [a, b] = [racing.a(), racing.b()];
    await writeFile(path.join(a.folder, 'notes.txt'), 'first');
    await racing.converge();
    await rm(path.join(a.folder, 'notes.txt'));
    expect((await a.syncOnce()).agreed).toBe(true);
    beforeRemoval = {
      path: '/notes.txt',
      run: async () => {
        await writeFile(path.join(b.folder, 'notes.new'), 'saved on B meanwhile');
        await rename(path.join(b.folder, 'notes.new'), path.join(b.folder, 'notes.txt'));
      },
    };
    expect((await b.syncOnce()).agreed).toBe(true);
    expect(beforeRemoval).toBeUndefined();
    await racing.converge();
    expect(await readTree(a.folder)).toEqual({ '/notes.txt': 'saved on B meanwhile' });
  });
});
