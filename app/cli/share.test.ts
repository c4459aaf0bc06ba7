import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { RemoteError } from 'sync-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeviceConfig, writeDeviceConfig } from '../config/device-home.js';
import {
  downloadAs,
  jsonOf,
  runFerry,
  runFerryProcess,
  startCliTestBed,
  uploadAs,
  type CliTestBed,
} from './cli-harness.fixture.js';

interface ShareJson {
  id: string;
  role: string;
  path: string;
  ownerEmail: string;
  recipientEmail: string;
}
interface SharesJson {
  owned: ShareJson[];
  received: ShareJson[];
}

let bed: CliTestBed;
let ann: string;
let bob: string;
let folder: string;
beforeAll(async () => {
  bed = await startCliTestBed();
  ann = await bed.signUp('ann');
  bob = await bed.signUp('bob');
  folder = path.join(await bed.newDir(), 'Ferry');
  await mkdir(path.join(folder, 'Projects'), { recursive: true });
  const config = (await readDeviceConfig(ann))!;
  await writeDeviceConfig(ann, { ...config, folder });
  await uploadAs(ann, '/Projects/plan.txt', 'the plan');
});
afterAll(async () => {
  await bed?.close();
});

const ferry = (home: string, args: string[], cwd?: string) =>
  runFerry([...args, '--home', home], { cwd });
const sharesOf = async (home: string) =>
  jsonOf(await ferry(home, ['shares', '--json'])) as unknown as SharesJson;

/** What `bob` reads at `serverPath`, or the error code. */
async function bobReads(serverPath: string): Promise<string> {
  try {
    return await downloadAs(bob, serverPath);
  } catch (error) {
    if (error instanceof RemoteError) return error.code;
    throw error;
  }
}

describe('ferry share, shares and unshare', () => {
  it('shares a folder (named inside the synced folder), lists it, and unshares by path', async () => {
    const run = await ferry(
      ann,
      ['share', 'Projects', '--with', 'bob@test.example', '--role', 'editor', '--json'],
      folder,
    );
    const share = jsonOf(run) as unknown as ShareJson;
    expect(share).toMatchObject({
      path: '/Projects',
      role: 'editor',
      ownerEmail: 'ann@test.example',
      recipientEmail: 'bob@test.example',
    });
    expect(await bobReads('/Projects/plan.txt')).toBe('the plan');
    expect((await sharesOf(ann)).owned).toEqual([share]);
    expect((await sharesOf(bob)).received.map((s) => [s.id, s.path, s.role])).toEqual([
      [share.id, '/Projects', 'editor'],
    ]);
    const text = await ferry(bob, ['shares']);
    expect(text.stdout).toContain('Shared with you:');
    expect(text.stdout).toContain('ann@test.example');

    const again = await ferry(ann, [
      'share',
      '/Projects',
      '--with',
      'bob@test.example',
      '--role',
      'viewer',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/\(already_shared\)\n$/);

    const removed = await ferry(ann, [
      'unshare',
      '/Projects',
      '--with',
      'BOB@test.example',
      '--json',
    ]);
    expect(jsonOf(removed)).toEqual(share);
    expect(await bobReads('/Projects/plan.txt')).toBe('not_found');
    expect(await sharesOf(ann)).toEqual({ owned: [], received: [] });
    expect(await downloadAs(ann, '/Projects/plan.txt')).toBe('the plan');
  });

  it('lets the recipient leave a share by its id (a real process)', async () => {
    const share = jsonOf(
      await ferry(ann, [
        'share',
        '/Projects',
        '--with',
        'bob@test.example',
        '--role',
        'viewer',
        '--json',
      ]),
    ) as unknown as ShareJson;
    expect(share.role).toBe('viewer');
    const run = await runFerryProcess(['unshare', share.id, '--home', bob]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Left /Projects, shared by ann@test.example');
    expect(await sharesOf(ann)).toEqual({ owned: [], received: [] });
    expect(await bobReads('/Projects/plan.txt')).toBe('not_found');
  });

  it('says when there is no such share (exit 1)', async () => {
    const byId = await ferry(ann, ['unshare', 'sh_unknown']);
    expect(byId.code).toBe(1);
    expect(byId.stderr).toBe(
      'ferry: no share with id sh_unknown: ferry shares lists them (not_found)\n',
    );
    const byPath = await ferry(ann, ['unshare', '/Projects', '--with', 'bob@test.example']);
    expect(byPath.code).toBe(1);
    expect(byPath.stderr).toContain('no share of /Projects with bob@test.example');
    const noUser = await ferry(ann, [
      'share',
      '/Projects',
      '--with',
      'nobody@test.example',
      '--role',
      'viewer',
    ]);
    expect(noUser.code).toBe(1);
    expect(noUser.stderr).toMatch(/\(not_found\)\n$/);
  });

  it.each([
    ['no --role', ['share', '/Projects', '--with', 'bob@test.example'], /--role/],
    [
      'an unknown role',
      ['share', '/Projects', '--with', 'bob@test.example', '--role', 'owner'],
      /--role/,
    ],
    ['no --with', ['share', '/Projects', '--role', 'viewer'], /--with/],
    ['a bad email', ['share', '/Projects', '--with', 'bob', '--role', 'viewer'], /--with/],
    [
      'a folder outside the synced folder',
      ['share', '../Other', '--with', 'bob@test.example', '--role', 'viewer'],
      /outside the synced folder/,
    ],
    ['a path without --with', ['unshare', '/Projects'], /looks like a path: add --with EMAIL/],
    ['a bad --with', ['unshare', '/Projects', '--with', 'nope'], /--with/],
  ])('%s is a usage error (exit 2), nothing shared', async (_what, args, reason) => {
    const run = await ferry(ann, args, folder);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ferry: /);
    expect(run.stderr).toMatch(reason);
    expect(run.stdout).toBe('');
    expect(await sharesOf(ann)).toEqual({ owned: [], received: [] });
  });
});
