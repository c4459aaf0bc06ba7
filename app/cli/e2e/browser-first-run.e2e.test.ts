/**
 * The first run in the browser: `ferry sync --ui-port 0` on a home without a device serves the
 * window's sign-in form at once (a `setup` event with the address). Ann creates her account
 * from it on device A; on device B a wrong password is refused with a sentence, then she signs
 * in; both start syncing at once, and a file written on A arrives on B. Without the token the
 * setup API refuses, and every engine method answers `not_signed_in` until the first run.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readDeviceConfig } from '../../config/device-home.js';
import { launchChromium, saveScreenshot } from './chromium.fixture.js';
import { PASSWORD, startE2eBed, type E2eBed, type E2eDevice } from './e2e-bed.fixture.js';
import type { FerryEvent, RunningFerry } from './ferry-process.fixture.js';
import { waitUntil } from './wait-until.fixture.js';

let bed: E2eBed;
let browser: Browser;

const isSetup = (event: FerryEvent) => event.type === 'setup';

async function openSetup(
  device: E2eDevice,
): Promise<{ sync: RunningFerry; page: Page; address: URL }> {
  const sync = device.startSync(['--ui-port', '0']);
  const event = await sync.waitForEvent(isSetup, `${device.name} serving the first run`);
  const address = new URL(String(event.url));
  const page = await (
    await browser.newContext({ viewport: { width: 1000, height: 760 } })
  ).newPage();
  await page.goto(address.href);
  return { sync, page, address };
}

function get(address: URL, path: string, token: string | null) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port: Number(address.port),
        path,
        headers: token === null ? {} : { authorization: `Bearer ${token}` },
      },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (text += chunk));
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(text) }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

beforeAll(async () => {
  bed = await startE2eBed();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await bed?.close();
});

describe('the first run in the browser', () => {
  let a: E2eDevice;
  let b: E2eDevice;

  it('refuses a folder that cannot be made before signing anything in', async () => {
    const c = bed.device('C');
    const { page } = await openSetup(c);
    const blocker = path.join(bed.root, 'a-file-not-a-folder');
    await writeFile(blocker, 'in the way');
    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByLabel('Server').fill(bed.url);
    await page.getByLabel('Email').fill('cy@e2e.example');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Your name').fill('Cy');
    await page.getByText('This device').click();
    await page.getByLabel('Folder to sync').fill(blocker);
    await page.getByRole('button', { name: 'Create account and sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: `${blocker} cannot be the Ferry folder (EEXIST)` })
      .waitFor();
    expect(await readDeviceConfig(c.home)).toBeUndefined();
  });

  it('creates the account from the form and starts syncing', async () => {
    a = bed.device('A');
    const { page, address } = await openSetup(a);
    await page.getByRole('heading', { name: 'Sign in to Ferry' }).waitFor();
    const token = new URLSearchParams(address.hash.slice(1)).get('token');
    expect(await get(address, '/api/status', token)).toEqual({
      status: 409,
      body: {
        error: {
          code: 'not_signed_in',
          message: 'this device is not signed in yet: sign in or create an account',
        },
      },
    });
    expect((await get(address, '/api/status', null)).status).toBe(401);
    await page.getByRole('tab', { name: 'Create account' }).click();
    await page.getByLabel('Server').fill(bed.url);
    await page.getByLabel('Email').fill('ann@e2e.example');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Your name').fill('Ann');
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await saveScreenshot(page, `first-run-${theme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('button', { name: 'Create account and sign in' }).click();
    await page
      .getByTestId('status-headline')
      .filter({ hasText: 'Up to date' })
      .waitFor({ timeout: 30_000 });
    const config = await readDeviceConfig(a.home);
    expect(config).toMatchObject({
      email: 'ann@e2e.example',
      serverUrl: bed.url,
      folder: a.folder,
    });
    expect(await get(address, '/api/status', token)).toMatchObject({
      status: 200,
      body: { state: 'idle' },
    });
  });

  it('refuses a wrong password with a sentence, then signs the second device in', async () => {
    b = bed.device('B');
    const { page } = await openSetup(b);
    await page.getByLabel('Server').fill(bed.url);
    await page.getByLabel('Email').fill('ann@e2e.example');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password.' }).waitFor();
    expect(await readDeviceConfig(b.home)).toBeUndefined();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page
      .getByTestId('status-headline')
      .filter({ hasText: 'Up to date' })
      .waitFor({ timeout: 30_000 });
    await writeFile(a.at('/hello.txt'), 'from the first device\n');
    await waitUntil(
      async () =>
        (await readFile(b.at('/hello.txt'), 'utf8').catch(() => '')) === 'from the first device\n',
      { what: 'hello.txt on B', timeoutMs: 30_000 },
    );
  });
});
