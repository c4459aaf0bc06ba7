import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeviceConfig } from '../config/device-home.js';
import {
  jsonOf,
  PASSWORD,
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

const modeOf = async (file: string) => (await stat(file)).mode & 0o777;
const withPassword = { env: { FERRY_PASSWORD: PASSWORD } };

describe('ferry signup and login', () => {
  it('signs up, signs in and writes device.json 0600 in a 0700 home, printing no token', async () => {
    const home = bed.newHome();
    const run = await runFerry(
      ['signup', '--server', `${bed.url}/`, '--email', 'ann@test.example', '--name', 'Ann'],
      { env: { FERRY_PASSWORD: PASSWORD, FERRY_HOME: home } },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ann@test.example');
    const config = await readDeviceConfig(home);
    expect(config).toMatchObject({
      version: 1,
      serverUrl: bed.url,
      email: 'ann@test.example',
      deviceName: hostname(),
      folder: null,
    });
    expect(await modeOf(path.join(home, 'device.json'))).toBe(0o600);
    expect(await modeOf(home)).toBe(0o700);
    expect(run.stdout).not.toContain(config!.token);

    // A second device of the same account, named, in its own home; --json is one object.
    const second = bed.newHome();
    const login = jsonOf(
      await runFerry(
        [
          'login',
          '--server',
          bed.url,
          '--email',
          'ann@test.example',
          '--device',
          'phone',
          '--json',
        ],
        { env: { FERRY_PASSWORD: PASSWORD, FERRY_HOME: second }, cwd: '/' },
      ),
    );
    const other = await readDeviceConfig(second);
    expect(login).toEqual({
      serverUrl: bed.url,
      email: 'ann@test.example',
      userId: config!.userId,
      rootNamespace: config!.rootNamespace,
      deviceId: other!.deviceId,
      deviceName: 'phone',
      home: second,
    });
    expect(other!.deviceId).not.toBe(config!.deviceId);
    expect(other!.token).not.toBe(config!.token);
  });

  it('runs as a real process: login --json with --home, then account', async () => {
    await bed.signUp('cid');
    const home = bed.newHome();
    const login = await runFerryProcess(
      ['login', '--server', bed.url, '--email', 'cid@test.example', '--home', home, '--json'],
      withPassword,
    );
    expect(login.stderr).toBe('');
    expect(jsonOf(login)).toMatchObject({ email: 'cid@test.example', home });
    const account = await runFerryProcess(['account', '--json'], { env: { FERRY_HOME: home } });
    expect(jsonOf(account)).toMatchObject({ email: 'cid@test.example', name: 'cid' });
  });

  it('refuses a wrong password with the server message, exit 1, and writes nothing', async () => {
    await bed.signUp('dan');
    const home = bed.newHome();
    const run = await runFerry(
      ['login', '--server', bed.url, '--email', 'dan@test.example', '--home', home],
      { env: { FERRY_PASSWORD: 'not the password' } },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'ferry: log in dan@test.example: wrong email or password (invalid_credentials)\n',
    );
    expect(run.stdout).toBe('');
    expect(existsSync(home)).toBe(false);
  });

  it('says when the email is taken (exit 1) and keeps the home empty', async () => {
    await bed.signUp('eve');
    const home = bed.newHome();
    const run = await runFerry(
      ['signup', '--server', bed.url, '--email', 'eve@test.example', '--name', 'Eve 2'],
      { env: { FERRY_PASSWORD: PASSWORD, FERRY_HOME: home } },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ferry: .*already exists \(email_taken\)\n$/);
    expect(existsSync(home)).toBe(false);
  });

  it('refuses to sign in over a signed-in home, leaving its device.json as it was', async () => {
    const home = await bed.signUp('fay');
    const before = await readFile(path.join(home, 'device.json'), 'utf8');
    const run = await runFerry(
      ['login', '--server', bed.url, '--email', 'fay@test.example', '--home', home],
      withPassword,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('already signed in as fay@test.example');
    expect(run.stderr).toContain('ferry logout');
    expect(await readFile(path.join(home, 'device.json'), 'utf8')).toBe(before);
  });

  const server = () => bed.url;
  it.each([
    ['a non-http server', () => ['--server', 'ftp://x.example', '--email', 'a@b.c'], /--server/],
    ['a server that is no URL', () => ['--server', 'localhost', '--email', 'a@b.c'], /--server/],
    [
      'a server with credentials',
      () => ['--server', 'http://u:p@x', '--email', 'a@b.c'],
      /--server/,
    ],
    ['a bad email', () => ['--server', server(), '--email', 'ann'], /--email/],
    ['no email', () => ['--server', server()], /--email/],
    [
      'a blank device name',
      () => ['--server', server(), '--email', 'a@b.c', '--device', ' '],
      /--device/,
    ],
    ['an empty --home', () => ['--server', server(), '--email', 'a@b.c', '--home', ''], /--home/],
  ])('login: %s is a usage error (exit 2), nothing written', async (_what, args, flag) => {
    const home = bed.newHome();
    const run = await runFerry(['login', ...args()], {
      env: { FERRY_PASSWORD: PASSWORD, FERRY_HOME: home },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ferry: /);
    expect(run.stderr).toMatch(flag);
    expect(run.stdout).toBe('');
    expect(existsSync(home)).toBe(false);
  });

  it.each([
    ['no --name', 'ivy', [], /--name/],
    ['a too short password', 'jon', ['--name', 'Jon'], /8 to 1024 characters/],
  ])('signup: %s is a usage error (exit 2), no account made', async (_what, who, args, reason) => {
    const home = bed.newHome();
    const email = `${who}@test.example`;
    const run = await runFerry(['signup', '--server', bed.url, '--email', email, ...args], {
      env: { FERRY_PASSWORD: 'short', FERRY_HOME: home },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(reason);
    expect(existsSync(home)).toBe(false);
    // The email is still free.
    const signup = await runFerry(
      ['signup', '--server', bed.url, '--email', email, '--name', who, '--home', home],
      withPassword,
    );
    expect(signup.code).toBe(0);
  });

  it('without FERRY_PASSWORD and no terminal: exit 2, no request made', async () => {
    const home = bed.newHome();
    const run = await runFerryProcess([
      'signup',
      '--server',
      bed.url,
      '--email',
      'gus@test.example',
      '--name',
      'Gus',
      '--home',
      home,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('ferry: no password: set FERRY_PASSWORD or run on a terminal\n');
    expect(existsSync(home)).toBe(false);
    const taken = await runFerry(
      [
        'signup',
        '--server',
        bed.url,
        '--email',
        'gus@test.example',
        '--name',
        'Gus',
        '--home',
        home,
      ],
      withPassword,
    );
    expect(taken.code).toBe(0);
  });

  it('prompts on a terminal without echo, twice for signup, and refuses a mismatch', async () => {
    const home = bed.newHome();
    const args = ['signup', '--server', bed.url, '--email', 'hal@test.example', '--name', 'Hal'];
    const mismatch = await runFerry([...args, '--home', home], {
      typed: ['first password', 'second password'],
    });
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain('ferry: the passwords do not match');
    expect(existsSync(home)).toBe(false);

    const run = await runFerry([...args, '--home', home, '--json'], {
      typed: ['typed password', 'typed password'],
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('New password:');
    expect(run.stderr).not.toContain('typed password');
    expect(jsonOf(run)).toMatchObject({ email: 'hal@test.example', name: 'Hal' });

    const again = bed.newHome();
    const login = await runFerry(
      ['login', '--server', bed.url, '--email', 'hal@test.example', '--home', again],
      { typed: ['typed password'] },
    );
    expect(login.code).toBe(0);
    expect((await readDeviceConfig(again))?.email).toBe('hal@test.example');
  });
});
