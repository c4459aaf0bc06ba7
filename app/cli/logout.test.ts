import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRemoteClient, RemoteError } from 'sync-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readDeviceConfig,
  statePath,
  writeDeviceConfig,
  type DeviceConfig,
} from '../config/device-home.js';
import {
  jsonOf,
  runFerry,
  runFerryProcess,
  startCliTestBed,
  type CliTestBed,
} from './cli-harness.fixture.js';

let bed: CliTestBed;
beforeAll(async () => {
  bed = await startCliTestBed();
});
afterAll(async () => {
  await bed?.close();
});

/** The account as seen with `config`'s token: the RemoteError code when refused. */
async function accountWith(config: DeviceConfig): Promise<string> {
  const remote = createRemoteClient({ baseUrl: config.serverUrl, token: config.token });
  try {
    return (await remote.getAccount(new AbortController().signal)).email;
  } catch (error) {
    if (error instanceof RemoteError) return error.code;
    throw error;
  } finally {
    remote.close();
  }
}

describe('ferry logout', () => {
  it('revokes the token on the server, removes device.json and keeps the state', async () => {
    const home = await bed.signUp('ann');
    const config = (await readDeviceConfig(home))!;
    await writeFile(statePath(home), 'the engine state');
    expect(await accountWith(config)).toBe('ann@test.example');

    const run = await runFerryProcess(['logout', '--home', home]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Signed out ann@test.example');
    expect(await accountWith(config)).toBe('unauthorized');
    expect(existsSync(path.join(home, 'device.json'))).toBe(false);
    expect(existsSync(statePath(home))).toBe(true);

    const again = await runFerry(['logout', '--home', home]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `ferry: not signed in (home ${home}): run ferry login (not_signed_in)\n`,
    );
  });

  it('succeeds when the server had signed the device out already (401)', async () => {
    const home = await bed.signUp('bob');
    const config = (await readDeviceConfig(home))!;
    const remote = createRemoteClient({ baseUrl: config.serverUrl, token: config.token });
    await remote.signOutDevice(config.deviceId, new AbortController().signal);
    remote.close();
    const out = jsonOf(await runFerry(['logout', '--home', home, '--json']));
    expect(out).toEqual({
      serverUrl: bed.url,
      email: 'bob@test.example',
      deviceId: config.deviceId,
      deviceName: config.deviceName,
      home,
      wasSignedIn: false,
    });
    expect(await readDeviceConfig(home)).toBeUndefined();
  });

  it('keeps device.json when the server cannot be reached, so the token is not forgotten', async () => {
    const home = await bed.signUp('cid');
    const config = (await readDeviceConfig(home))!;
    // Nothing listens on port 1: the connection is refused.
    await writeDeviceConfig(home, { ...config, serverUrl: 'http://127.0.0.1:1' });
    const run = await runFerry(['logout', '--home', home]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ferry: log out: .*\(network_error\)\n$/);
    expect((await readDeviceConfig(home))?.token).toBe(config.token);
  });
});
