/**
 * Three devices of one user (A, B, C), each a real `ferry` on its own home and folder, synced
 * round-robin with `ferry sync --once` exactly as a user types it: signup on A, login on B and
 * C; adds, edits, deletes, renames and moves of files and folders, empty folders, names in
 * other scripts, and one name spelled NFC on some disks and NFD on another. After every step all three trees are byte-identical, and equal to what was done.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eBed, type E2eBed, type E2eDevice } from './e2e-bed.fixture.js';
import { seededBytes, seededText } from './seeded-content.fixture.js';
import { expectSameTrees, fileEntry, type TreeSnapshot } from './tree-snapshot.fixture.js';

let bed: E2eBed;
beforeAll(async () => {
  bed = await startE2eBed();
});
afterAll(async () => {
  await bed?.close();
});

/** A new account signed up on its first device and logged in on two more, as a user does. */
async function threeDevices(
  prefix: string,
  person: string,
): Promise<[E2eDevice, E2eDevice, E2eDevice]> {
  const devices = ['A', 'B', 'C'].map((name) => bed.device(`${prefix}${name}`));
  const email = `${person.toLowerCase()}@e2e.example`;
  await devices[0]!.signup(email, person);
  for (const device of devices.slice(1)) await device.login(email);
  return devices as [E2eDevice, E2eDevice, E2eDevice];
}

/** Syncs the devices in this order (the one that changed first), then compares them all. */
async function roundRobin(...order: E2eDevice[]): Promise<{ tree: TreeSnapshot; out: string[] }> {
  const out: string[] = [];
  for (const device of order) out.push((await device.syncOnce()).stdout);
  return { tree: await expectSameTrees(order), out };
}

const put = async (device: E2eDevice, serverPath: string, content: string | Uint8Array) => {
  await mkdir(device.at(serverPath.slice(0, serverPath.lastIndexOf('/')) || '/'), {
    recursive: true,
  });
  await writeFile(device.at(serverPath), content);
};

const blob = seededBytes('blob', 200_000);

describe('three devices of one user through ferry sync --once', () => {
  let a: E2eDevice;
  let b: E2eDevice;
  let c: E2eDevice;
  beforeAll(async () => {
    [a, b, c] = await threeDevices('', 'Ann');
  });
  // What the tree must be, step by step (a model the trees are checked against).
  const model: Record<string, string> = {};

  it('brings files, nested folders and empty folders from A to B and C', async () => {
    await put(a, '/top.txt', 'top\n');
    await put(a, '/docs/readme.md', '# Readme\n');
    await put(a, '/docs/notes/todo.txt', seededText('todo', 3000));
    await put(a, '/data/blob.bin', blob);
    await mkdir(a.at('/photos/2024/empty'), { recursive: true });
    await mkdir(a.at('/empty'));
    Object.assign(model, {
      '/data': 'folder',
      '/data/blob.bin': fileEntry(blob),
      '/docs': 'folder',
      '/docs/notes': 'folder',
      '/docs/notes/todo.txt': fileEntry(seededText('todo', 3000)),
      '/docs/readme.md': fileEntry('# Readme\n'),
      '/empty': 'folder',
      '/photos': 'folder',
      '/photos/2024': 'folder',
      '/photos/2024/empty': 'folder',
      '/top.txt': fileEntry('top\n'),
    });
    const { tree, out } = await roundRobin(a, b, c);
    expect(tree).toEqual(model);
    expect(out[0]).toContain('uploaded /data/blob.bin');
    expect(out[1]).toContain('downloaded /data/blob.bin');
    expect(out[1]).toContain('created folder here /photos/2024/empty');
  });

  it('brings edits made on B (longer, shorter, emptied, binary) to A and C', async () => {
    const longer = seededText('todo v2', 9000);
    const patched = Buffer.from(blob);
    patched.write('patched in the middle', 100_000);
    await writeFile(b.at('/docs/notes/todo.txt'), longer);
    await writeFile(b.at('/docs/readme.md'), '#\n');
    await writeFile(b.at('/top.txt'), '');
    await writeFile(b.at('/data/blob.bin'), patched);
    Object.assign(model, {
      '/docs/notes/todo.txt': fileEntry(longer),
      '/docs/readme.md': fileEntry('#\n'),
      '/top.txt': fileEntry(''),
      '/data/blob.bin': fileEntry(patched),
    });
    const { tree, out } = await roundRobin(b, c, a);
    expect(tree).toEqual(model);
    expect(out[0]).toContain('uploaded /top.txt');
    expect(out[2]).toContain('downloaded /data/blob.bin');
  });

  it('brings deletes made on C (a file, a folder with files, an empty folder) to A and B', async () => {
    await rm(c.at('/docs/readme.md'));
    await rm(c.at('/data'), { recursive: true });
    await rm(c.at('/photos/2024/empty'), { recursive: true });
    for (const gone of ['/docs/readme.md', '/data', '/data/blob.bin', '/photos/2024/empty'])
      delete model[gone];
    const { tree } = await roundRobin(c, a, b);
    expect(tree).toEqual(model);
  });

  it('brings renames and moves of files and folders made on A to B and C as moves', async () => {
    await put(a, '/docs/keep.txt', 'keep me\n');
    await put(a, '/photos/2024/beach.jpg', seededBytes('beach', 30_000));
    await roundRobin(a, b, c);

    await rename(a.at('/top.txt'), a.at('/top-renamed.txt'));
    await rename(a.at('/docs/notes'), a.at('/docs/ideas'));
    await rename(a.at('/docs/keep.txt'), a.at('/empty/keep.txt'));
    await mkdir(a.at('/archive'));
    await rename(a.at('/photos/2024'), a.at('/archive/2024'));
    for (const gone of ['/top.txt', '/docs/notes', '/docs/notes/todo.txt', '/photos/2024'])
      delete model[gone];
    Object.assign(model, {
      '/top-renamed.txt': fileEntry(''),
      '/docs/ideas': 'folder',
      '/docs/ideas/todo.txt': fileEntry(seededText('todo v2', 9000)),
      '/empty/keep.txt': fileEntry('keep me\n'),
      '/archive': 'folder',
      '/archive/2024': 'folder',
      '/archive/2024/beach.jpg': fileEntry(seededBytes('beach', 30_000)),
    });
    const { tree, out } = await roundRobin(a, b, c);
    expect(tree).toEqual(model);
    for (const [index, words] of [
      [0, 'moved on the server'],
      [1, 'moved here'],
      [2, 'moved here'],
    ] as const) {
      expect(out[index]).toContain(`${words} /docs/ideas (from /docs/notes)`);
      expect(out[index]).toContain(`${words} /archive/2024 (from /photos/2024)`);
      expect(out[index]).toContain(`${words} /top-renamed.txt (from /top.txt)`);
      expect(out[index]).toContain(`${words} /empty/keep.txt (from /docs/keep.txt)`);
      // A move is not a re-transfer.
      expect(out[index]).not.toMatch(/(up|down)loaded \/(docs|archive|top|empty)/);
    }
  });

  it('renames an empty folder on B, and A and C follow', async () => {
    // /photos is empty since its 2024 folder moved into /archive.
    await rename(b.at('/photos'), b.at('/pictures'));
    delete model['/photos'];
    model['/pictures'] = 'folder';
    const { tree, out } = await roundRobin(b, a, c);
    expect(tree).toEqual(model);
    expect(out[1]).toContain('moved here /pictures (from /photos)');
  });

  it('syncs names in other scripts (NFC) both ways', async () => {
    await put(c, '/日本語/メモ.txt', 'メモ\n');
    await put(c, '/Ελληνικά/ü🙂 é.txt', 'emoji and accents\n');
    Object.assign(model, {
      '/日本語': 'folder',
      '/日本語/メモ.txt': fileEntry('メモ\n'),
      '/Ελληνικά': 'folder',
      '/Ελληνικά/ü🙂 é.txt': fileEntry('emoji and accents\n'),
    });
    expect((await roundRobin(c, b, a)).tree).toEqual(model);
    await writeFile(a.at('/日本語/メモ.txt'), 'メモ 2\n');
    await rename(a.at('/Ελληνικά'), a.at('/Ελληνικά 2'));
    delete model['/Ελληνικά'];
    delete model['/Ελληνικά/ü🙂 é.txt'];
    Object.assign(model, {
      '/日本語/メモ.txt': fileEntry('メモ 2\n'),
      '/Ελληνικά 2': 'folder',
      '/Ελληνικά 2/ü🙂 é.txt': fileEntry('emoji and accents\n'),
    });
    expect((await roundRobin(a, b, c)).tree).toEqual(model);
  });

  it('stays in agreement: another round on every device changes nothing', async () => {
    const { tree, out } = await roundRobin(a, b, c);
    expect(tree).toEqual(model);
    for (const text of out) expect(text).not.toMatch(/uploaded|downloaded|deleted|moved|created/);
  });
});

describe('the NFC and NFD spellings of one name', () => {
  let a: E2eDevice;
  let b: E2eDevice;
  let c: E2eDevice;
  beforeAll(async () => {
    [a, b, c] = await threeDevices('nfd-', 'Nia');
  });
  const model: Record<string, string> = {};

  it('treats the NFC and NFD spellings of one name as one file', async () => {
    // B's file system keeps names as written, as macOS tools often write them: decomposed.
    const nfdFile = '/Re\u0301sume\u0301.txt';
    const nfdFolder = '/Cafe\u0301';
    const nfcFile = nfdFile.normalize('NFC');
    const nfcFolder = nfdFolder.normalize('NFC');
    expect(nfcFile).not.toBe(nfdFile);
    await put(b, nfdFile, 'written on B under an NFD name\n');
    await put(b, `${nfdFolder}/menu.txt`, 'in an NFD folder\n');
    Object.assign(model, {
      [nfcFile]: fileEntry('written on B under an NFD name\n'),
      [nfcFolder]: 'folder',
      [`${nfcFolder}/menu.txt`]: fileEntry('in an NFD folder\n'),
    });
    const { tree, out } = await roundRobin(b, c, a);
    expect(tree).toEqual(model);
    expect(out[0]).toContain(`uploaded ${nfcFile}`);
    expect(await readFile(c.at(nfcFile), 'utf8')).toBe('written on B under an NFD name\n');

    // C and A edit under the NFC names; B, whose disk spells them NFD, updates those very files
    // (a second file under the other spelling would fail the snapshot).
    await writeFile(c.at(nfcFile), 'edited on C under the NFC name\n');
    await writeFile(a.at(`${nfcFolder}/menu.txt`), 'edited on A in the NFC folder\n');
    model[nfcFile] = fileEntry('edited on C under the NFC name\n');
    model[`${nfcFolder}/menu.txt`] = fileEntry('edited on A in the NFC folder\n');
    // C changed first but must also see A's edit: C again at the end.
    expect((await roundRobin(c, a, b, c)).tree).toEqual(model);
    expect(await readFile(b.at(nfdFile), 'utf8')).toBe('edited on C under the NFC name\n');
    expect(await readFile(b.at(`${nfdFolder}/menu.txt`), 'utf8')).toBe(
      'edited on A in the NFC folder\n',
    );
  });
});

describe('a folder renamed and a file moved out of it, between two syncs', () => {
  let a: E2eDevice;
  let b: E2eDevice;
  let c: E2eDevice;
  beforeAll(async () => {
    [a, b, c] = await threeDevices('mv-', 'Max');
    await put(a, '/docs/ideas/todo.txt', 'todo\n');
    await put(a, '/docs/ideas/other.txt', 'other\n');
    await roundRobin(a, b, c);
  });

  it('moves a file out of a folder renamed in the same step (one --once run per device)', async () => {
    // One user action between two syncs: rename a folder, then move a file out of it. The
    // engine plans the folder's move and the file's move (from the folder's old path) together.
    await rename(a.at('/docs/ideas'), a.at('/docs/plans'));
    await rename(a.at('/docs/plans/todo.txt'), a.at('/todo.txt'));
    const { tree, out } = await roundRobin(a, b, c);
    expect(tree).toEqual({
      '/docs': 'folder',
      '/docs/plans': 'folder',
      '/docs/plans/other.txt': fileEntry('other\n'),
      '/todo.txt': fileEntry('todo\n'),
    });
    expect(out[0]).toContain('moved on the server /todo.txt');
    expect(out[1]).toContain('moved here /todo.txt');
  });
});
