import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodeFileSystem } from '../disk/node-file-system.js';
import { createEngine, type Engine, type SyncOnceResult } from '../engine.js';
import type { Clock } from '../ports.js';
import type { RemoteClient } from '../remote/index.js';
import { systemClock } from '../system-clock.js';
import { seededBytes, useTempDir } from '../testkit/index.js';
import {
  anyNameRule,
  createRefusingFileSystem,
  nameBytesRule,
  windowsNameRule,
  type RefusingFileSystem,
} from '../testkit/refusing-file-system.js';
import {
  startRemoteTestServer,
  type RemoteTestServer,
  type TestDevice,
} from '../testkit/remote-test-server.js';

// Issue 9: a device whose file system refuses a name leaves that file on the server, reports
// it, and does not retry it at every wake-up. Device A (Linux: takes any name) makes them;
// device B refuses them as Windows would, and names over 143 bytes as an eCryptfs home would.
const LONG = `${'a rather long name '.repeat(8)}.txt`;
const REFUSED = ['/notes:draft?.txt', '/CON.txt', '/bad. ', '/bad. /inside.txt', `/${LONG}`];
const REFUSED_FILES = ['/notes:draft?.txt', '/CON.txt', '/bad. /inside.txt', `/${LONG}`];
const NORMAL: Record<string, Buffer> = {
  '/readme.md': Buffer.from('# read me\n'),
  '/docs/plan.txt': Buffer.from('the plan'),
  '/data.bin': Buffer.from(seededBytes('random', 3, 3 * 1024 * 1024)),
};
const HOUR_MS = 3_600_000;

const tempDir = useTempDir('ferry-refused-name-');
let server: RemoteTestServer;
const engines: Engine[] = [];
let ann: TestDevice;
let a: { engine: Engine; folder: string };
let b: { engine: Engine; folder: string };
let bFs: RefusingFileSystem;
/** The paths B asked the block lists of: one per download attempt. */
let bFileBlocks: string[];
/** B's clock runs this far ahead of the wall clock (to reach a backoff's end). */
let bAheadMs: number;
let bFirst: SyncOnceResult;
/** The server's files after A's upload: path → rev and content hash. */
let serverBefore: Record<string, string>;

async function startDevice(
  device: TestDevice,
  name: string,
  ports: { fs?: RefusingFileSystem; remote?: RemoteClient; clock?: Clock } = {},
) {
  const folder = path.join(tempDir(), name, 'Ferry');
  await mkdir(folder, { recursive: true });
  const engine = await createEngine({
    folder,
    statePath: path.join(tempDir(), name, 'state.sqlite'),
    serverUrl: server.url,
    token: device.login.token,
    userId: device.login.userId,
    rootNamespace: device.login.rootNamespace,
    email: device.email,
    deviceName: name,
    watch: false,
    ...ports,
  });
  engines.push(engine);
  return { engine, folder };
}

/** Every file and folder under `root` but `.ferry`, sorted ('/' ends a folder). */
async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .map((entry) => {
      const relative = path.relative(root, path.join(entry.parentPath, entry.name));
      return `/${relative.split(path.sep).join('/')}${entry.isDirectory() ? '/' : ''}`;
    })
    .filter((entry) => !entry.startsWith('/.ferry'))
    .sort();
}

async function serverFiles(): Promise<Record<string, string>> {
  const entries = await ann.client.listFolder(
    { path: '/', recursive: true },
    AbortSignal.timeout(10_000),
  );
  return Object.fromEntries(
    entries.map((entry) => [
      entry.path,
      entry.type === 'file' ? `${entry.rev} ${entry.contentHash}` : 'folder',
    ]),
  );
}

async function syncAgreed(device: { engine: Engine }): Promise<SyncOnceResult> {
  const result = await device.engine.syncOnce();
  expect(result.reason).toBeUndefined();
  expect(result.agreed).toBe(true);
  return result;
}

async function refusedProblems(): Promise<string[]> {
  const { problems } = await b.engine.getStatus();
  return problems
    .filter((problem) => problem.code === 'name_refused')
    .map((problem) => problem.path ?? '')
    .sort();
}

beforeEach(async () => {
  server = await startRemoteTestServer();
  ann = await server.createUser('ann', 'A');
  a = await startDevice(ann, 'A');
  for (const [file, bytes] of Object.entries(NORMAL)) {
    await mkdir(path.dirname(path.join(a.folder, file)), { recursive: true });
    await writeFile(path.join(a.folder, file), bytes);
  }
  await mkdir(path.join(a.folder, 'bad. '));
  for (const file of REFUSED_FILES) await writeFile(path.join(a.folder, file), `A's ${file}`);
  await syncAgreed(a);
  serverBefore = await serverFiles();
  expect(Object.keys(serverBefore)).toEqual(expect.arrayContaining(REFUSED));

  const bDevice = await server.addDevice(ann, 'B');
  bFileBlocks = [];
  const remote: RemoteClient = {
    ...bDevice.client,
    getFileBlocks: (request, signal) => {
      bFileBlocks.push(request.path);
      return bDevice.client.getFileBlocks(request, signal);
    },
    // Small files' block lists come in batches.
    getFileBlocksBatch: (requests, signal) => {
      for (const request of requests) bFileBlocks.push(request.path);
      return bDevice.client.getFileBlocksBatch(requests, signal);
    },
  };
  bAheadMs = 0;
  const clock: Clock = {
    nowMs: () => Date.now() + bAheadMs,
    sleep: (ms, signal) => systemClock.sleep(ms, signal),
  };
  const folder = path.join(tempDir(), 'B', 'Ferry');
  await mkdir(folder, { recursive: true });
  bFs = createRefusingFileSystem(
    createNodeFileSystem(folder),
    anyNameRule(windowsNameRule, nameBytesRule(143)),
  );
  b = await startDevice(bDevice, 'B', { fs: bFs, remote, clock });
  bFirst = await b.engine.syncOnce();
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
  await server.close();
});

describe('a name this device refuses', () => {
  it('stays on the server untouched and is reported; everything else arrives, nothing partial', async () => {
    // Up to date with what this device can hold, as Dropbox says "up to date, can't sync N".
    expect(bFirst.reason).toBeUndefined();
    expect(bFirst.agreed).toBe(true);
    expect(bFirst.status.state).toBe('idle');
    // The refusals really happened, with the codes Node gives on Windows and for long names.
    expect(new Set(bFs.refusals.map((refusal) => refusal.code))).toEqual(
      new Set(['ENOENT', 'EINVAL', 'ENAMETOOLONG']),
    );

    expect(await listTree(b.folder)).toEqual([
      '/data.bin',
      '/docs/',
      '/docs/plan.txt',
      '/readme.md',
    ]);
    for (const [file, bytes] of Object.entries(NORMAL)) {
      expect((await readFile(path.join(b.folder, file))).equals(bytes)).toBe(true);
    }
    // No temporary file outlives the round.
    expect(await readdir(path.join(b.folder, '.ferry', 'tmp')).catch(() => [])).toEqual([]);

    expect(await serverFiles()).toEqual(serverBefore);
    for (const file of REFUSED_FILES) {
      const history = await ann.client.listRevisions({ path: file }, AbortSignal.timeout(10_000));
      expect(history.revisions.map((revision) => revision.deviceName)).toEqual(['A']);
    }

    expect(await refusedProblems()).toEqual([...REFUSED].sort());
    const { problems } = await b.engine.getStatus();
    const con = problems.find((problem) => problem.path === '/CON.txt');
    expect(con?.message).toBe(
      '/CON.txt stays on the server, not synced here: this file system refuses the name "CON.txt" (EINVAL); rename it on another device to sync it here',
    );
    const inside = problems.find((problem) => problem.path === '/bad. /inside.txt');
    expect(inside?.message).toContain('refuses the name "bad. "');
    const long = problems.find((problem) => problem.path === `/${LONG}`);
    expect(long?.message).toContain('name is too long for this file system (ENAMETOOLONG)');
    // The same problems reach `ferry sync --json` as events (and `ferry status` reads getStatus).
    const { events } = await b.engine.waitForEvents(0, 0);
    const announced = events.flatMap(({ event }) =>
      event.type === 'problem' && event.problem.code === 'name_refused' ? [event.problem.path] : [],
    );
    expect(announced.sort()).toEqual([...REFUSED].sort());
  });

  it('is not retried at every wake-up: only when its name changes, or after a growing backoff', async () => {
    // The first round tried each refused file once (the one under the refused folder never
    // got as far as its block list).
    expect([...bFileBlocks].filter((file) => REFUSED.includes(file)).sort()).toEqual(
      ['/CON.txt', '/notes:draft?.txt', `/${LONG}`].sort(),
    );
    const tries = { fileBlocks: bFileBlocks.length, refusals: bFs.refusals.length };
    for (let wakeUp = 0; wakeUp < 3; wakeUp += 1) await syncAgreed(b);
    expect({ fileBlocks: bFileBlocks.length, refusals: bFs.refusals.length }).toEqual(tries);

    // An edit of a refused file on A: a new version, the same name, still nothing to try.
    await writeFile(path.join(a.folder, 'notes:draft?.txt'), 'edited on A');
    await syncAgreed(a);
    await syncAgreed(b);
    await syncAgreed(b);
    expect({ fileBlocks: bFileBlocks.length, refusals: bFs.refusals.length }).toEqual(tries);
    expect(await refusedProblems()).toEqual([...REFUSED].sort());
    const history = await ann.client.listRevisions(
      { path: '/notes:draft?.txt' },
      AbortSignal.timeout(10_000),
    );
    expect(history.revisions.map((revision) => revision.deviceName)).toEqual(['A', 'A']);

    // After an hour, one more try each; then it waits twice as long.
    bAheadMs += HOUR_MS + 60_000;
    await syncAgreed(b);
    // Five tries: the file in the refused folder tries to make that folder again.
    const retried = bFs.refusals.slice(tries.refusals).map((refusal) => refusal.path);
    expect(retried.sort()).toEqual(
      [...REFUSED_FILES.filter((file) => !file.startsWith('/bad. /')), '/bad. ', '/bad. '].sort(),
    );
    // Each file fetched its block list again (its name is refused only at the rename).
    expect(bFileBlocks.length - tries.fileBlocks).toBe(3);
    const second = { fileBlocks: bFileBlocks.length, refusals: bFs.refusals.length };
    bAheadMs += HOUR_MS + 60_000;
    await syncAgreed(b);
    expect({ fileBlocks: bFileBlocks.length, refusals: bFs.refusals.length }).toEqual(second);
    bAheadMs += HOUR_MS;
    await syncAgreed(b);
    expect(bFs.refusals.length - second.refusals).toBe(REFUSED.length);
    expect(await listTree(b.folder)).toEqual([
      '/data.bin',
      '/docs/',
      '/docs/plan.txt',
      '/readme.md',
    ]);
  });

  it('arrives once renamed on A; B keeps uploading its own files; a delete on A ends the report', async () => {
    await writeFile(path.join(b.folder, 'from-b.txt'), 'made on B');
    await syncAgreed(b);
    await syncAgreed(a);
    expect(await readFile(path.join(a.folder, 'from-b.txt'), 'utf8')).toBe('made on B');

    await writeFile(path.join(a.folder, 'notes:draft?.txt'), 'edited on A');
    await rename(path.join(a.folder, 'notes:draft?.txt'), path.join(a.folder, 'notes-draft.txt'));
    await rename(path.join(a.folder, 'bad. '), path.join(a.folder, 'bad'));
    await syncAgreed(a);
    await syncAgreed(b);
    expect(await readFile(path.join(b.folder, 'notes-draft.txt'), 'utf8')).toBe('edited on A');
    expect(await readFile(path.join(b.folder, 'bad', 'inside.txt'), 'utf8')).toBe(
      `A's /bad. /inside.txt`,
    );
    expect(await refusedProblems()).toEqual(['/CON.txt', `/${LONG}`]);

    await rm(path.join(a.folder, 'CON.txt'));
    await syncAgreed(a);
    await syncAgreed(b);
    expect(await refusedProblems()).toEqual([`/${LONG}`]);
    expect(await listTree(b.folder)).toEqual([
      '/bad/',
      '/bad/inside.txt',
      '/data.bin',
      '/docs/',
      '/docs/plan.txt',
      '/from-b.txt',
      '/notes-draft.txt',
      '/readme.md',
    ]);
    // Nothing B did changed A's tree: A holds what it had, plus B's own file.
    expect(await readFile(path.join(a.folder, LONG), 'utf8')).toBe(`A's /${LONG}`);
    expect(Object.keys(await serverFiles()).sort()).toEqual(
      [
        '/bad',
        '/bad/inside.txt',
        '/data.bin',
        '/docs',
        '/docs/plan.txt',
        '/from-b.txt',
        '/notes-draft.txt',
        '/readme.md',
        `/${LONG}`,
      ].sort(),
    );
  });
  it('renamed on A to a name refused here: B keeps it under the old name and holds its edit back, reported', async () => {
    await rename(path.join(a.folder, 'readme.md'), path.join(a.folder, 'read:me.md'));
    await syncAgreed(a);
    const moved = await serverFiles();
    await syncAgreed(b);
    expect(await readFile(path.join(b.folder, 'readme.md'), 'utf8')).toBe('# read me\n');
    const { problems } = await b.engine.getStatus();
    expect(problems.find((problem) => problem.path === '/read:me.md')?.message).toBe(
      '/read:me.md is not renamed here, kept as /readme.md: this file system refuses the name "read:me.md" (ENOENT); rename it on another device to sync it here',
    );

    // An edit here waits behind the rename: kept on disk, not sent, and the round says so.
    await writeFile(path.join(b.folder, 'readme.md'), 'edited on B');
    const edited = await b.engine.syncOnce();
    expect(edited.agreed).toBe(false);
    expect(edited.reason).toContain('rename it on another device');
    expect(await readFile(path.join(b.folder, 'readme.md'), 'utf8')).toBe('edited on B');
    expect(await serverFiles()).toEqual(moved);

    // Renamed back on A: B's edit goes up.
    await rename(path.join(a.folder, 'read:me.md'), path.join(a.folder, 'readme.md'));
    await syncAgreed(a);
    await syncAgreed(b);
    await syncAgreed(a);
    expect(await readFile(path.join(a.folder, 'readme.md'), 'utf8')).toBe('edited on B');
    expect(await refusedProblems()).not.toContain('/read:me.md');
  });
});
