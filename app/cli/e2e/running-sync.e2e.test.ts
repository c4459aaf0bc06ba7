/**
 * Three devices of one user, each running `ferry sync --json` until Ctrl-C, driven only through
 * their folders: the tests wait on the processes' JSON events and on files appearing, never on
 * a fixed sleep. 5,000 small files and one 256 MiB file go from A to B and C (compared by
 * SHA-256, the big file streamed and hashed as it is written, never held in memory); edits,
 * deletes and a move follow; then every process stops on SIGINT with exit code 0.
 */
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eBed, type E2eBed, type E2eDevice } from './e2e-bed.fixture.js';
import type { FerryEvent, RunningFerry } from './ferry-process.fixture.js';
import { seededBytes, writeSeededFile } from './seeded-content.fixture.js';
import { fileEntry, waitForTrees, type TreeSnapshot } from './tree-snapshot.fixture.js';
import { waitUntil } from './wait-until.fixture.js';

const SMALL_FILES = 5_000;
const SMALL_FOLDERS = 50;
const BIG_FILE_BYTES = 256 * 1024 * 1024;

let bed: E2eBed;
let devices: E2eDevice[];
let a: E2eDevice;
let b: E2eDevice;
let c: E2eDevice;
let running: RunningFerry[];
const model: TreeSnapshot = {};

const isIdle = (event: FerryEvent) => event.type === 'state' && event.state === 'idle';

/** Waits until `sync` has reported `action` for `count` distinct paths under `prefix`. */
async function waitForSynced(
  sync: RunningFerry,
  action: string,
  prefix: string,
  count: number,
  timeoutMs: number,
): Promise<void> {
  const paths = new Set<string>();
  let read = 0;
  await waitUntil(
    () => {
      for (; read < sync.events.length; read += 1) {
        const event = sync.events[read]!;
        if (event.type === 'synced' && event.action === action) {
          if (String(event.path).startsWith(prefix)) paths.add(String(event.path));
        }
      }
      return paths.size >= count;
    },
    {
      timeoutMs,
      intervalMs: 500,
      what: `${count} ${action}s under ${prefix}`,
      seen: () => `${paths.size}`,
    },
  );
}

beforeAll(async () => {
  bed = await startE2eBed();
  devices = ['A', 'B', 'C'].map((name) => bed.device(name));
  [a, b, c] = devices as [E2eDevice, E2eDevice, E2eDevice];
  await a.signup('rita@e2e.example', 'Rita');
  await b.login('rita@e2e.example');
  await c.login('rita@e2e.example');
  // B also serves the control API, so `ferry status` asks the running engine.
  running = [a.startSync(), b.startSync(['--ui-port', '0']), c.startSync()];
  await Promise.all(
    running.map((sync, index) =>
      sync.waitForEvent(isIdle, `${devices[index]!.name} idle after its first round`),
    ),
  );
});
afterAll(async () => {
  await bed?.close();
});

describe('three running ferry sync --json processes', () => {
  it('report themselves as running, with the control API on B', async () => {
    const control = running[1]!.events.find((event) => event.type === 'control');
    expect(control?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);
    const status = await b.json<{ running: boolean; state: string; folder: string }>(['status']);
    expect(status).toMatchObject({ running: true, state: 'idle', folder: b.folder });
  });

  it('bring files and folders dropped into A to B and C', async () => {
    await mkdir(a.at('/inbox/empty'), { recursive: true });
    await writeFile(a.at('/inbox/hello.txt'), 'hello from A\n');
    Object.assign(model, {
      '/inbox': 'folder',
      '/inbox/empty': 'folder',
      '/inbox/hello.txt': fileEntry('hello from A\n'),
    });
    const from = running[1]!.events.length;
    await waitForTrees(devices, model);
    await running[1]!.waitForEvent(
      (event) => event.type === 'synced' && event.path === '/inbox/hello.txt',
      'B reports the download of /inbox/hello.txt',
      { from },
    );
  });

  it(
    `bring ${SMALL_FILES.toLocaleString('en')} small files (a few bytes to a few KB) from A to B and C`,
    { timeout: 560_000 },
    async () => {
      const started = Date.now();
      for (let folder = 0; folder < SMALL_FOLDERS; folder += 1) {
        await mkdir(a.at(`/many/d${folder}`), { recursive: true });
        model[`/many/d${folder}`] = 'folder';
      }
      model['/many'] = 'folder';
      const writes: Promise<void>[] = [];
      for (let index = 0; index < SMALL_FILES; index += 1) {
        // 3 bytes to ~4 KB, seeded: the same files on every run.
        const size = 3 + ((index * 7919) % 4096);
        const content = seededBytes(`small ${index}`, size);
        const file = `/many/d${index % SMALL_FOLDERS}/f${index}.bin`;
        model[file] = fileEntry(content);
        writes.push(writeFile(a.at(file), content));
        if (writes.length === 64) await Promise.all(writes.splice(0));
      }
      await Promise.all(writes);
      // Wait on the processes' own reports first (cheap), then compare the trees once.
      const timeline = [`written ${Date.now() - started} ms`];
      await waitForSynced(running[0]!, 'upload', '/many/', SMALL_FILES, 480_000);
      timeline.push(`uploaded by A ${Date.now() - started} ms`);
      for (const index of [1, 2]) {
        await waitForSynced(running[index]!, 'download', '/many/', SMALL_FILES, 60_000);
        timeline.push(`downloaded by ${devices[index]!.name} ${Date.now() - started} ms`);
      }
      await waitForTrees(devices, model, { timeoutMs: 60_000, intervalMs: 1000 });
      timeline.push(`trees identical ${Date.now() - started} ms`);
      console.info(`${SMALL_FILES} small files: ${timeline.join(', ')}`);
    },
  );

  it(
    'bring a 256 MiB file, written into A while A runs, to B and C',
    { timeout: 240_000 },
    async () => {
      const started = Date.now();
      await mkdir(a.at('/big'));
      const sha256 = await writeSeededFile(a.at('/big/video.bin'), 'big', BIG_FILE_BYTES);
      Object.assign(model, {
        '/big': 'folder',
        '/big/video.bin': `file ${BIG_FILE_BYTES} ${sha256}`,
      });
      const bigDownload = (event: FerryEvent) =>
        event.type === 'synced' &&
        event.action === 'download' &&
        event.path === '/big/video.bin' &&
        event.sizeBytes === BIG_FILE_BYTES;
      for (const index of [1, 2]) {
        const what = `${devices[index]!.name} downloads 256 MiB`;
        await running[index]!.waitForEvent(bigDownload, what, { timeoutMs: 200_000 });
      }
      await waitForTrees(devices, model, { timeoutMs: 60_000, intervalMs: 1000 });
      const rssMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
      console.info(
        `256 MiB reached B and C in ${Date.now() - started} ms (test process: ${rssMiB} MiB)`,
      );
    },
  );

  it('bring an edit on B, a delete on C and a move on A to every device', async () => {
    const from = running.map((sync) => sync.events.length);
    await writeFile(b.at('/inbox/hello.txt'), 'hello edited on B\n');
    await rm(c.at('/many/d7'), { recursive: true });
    await mkdir(a.at('/archive'));
    await rename(a.at('/big'), a.at('/archive/big'));
    model['/inbox/hello.txt'] = fileEntry('hello edited on B\n');
    for (const key of Object.keys(model)) {
      if (key === '/many/d7' || key.startsWith('/many/d7/')) delete model[key];
    }
    delete model['/big'];
    Object.assign(model, {
      '/archive': 'folder',
      '/archive/big': 'folder',
      '/archive/big/video.bin': model['/big/video.bin']!,
    });
    delete model['/big/video.bin'];
    await waitForTrees(devices, model, { timeoutMs: 120_000, intervalMs: 1000 });
    // The 256 MiB file moved with its folder: a move on B and C, not a second download.
    for (const index of [1, 2]) {
      const events = running[index]!.events.slice(from[index]);
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'synced', action: 'move_local', path: '/archive/big' }),
      );
      const downloads = events
        .filter((event) => event.type === 'synced' && event.action === 'download')
        .map((event) => event.path);
      // B made the edit itself; C downloads it, and nothing else.
      expect(downloads).toEqual(index === 1 ? [] : ['/inbox/hello.txt']);
    }
  });

  it('stop on Ctrl-C (SIGINT) with exit code 0', async () => {
    const codes = await Promise.all(running.map((sync) => sync.stop('SIGINT')));
    expect(codes).toEqual([0, 0, 0]);
    for (const sync of running) expect(sync.stderr()).toBe('');
    // The running engine's control file goes with it.
    await expect(access(path.join(b.home, 'engine.json'))).rejects.toThrow(/ENOENT/);
    const status = await b.json<{ running: boolean }>(['status']);
    expect(status.running).toBe(false);
  });
});
