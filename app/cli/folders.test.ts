import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jsonOf,
  runFerry,
  startCliTestBed,
  uploadAs,
  type CliTestBed,
} from './cli-harness.fixture.js';

let bed: CliTestBed;
/** What the user sees in the folder (Ferry's own `.ferry` aside). */
const visible = async (folder: string) =>
  (await readdir(folder)).filter((name) => name !== '.ferry').sort();
beforeAll(async () => {
  bed = await startCliTestBed();
});
afterAll(async () => {
  await bed?.close();
});

describe('ferry folders', () => {
  it('leaves a top-level folder out at the next sync and takes it back, nothing lost', async () => {
    const home = await bed.signUp('picky');
    await uploadAs(home, '/Photos/cat.jpg', 'cat');
    await uploadAs(home, '/Docs/plan.txt', 'plan');
    const folder = path.join(await bed.newDir(), 'Ferry');
    expect((await runFerry(['sync', '--home', home, '--folder', folder, '--once'])).code).toBe(0);
    expect(await visible(folder)).toEqual(['Docs', 'Photos']);

    const listed = await runFerry(['folders', '--home', home]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe('synced here  Docs\nsynced here  Photos\n');

    const excluded = await runFerry(['folders', '--home', home, '--exclude', 'Photos', '--json']);
    expect(jsonOf(excluded)).toEqual({
      folders: [
        { name: 'Docs', onThisDevice: true },
        { name: 'Photos', onThisDevice: false },
      ],
      excluded: ['Photos'],
      applied: 'at the next ferry sync',
    });
    expect((await runFerry(['sync', '--home', home, '--once'])).code).toBe(0);
    expect(await visible(folder)).toEqual(['Docs']);
    // Still on the server: another device's upload into it is not downloaded here.
    await uploadAs(home, '/Photos/dog.jpg', 'dog');
    expect((await runFerry(['sync', '--home', home, '--once'])).code).toBe(0);
    expect(await visible(folder)).toEqual(['Docs']);

    const included = await runFerry(['folders', '--home', home, '--include', 'Photos']);
    expect(included.stdout).toContain('synced here  Photos');
    expect(included.stdout).toContain('Saved; applied at the next ferry sync.');
    expect((await runFerry(['sync', '--home', home, '--once'])).code).toBe(0);
    expect(await readFile(path.join(folder, 'Photos', 'cat.jpg'), 'utf8')).toBe('cat');
    expect(await readFile(path.join(folder, 'Photos', 'dog.jpg'), 'utf8')).toBe('dog');
  });

  it('refuses a name that is not one top-level folder, and changes nothing', async () => {
    const home = await bed.signUp('sloppy');
    const run = await runFerry(['folders', '--home', home, '--exclude', 'Photos/2026']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('excludedFolders must hold top-level folder names');
    expect(jsonOf(await runFerry(['folders', '--home', home, '--json']))).toMatchObject({
      excluded: [],
    });
  });
});
