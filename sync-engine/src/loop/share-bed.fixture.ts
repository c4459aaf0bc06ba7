/**
 * Two users for the tests of moves across a share's boundary: Ann's /team (with plan.txt)
 * shared with Bob, each with a device (a real folder, state and FolderSync) against a real
 * server, both in agreement.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import type { RemoteClient } from '../remote/index.js';
import {
  startRemoteTestServer,
  type RemoteTestServer,
  type TestDevice,
} from '../testkit/remote-test-server.js';
import type { FolderSyncOptions } from './folder-sync.js';
import { createSyncDevice, type SyncDevice } from './sync-devices.fixture.js';

export interface ShareBed {
  readonly server: RemoteTestServer;
  readonly ann: TestDevice;
  readonly bob: TestDevice;
  readonly dir: string;
  /** Ann's laptop, Bob's laptop. */
  readonly a: SyncDevice;
  readonly b: SyncDevice;
}

export interface ShareBedOptions {
  /** Bob's role in /team (default editor). */
  readonly role?: 'editor' | 'viewer';
  /** Puts a fault in front of Ann's client. */
  readonly wrapA?: (client: RemoteClient) => RemoteClient;
  /** More options for Ann's FolderSync. */
  readonly optionsA?: Partial<FolderSyncOptions>;
}

/** The bed in `dir`, with `files` in Ann's own root first ('/' for a folder). */
export async function startShareBed(
  dir: string,
  files: Record<string, string>,
  options: ShareBedOptions = {},
): Promise<ShareBed> {
  const server = await startRemoteTestServer();
  const ann = await server.createUser('ann');
  const bob = await server.createUser('bob');
  const wrapA = options.wrapA ?? ((client: RemoteClient) => client);
  const a = await createSyncDevice(server, ann, dir, 'A', {
    ...options.optionsA,
    remote: wrapA(ann.client),
  });
  const b = await createSyncDevice(server, bob, dir, 'B');
  await mkdir(path.join(a.folder, 'team'));
  await writeFile(path.join(a.folder, 'team', 'plan.txt'), 'the plan');
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(a.folder, file)), { recursive: true });
    if (content === '/') await mkdir(path.join(a.folder, file), { recursive: true });
    else await writeFile(path.join(a.folder, file), content);
  }
  expect((await a.syncOnce()).agreed).toBe(true);
  const role = options.role ?? 'editor';
  await ann.client.createShare(
    { path: '/team', email: bob.email, role },
    AbortSignal.timeout(10_000),
  );
  expect((await a.syncOnce()).agreed).toBe(true);
  expect((await b.syncOnce()).agreed).toBe(true);
  return { server, ann, bob, dir, a, b };
}
