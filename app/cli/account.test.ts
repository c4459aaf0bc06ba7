import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeviceConfig } from '../config/device-home.js';
import {
  jsonOf,
  runFerry,
  startCliTestBed,
  uploadAs,
  type CliTestBed,
} from './cli-harness.fixture.js';

let bed: CliTestBed;
beforeAll(async () => {
  bed = await startCliTestBed();
});
afterAll(async () => {
  await bed?.close();
});

describe('ferry account', () => {
  it('shows the account and its use against the quota, as text and as JSON', async () => {
    const home = await bed.signUp('ann', ['--device', 'laptop']);
    await bed.server.setUserQuota('ann@test.example', 10 * 1024 ** 3);
    await uploadAs(home, '/docs/a.txt', 'x'.repeat(1500));

    const text = await runFerry(['account', '--home', home]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('ann <ann@test.example>');
    expect(text.stdout).toContain('storage: 1.5 KiB of 10 GiB used (0.0%)');
    expect(text.stdout).toContain('device: laptop');

    const config = (await readDeviceConfig(home))!;
    expect(jsonOf(await runFerry(['account', '--json'], { env: { FERRY_HOME: home } }))).toEqual({
      email: 'ann@test.example',
      name: 'ann',
      userId: config.userId,
      rootNamespace: config.rootNamespace,
      usedBytes: 1500,
      quotaBytes: 10 * 1024 ** 3,
      serverUrl: bed.url,
      deviceId: config.deviceId,
      deviceName: 'laptop',
    });
  });

  it('fails (exit 1) on a home with no device, or a device file that is not one', async () => {
    const home = bed.newHome();
    const none = await runFerry(['account', '--home', home]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('not signed in');
    expect(none.stderr).toContain('ferry login');

    const broken = await bed.newDir();
    await writeFile(path.join(broken, 'device.json'), '{"version":1}');
    const run = await runFerry(['account', '--home', broken]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${path.join(broken, 'device.json')} is not a Ferry device file`);
    expect(run.stdout).toBe('');
  });

  it('resolves a relative --home against the current directory', async () => {
    const home = await bed.signUp('bea');
    const run = await runFerry(['account', '--json', '--home', path.basename(home)], {
      cwd: path.dirname(home),
    });
    expect(jsonOf(run)).toMatchObject({ email: 'bea@test.example' });
  });
});
