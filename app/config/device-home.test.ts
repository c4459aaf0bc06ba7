import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import envPaths from 'env-paths';
import type { DeviceId, NamespaceId, UserId } from 'sync-engine/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  readDeviceConfig,
  readRunningEngine,
  removeDeviceConfig,
  removeEngineFile,
  resolveHome,
  statePath,
  writeDeviceConfig,
  writeEngineFile,
  type DeviceConfig,
} from './device-home.js';

const CONFIG: DeviceConfig = {
  version: 1,
  serverUrl: 'http://127.0.0.1:8787',
  email: 'ann@test.example',
  userId: 'u_ann' as UserId,
  rootNamespace: 'ns_ann' as NamespaceId,
  deviceId: 'd_laptop' as DeviceId,
  deviceName: 'laptop',
  token: 'secret-token',
  folder: null,
};

let dir: string;
let home: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ferry-device-home-'));
  home = path.join(dir, 'home');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (file: string) => (await stat(file)).mode & 0o777;

describe('resolveHome', () => {
  it('takes the flag, else FERRY_HOME, else the data directory for ferry', () => {
    expect(resolveHome('/a/flag', { FERRY_HOME: '/b/env' })).toBe(path.resolve('/a/flag'));
    expect(resolveHome(undefined, { FERRY_HOME: '/b/env' })).toBe(path.resolve('/b/env'));
    expect(resolveHome(undefined, { FERRY_HOME: '' })).toBe(envPaths('ferry', { suffix: '' }).data);
    expect(resolveHome(undefined, {})).toBe(envPaths('ferry', { suffix: '' }).data);
    expect(resolveHome('rel/home', {})).toBe(path.resolve('rel/home'));
  });

  it('puts the state beside device.json', () => {
    expect(statePath('/h')).toBe(path.join('/h', 'state.sqlite'));
  });
});

describe('device.json', () => {
  it('is absent before the first write', async () => {
    expect(await readDeviceConfig(home)).toBeUndefined();
  });

  it('round-trips, with the file 0600 and the home 0700, leaving no temporary file', async () => {
    await writeDeviceConfig(home, CONFIG);
    expect(await readDeviceConfig(home)).toEqual(CONFIG);
    expect(await modeOf(path.join(home, 'device.json'))).toBe(0o600);
    expect(await modeOf(home)).toBe(0o700);
    expect(await readdir(home)).toEqual(['device.json']);
    await writeDeviceConfig(home, { ...CONFIG, folder: '/Users/ann/Ferry' });
    expect((await readDeviceConfig(home))?.folder).toBe('/Users/ann/Ferry');
  });

  it('tightens an existing home to 0700', async () => {
    await writeDeviceConfig(home, CONFIG);
    await chmod(home, 0o755);
    await writeDeviceConfig(home, CONFIG);
    expect(await modeOf(home)).toBe(0o700);
  });

  it('drops fields it does not know', async () => {
    await writeDeviceConfig(home, CONFIG);
    const file = path.join(home, 'device.json');
    await writeFile(file, JSON.stringify({ ...CONFIG, extra: 'x' }));
    expect(await readDeviceConfig(home)).toEqual(CONFIG);
  });

  it.each([
    ['not JSON', '{"version":1,', /not valid JSON/],
    ['an array', '[]', /not a JSON object/],
    ['another version', JSON.stringify({ ...CONFIG, version: 2 }), /version 2/],
    ['a non-http server', JSON.stringify({ ...CONFIG, serverUrl: 'ftp://x' }), /serverUrl/],
    ['a missing token', JSON.stringify({ ...CONFIG, token: undefined }), /token/],
    ['a number for an id', JSON.stringify({ ...CONFIG, deviceId: 7 }), /deviceId/],
    ['a relative folder', JSON.stringify({ ...CONFIG, folder: 'Ferry' }), /folder/],
  ])('refuses a file that is %s, naming it', async (_what, content, reason) => {
    await writeDeviceConfig(home, CONFIG);
    const file = path.join(home, 'device.json');
    await writeFile(file, content);
    const read = readDeviceConfig(home);
    await expect(read).rejects.toThrow(file);
    await expect(read).rejects.toThrow(reason);
  });

  it('refuses to write a bad config, leaving the old one', async () => {
    await writeDeviceConfig(home, CONFIG);
    await expect(writeDeviceConfig(home, { ...CONFIG, token: '' })).rejects.toThrow(/token/);
    expect(await readDeviceConfig(home)).toEqual(CONFIG);
  });

  it('is removed idempotently, keeping the rest of the home', async () => {
    await writeDeviceConfig(home, CONFIG);
    await writeFile(statePath(home), 'state');
    await removeDeviceConfig(home);
    await removeDeviceConfig(home);
    expect(await readDeviceConfig(home)).toBeUndefined();
    expect(await readFile(statePath(home), 'utf8')).toBe('state');
  });
});

describe('engine.json', () => {
  const info = { pid: process.pid, controlUrl: 'http://127.0.0.1:4321', controlToken: 'ctl' };

  it('reads back a running engine, 0600', async () => {
    expect(await readRunningEngine(home)).toBeUndefined();
    await writeEngineFile(home, info);
    expect(await readRunningEngine(home)).toEqual(info);
    expect(await modeOf(path.join(home, 'engine.json'))).toBe(0o600);
    await removeEngineFile(home);
    await removeEngineFile(home);
    expect(await readRunningEngine(home)).toBeUndefined();
  });

  it('ignores the file of an engine whose process is gone', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const pid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    await writeEngineFile(home, { ...info, pid });
    expect(await readRunningEngine(home)).toBeUndefined();
  });

  it('refuses a file of the wrong shape, naming it', async () => {
    await writeEngineFile(home, info);
    const file = path.join(home, 'engine.json');
    await writeFile(file, JSON.stringify({ ...info, pid: 'one' }));
    await expect(readRunningEngine(home)).rejects.toThrow(`${file} is not a Ferry engine file`);
    await expect(writeEngineFile(home, { ...info, controlUrl: 'nope' })).rejects.toThrow(
      /controlUrl/,
    );
  });
});
