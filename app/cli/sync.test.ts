import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeviceConfig } from '../config/device-home.js';
import { jsonOf, runFerry, startCliTestBed, type CliTestBed } from './cli-harness.fixture.js';

let bed: CliTestBed;
beforeAll(async () => {
  bed = await startCliTestBed();
});
afterAll(async () => {
  await bed?.close();
});

describe('ferry sync', () => {
  it.each([
    [['--ui-port', '70000'], /--ui-port.*0 to 65535/],
    [['--ui-port', 'abc'], /--ui-port/],
    [['--limit-up', 'fast'], /--limit-up.*5MB\/s/],
    [['--limit-down', '-1MB/s'], /--limit-down/],
    [['--bogus'], /unknown option '--bogus'/],
  ])('refuses %j with exit 2 and changes nothing', async (flags, message) => {
    const home = await bed.signUp(`flags${Math.random().toString(36).slice(2, 8)}`);
    const folder = path.join(await bed.newDir(), 'Ferry');
    const run = await runFerry(['sync', '--home', home, '--folder', folder, '--once', ...flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(folder)).toBe(false);
    expect((await readDeviceConfig(home))?.folder).toBeNull();
  });

  it('needs a folder the first time, then remembers it', async () => {
    const home = await bed.signUp('remember');
    const first = await runFerry(['sync', '--home', home, '--once']);
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('no folder to sync: pass --folder DIR');
    const folder = path.join(await bed.newDir(), 'Ferry');
    await mkdir(folder);
    await writeFile(path.join(folder, 'a.txt'), 'alpha');
    const second = await runFerry(['sync', '--home', home, '--folder', folder, '--once', '--json']);
    expect(second.code).toBe(0);
    const events = second.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'synced', action: 'upload', path: '/a.txt' }),
    );
    expect(events.at(-1)).toEqual({ type: 'done', agreed: true });
    expect((await readDeviceConfig(home))?.folder).toBe(folder);
    const again = await runFerry(['sync', '--home', home, '--once']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('In sync.');
  });

  it('is not signed in without a device: exit 1', async () => {
    const run = await runFerry([
      'sync',
      '--home',
      bed.newHome(),
      '--folder',
      await bed.newDir(),
      '--once',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('not signed in');
  });

  it('exits 1 with the reason when the server cannot be reached, and keeps the local edit', async () => {
    const home = await bed.signUp('offline');
    const config = (await readDeviceConfig(home))!;
    const { writeDeviceConfig } = await import('../config/device-home.js');
    await writeDeviceConfig(home, { ...config, serverUrl: 'http://127.0.0.1:9' });
    const folder = path.join(await bed.newDir(), 'Ferry');
    await mkdir(folder);
    await writeFile(path.join(folder, 'kept.txt'), 'mine');
    const run = await runFerry(['sync', '--home', home, '--folder', folder, '--once']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not in sync: The server cannot be reached/);
    expect(await readFile(path.join(folder, 'kept.txt'), 'utf8')).toBe('mine');
  });
});

describe('a revoked device', () => {
  it('stops with a clear message (exit 1) and keeps the local files', async () => {
    const home = await bed.signUp('revoked');
    const config = (await readDeviceConfig(home))!;
    expect((await runFerry(['logout', '--home', home])).code).toBe(0);
    const { writeDeviceConfig } = await import('../config/device-home.js');
    await writeDeviceConfig(home, config);
    const folder = path.join(await bed.newDir(), 'Ferry');
    await mkdir(folder);
    await writeFile(path.join(folder, 'kept.txt'), 'mine');
    const run = await runFerry(['sync', '--home', home, '--folder', folder, '--once']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('signed out');
    expect(await readFile(path.join(folder, 'kept.txt'), 'utf8')).toBe('mine');
  });
});

describe('ferry status and conflicts without a running engine', () => {
  it('answer from the state and the server', async () => {
    const home = await bed.signUp('quiet');
    const folder = path.join(await bed.newDir(), 'Ferry');
    expect((await runFerry(['sync', '--home', home, '--folder', folder, '--once'])).code).toBe(0);
    const status = await runFerry(['status', '--home', home, '--json']);
    expect(status.code).toBe(0);
    expect(jsonOf(status)).toMatchObject({
      running: false,
      state: 'stopped',
      folder,
      conflicts: 0,
    });
    const conflicts = await runFerry(['conflicts', '--home', home, '--json']);
    expect(jsonOf(conflicts)).toEqual({ conflicts: [] });
    const resolve = await runFerry(['resolve', '/nothing.txt', '--keep', 'mine', '--home', home]);
    expect(resolve.code).toBe(1);
    expect(resolve.stderr).toContain('No unresolved conflict at /nothing.txt');
    const badKeep = await runFerry(['resolve', '/x', '--keep', 'all', '--home', home]);
    expect(badKeep.code).toBe(2);
  });
});
