/**
 * The control API of a real `ferry sync --json --ui-port 0`, over real HTTP, with a second device
 * of the same user running beside it: the address and token are the ones the process printed in
 * its `control` event. Pause stops device A's rounds (a file dropped meanwhile stays on A) and
 * resume brings the file to B; a mass delete is held (state `held`, `heldDeletes`, nothing deleted
 * on the server) until `POST /api/mass-delete/allow`, which answers `409 nothing_held` when nothing
 * is held; and every request without the token, or with another Host, is refused.
 */
import { request } from 'node:http';
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineStatus } from 'sync-engine';
import { startE2eBed, type E2eBed, type E2eDevice } from './e2e-bed.fixture.js';
import type { FerryEvent, RunningFerry } from './ferry-process.fixture.js';
import { seededBytes } from './seeded-content.fixture.js';
import {
  fileEntry,
  snapshotTree,
  waitForTrees,
  type TreeSnapshot,
} from './tree-snapshot.fixture.js';
import { waitUntil } from './wait-until.fixture.js';

let bed: E2eBed;
let a: E2eDevice;
let b: E2eDevice;
let syncA: RunningFerry;
let syncB: RunningFerry;
/** A's control API, as its `control` event printed it. */
let control: { port: number; token: string };
const LIMIT_UP_BYTES_PER_SECOND = 200_000;
/** What both folders hold once they agree. */
const model: TreeSnapshot = {};

/** One answer of the control API: the status code and the parsed JSON body. */
interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * One request to A's control API through node:http (fetch may not set Host). `token: null`
 * sends no Authorization header; `host` replaces the Host header.
 */
function callControl(
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string | null; host?: string } = {},
): Promise<Answer> {
  const token = options.token === undefined ? control.token : options.token;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port: control.port,
        method,
        path,
        headers: {
          host: options.host ?? `127.0.0.1:${control.port}`,
          'content-length': '0',
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
      },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(text) }),
        );
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

async function statusOfA(): Promise<EngineStatus> {
  const answer = await callControl('GET', '/api/status');
  expect(answer.status).toBe(200);
  return answer.body as EngineStatus;
}

const isIdle = (event: FerryEvent) => event.type === 'state' && event.state === 'idle';
const isRoundStart = (event: FerryEvent) => event.type === 'state' && event.state === 'syncing';

beforeAll(async () => {
  bed = await startE2eBed();
  a = bed.device('A');
  b = bed.device('B');
  await a.signup('pat@e2e.example', 'Pat');
  await b.login('pat@e2e.example');
  // A's uploads are throttled so that one of 600 KB takes seconds: long enough to pause during it.
  syncA = a.startSync(['--ui-port', '0', '--limit-up', `${LIMIT_UP_BYTES_PER_SECOND}B/s`]);
  syncB = b.startSync();
  await syncA.waitForEvent(isIdle, 'A idle after its first round');
  await syncB.waitForEvent(isIdle, 'B idle after its first round');
  const printed = syncA.events.find((event) => event.type === 'control');
  const address = new URL(String(printed?.url));
  control = {
    port: Number(address.port),
    token: new URLSearchParams(address.hash.slice(1)).get('token') ?? '',
  };
});
afterAll(async () => {
  await bed?.close();
});

describe('the control API of a running ferry sync', () => {
  it('is served on 127.0.0.1 at the printed address, with the token of its #token= fragment', async () => {
    expect(control.port).toBeGreaterThan(0);
    expect(control.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await statusOfA()).toMatchObject({
      state: 'idle',
      paused: false,
      folder: a.folder,
      deviceName: 'A',
      email: 'pat@e2e.example',
      heldDeletes: null,
    });
  });

  describe('refuses requests that are not from the user', () => {
    it('without a token or with a wrong one: 401 unauthorized, and nothing is paused', async () => {
      for (const token of [null, 'x'.repeat(43), `${control.token}x`]) {
        for (const [method, path] of [
          ['GET', '/api/status'],
          ['POST', '/api/pause'],
          ['POST', '/api/mass-delete/allow'],
          ['GET', '/api/no-such-route'],
        ] as const) {
          expect(await callControl(method, path, { token }), `${method} ${path}`).toEqual({
            status: 401,
            body: {
              error: {
                code: 'unauthorized',
                message: 'missing or wrong access token (Authorization: Bearer …)',
              },
            },
          });
        }
      }
      expect(await statusOfA()).toMatchObject({ state: 'idle', paused: false });
    });

    it('with another Host (DNS rebinding), even with the token: 400, and nothing is paused', async () => {
      for (const host of ['evil.example', `evil.example:${control.port}`, '127.0.0.1:1']) {
        expect(await callControl('POST', '/api/pause', { host }), host).toEqual({
          status: 400,
          body: {
            error: {
              code: 'invalid_request',
              message: `Host must be 127.0.0.1:${control.port} or localhost:${control.port}`,
            },
          },
        });
      }
      // The names that do mean this machine are served.
      const byName = await callControl('GET', '/api/status', { host: `localhost:${control.port}` });
      expect(byName.status).toBe(200);
      expect(await statusOfA()).toMatchObject({ state: 'idle', paused: false });
    });
  });

  describe('pause and resume', () => {
    /** How long a file dropped into A took to reach B while A ran unpaused (ms). */
    let latencyMs = 0;

    it('(unpaused, a file dropped into A reaches B)', async () => {
      const started = Date.now();
      await writeFile(a.at('/before-pause.txt'), 'written while A runs\n');
      model['/before-pause.txt'] = fileEntry('written while A runs\n');
      await waitForTrees([a, b], model);
      latencyMs = Date.now() - started;
    });

    it('POST /api/pause: state paused, also in `ferry status --json`', async () => {
      const from = syncA.events.length;
      const paused = await callControl('POST', '/api/pause');
      expect(paused.status).toBe(200);
      expect(paused.body).toMatchObject({ state: 'paused', paused: true });
      expect(await statusOfA()).toMatchObject({ state: 'paused', paused: true });
      expect(await a.json(['status'])).toMatchObject({
        running: true,
        state: 'paused',
        paused: true,
      });
      await syncA.waitForEvent(
        (event) => event.type === 'state' && event.state === 'paused',
        'A reports the pause on its --json stream',
        { from },
      );
      // Idempotent.
      expect((await callControl('POST', '/api/pause')).body).toMatchObject({
        state: 'paused',
        paused: true,
      });
    });

    it('a file dropped into paused A stays on A; resume brings it to B byte-identical', async () => {
      const from = syncA.events.length;
      const content = Buffer.from(Array.from({ length: 70_000 }, (_, index) => (index * 31) % 256));
      await writeFile(a.at('/while-paused.bin'), content);
      // The proof is a negative, and a paused engine publishes nothing when its watcher fires
      // (it stays `paused`), so there is no positive signal to wait for. Instead: watch for
      // longer than the same drop took to reach B while A ran (twice that, at least 3 s: the
      // watcher's settle time is 1.2 s) and require, all along, that A starts no round (every
      // round begins with a `syncing` state event) and that neither the server nor B has it.
      const windowMs = Math.min(15_000, Math.max(3_000, 2 * latencyMs));
      const deadline = Date.now() + windowMs;
      while (Date.now() < deadline) {
        expect(syncA.events.slice(from).filter(isRoundStart)).toEqual([]);
        expect(await bed.listFilesOnServer(b, '/')).toEqual(['/before-pause.txt']);
        expect(Object.keys(await snapshotTree(b.folder))).toEqual(['/before-pause.txt']);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(await statusOfA()).toMatchObject({ state: 'paused', paused: true });

      const resumedAt = syncA.events.length;
      const resumed = await callControl('POST', '/api/resume');
      expect(resumed.status).toBe(200);
      expect(resumed.body).toMatchObject({ paused: false });
      expect((resumed.body as EngineStatus).state).not.toBe('paused');
      model['/while-paused.bin'] = fileEntry(content);
      await waitForTrees([a, b], model);
      expect((await readFile(b.at('/while-paused.bin'))).equals(content)).toBe(true);
      await syncA.waitForEvent(
        (event) =>
          event.type === 'synced' &&
          event.action === 'upload' &&
          event.path === '/while-paused.bin',
        'A uploads the file after the resume',
        { from: resumedAt },
      );
      await waitUntil(async () => (await statusOfA()).state === 'idle', { what: 'A idle' });
      expect(await a.json(['status'])).toMatchObject({ state: 'idle', paused: false });
    });

    it('pausing during an upload lets that transfer finish, and A then stays paused', async () => {
      const from = syncA.events.length;
      const { lastSyncedMs } = await statusOfA();
      // Three seconds of A's upload limit (random bytes: compression does not shrink them).
      const content = seededBytes('paused mid-upload', 3 * LIMIT_UP_BYTES_PER_SECOND);
      await writeFile(a.at('/mid-upload.bin'), content);
      await syncA.waitForEvent(isRoundStart, 'A starts the round that uploads it', { from });
      const paused = await callControl('POST', '/api/pause');
      expect(paused.body).toMatchObject({ state: 'paused', paused: true });
      const uploaded = (event: FerryEvent) =>
        event.type === 'synced' && event.action === 'upload' && event.path === '/mid-upload.bin';
      await syncA.waitForEvent(uploaded, 'the upload under way finishes', { from });
      // The round has ended once it records an agreement (lastSyncedMs moves on).
      await waitUntil(async () => (await statusOfA()).lastSyncedMs !== lastSyncedMs, {
        what: 'the round with the upload ends',
      });
      expect(await statusOfA()).toMatchObject({ state: 'paused', paused: true });
      const states = syncA.events.slice(from).filter((event) => event.type === 'state');
      expect(states.at(-1)).toMatchObject({ state: 'paused' });
      model['/mid-upload.bin'] = fileEntry(content);
      await waitForTrees([a, b], model);

      expect((await callControl('POST', '/api/resume')).body).toMatchObject({ paused: false });
      await waitUntil(async () => (await statusOfA()).state === 'idle', { what: 'A idle' });
    });
  });

  describe('the mass-delete guard', () => {
    const FILES = 30;
    const DELETED = 20;
    const batch = Array.from({ length: FILES }, (_, index) => `/batch/file-${index}.txt`);

    it('(30 files dropped into A reach B)', async () => {
      await mkdir(a.at('/batch'));
      model['/batch'] = 'folder';
      for (const file of batch) {
        await writeFile(a.at(file), `${file}\n`);
        model[file] = fileEntry(`${file}\n`);
      }
      await waitForTrees([a, b], model);
    });

    it('POST /api/mass-delete/allow with nothing held: 409 nothing_held, and nothing changes', async () => {
      const from = syncA.events.length;
      expect(await callControl('POST', '/api/mass-delete/allow')).toEqual({
        status: 409,
        body: {
          error: { code: 'nothing_held', message: 'No deletions are waiting for a confirmation' },
        },
      });
      expect(await statusOfA()).toMatchObject({ state: 'idle', heldDeletes: null });
      expect(syncA.events.slice(from).filter((event) => event.type === 'synced')).toEqual([]);
    });

    it('deleting 20 of them on A is held: state held, heldDeletes, the server and B keep every file', async () => {
      const from = syncA.events.length;
      const deleted = batch.slice(0, DELETED);
      // All at once, so A's watcher reports them in one batch and one plan holds them all.
      await Promise.all(deleted.map((file) => rm(a.at(file))));
      await syncA.waitForEvent(
        (event) => event.type === 'state' && event.state === 'held',
        'A holds the deletions',
        { from },
      );
      const status = await statusOfA();
      expect(status).toMatchObject({
        state: 'held',
        message: `${DELETED} deletions wait for your confirmation`,
        heldDeletes: { count: DELETED },
      });
      expect(status.heldDeletes?.paths.length).toBeGreaterThan(0);
      for (const held of status.heldDeletes?.paths ?? []) expect(deleted).toContain(held);
      expect(await a.json(['status'])).toMatchObject({
        running: true,
        state: 'held',
        heldDeletes: { count: DELETED },
      });
      // The round that held them has ended (its `held` event): the server was not touched.
      expect(await bed.listFilesOnServer(b, '/batch')).toEqual([...batch].sort());
      expect(await snapshotTree(b.folder)).toEqual(model);
      expect(syncA.events.slice(from).filter((event) => event.type === 'synced')).toEqual([]);
    });

    it('POST /api/mass-delete/allow: the deletes happen on the server and on B', async () => {
      const from = syncA.events.length;
      const allowed = await callControl('POST', '/api/mass-delete/allow');
      expect(allowed.status).toBe(200);
      expect(allowed.body).toMatchObject({ paused: false, heldDeletes: { count: DELETED } });
      for (const file of batch.slice(0, DELETED)) delete model[file];
      await waitForTrees([a, b], model);
      expect(await bed.listFilesOnServer(b, '/batch')).toEqual(batch.slice(DELETED).sort());
      const deletedRemote = syncA.events
        .slice(from)
        .filter((event) => event.type === 'synced' && event.action === 'delete_remote')
        .map((event) => event.path);
      expect(deletedRemote.sort()).toEqual(batch.slice(0, DELETED).sort());
      await waitUntil(async () => (await statusOfA()).state === 'idle', { what: 'A idle' });
      expect(await statusOfA()).toMatchObject({ state: 'idle', heldDeletes: null });
      // The confirmation was for those deletions only: nothing is held any more.
      expect((await callControl('POST', '/api/mass-delete/allow')).status).toBe(409);
    });
  });

  it('both processes stop on SIGINT with exit code 0 and nothing on stderr', async () => {
    expect(await Promise.all([syncA.stop('SIGINT'), syncB.stop('SIGINT')])).toEqual([0, 0]);
    expect(syncA.stderr()).toBe('');
    expect(syncB.stderr()).toBe('');
  });
});
