/**
 * The file browser, history and sharing of the browser UI in Debian's Chromium, against real
 * `ferry sync --ui-port 0` devices of two people: Ann restores an old revision of a file from
 * its history (bytes checked on her disk and on the server), shares a folder from the share
 * dialog with Cy as viewer and with Bo as editor, changes Bo's role and removes Bo; Cy's own
 * window shows the folder as shared with her, view only, with no restore and no share action,
 * and her engine's attempt to restore anyway is refused by the server (403 forbidden). The
 * folder also downloads as one zip, checked entry by entry.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, saveScreenshot } from './chromium.fixture.js';
import { startE2eBed, type E2eBed, type E2eDevice } from './e2e-bed.fixture.js';
import type { FerryEvent, RunningFerry } from './ferry-process.fixture.js';
import { seededBytes } from './seeded-content.fixture.js';
import { waitUntil } from './wait-until.fixture.js';

let bed: E2eBed;
let ann: E2eDevice;
let cy: E2eDevice;
let browser: Browser;
/** Ann's and Cy's windows, and the addresses their engines printed. */
const windows: Record<'ann' | 'cy', { page: Page; address: URL; sync: RunningFerry }> = {} as never;

const isIdle = (event: FerryEvent) => event.type === 'state' && event.state === 'idle';
const V1 = 'plan: first draft\n';
const V2 = 'plan: second draft, which Ann regrets\n';
const PICTURE = seededBytes('picture', 2_500_000);

async function openWindow(device: E2eDevice) {
  const sync = device.startSync(['--ui-port', '0']);
  await sync.waitForEvent(isIdle, `${device.name} idle`);
  const address = new URL(String(sync.events.find((event) => event.type === 'control')?.url));
  const page = await (
    await browser.newContext({ viewport: { width: 1200, height: 720 } })
  ).newPage();
  await page.goto(address.href);
  await page.getByTestId('status-headline').waitFor();
  return { page, address, sync };
}

async function screenshots(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await saveScreenshot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

/** A request to a device's control API with its token, as a script of the user would send. */
function callControl(address: URL, method: 'GET' | 'POST', path: string, body?: unknown) {
  const token = new URLSearchParams(address.hash.slice(1)).get('token') ?? '';
  const text = body === undefined ? '' : JSON.stringify(body);
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port: Number(address.port),
        method,
        path,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          'content-length': Buffer.byteLength(text),
        },
      },
      (incoming) => {
        let answer = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => (answer += chunk));
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(answer) }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(text);
  });
}

beforeAll(async () => {
  bed = await startE2eBed();
  ann = bed.device('ann-laptop');
  cy = bed.device('cy-laptop');
  const bo = bed.device('bo-laptop');
  await ann.signup('ann@e2e.example', 'Ann');
  await cy.signup('cy@e2e.example', 'Cy');
  await bo.signup('bo@e2e.example', 'Bo');
  await mkdir(ann.at('/Team'), { recursive: true });
  await writeFile(ann.at('/Team/plan.txt'), V1);
  await ann.syncOnce();
  await writeFile(ann.at('/Team/plan.txt'), V2);
  await mkdir(ann.at('/Team/photos'), { recursive: true });
  await writeFile(ann.at('/Team/photos/pic.bin'), PICTURE);
  await ann.syncOnce();
  browser = await launchChromium();
  windows.ann = await openWindow(ann);
});
afterAll(async () => {
  await browser?.close();
  await bed?.close();
});

describe('files, history and sharing in the browser UI', () => {
  it('restores an old revision from the history: the old bytes come back on disk and server', async () => {
    const { page } = windows.ann;
    await page.getByRole('button', { name: /^Files/ }).click();
    await page.getByRole('button', { name: 'Open Team' }).click();
    await page.getByRole('button', { name: 'History of plan.txt' }).click();
    const history = page.getByRole('complementary', { name: 'History of /Team/plan.txt' });
    const revisions = history.getByRole('list', { name: 'Revisions' }).getByRole('listitem');
    await waitUntil(async () => (await revisions.count()) === 2, { what: 'two revisions' });
    expect(await revisions.first().innerText()).toContain('Current');
    await screenshots(page, 'history');
    await revisions
      .nth(1)
      .getByRole('button', { name: /^Restore/ })
      .click();
    await history.getByRole('status').filter({ hasText: 'Restored' }).waitFor();
    await waitUntil(async () => (await revisions.count()) === 3, { what: 'three revisions' });
    await waitUntil(async () => (await readFile(ann.at('/Team/plan.txt'), 'utf8')) === V1, {
      what: 'the first draft back on Ann’s disk',
      timeoutMs: 30_000,
    });
    expect(await bed.readOnServer(ann, '/Team/plan.txt')).toBe(V1);
  });

  it('downloads a folder as one zip: every entry byte for byte, the link good once', async () => {
    const { page } = windows.ann;
    await page.getByRole('button', { name: 'Download zip' }).click();
    const download = await page.waitForEvent('download');
    expect(download.suggestedFilename()).toBe('Team.zip');
    const entries = unzipSync(new Uint8Array(await readFile(await download.path())));
    expect(Object.keys(entries).sort()).toEqual([
      'Team/photos/',
      'Team/photos/pic.bin',
      'Team/plan.txt',
    ]);
    expect(Buffer.from(entries['Team/plan.txt']!).toString()).toBe(V1);
    expect(Buffer.from(entries['Team/photos/pic.bin']!).equals(PICTURE)).toBe(true);
    const again = await fetch(download.url());
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('path_not_found');
  });

  it('shares a folder from the dialog, changes a role and removes someone', async () => {
    const { page } = windows.ann;
    await page.getByRole('button', { name: 'Ferry', exact: true }).click();
    await page.getByRole('button', { name: 'Share Team' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share “Team”' });
    const people = dialog.getByRole('list', { name: 'People with access' });
    for (const [email, role] of [
      ['cy@e2e.example', 'viewer'],
      ['bo@e2e.example', 'editor'],
    ] as const) {
      await dialog.getByLabel('Email').fill(email);
      await dialog.getByLabel('Access', { exact: true }).selectOption(role);
      await dialog.getByRole('button', { name: 'Share', exact: true }).click();
      await people.getByText(email).waitFor();
    }
    expect(await dialog.getByLabel('Access of cy@e2e.example').inputValue()).toBe('viewer');
    expect(await dialog.getByLabel('Access of bo@e2e.example').inputValue()).toBe('editor');
    await screenshots(page, 'share');
    // A refusal of the server reads as a sentence, and changes nothing.
    await dialog.getByLabel('Email').fill('nobody@e2e.example');
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Could not share /Team' }).waitFor();
    await dialog.getByLabel('Access of bo@e2e.example').selectOption('viewer');
    await waitUntil(
      async () => {
        const shares = await callControl(windows.ann.address, 'GET', '/api/shares');
        const owned = (shares.body as { owned: { recipientEmail: string; role: string }[] }).owned;
        return owned.some((s) => s.recipientEmail === 'bo@e2e.example' && s.role === 'viewer');
      },
      { what: 'Bo a viewer on the server' },
    );
    await dialog.getByRole('button', { name: 'Remove bo@e2e.example' }).click();
    await people.getByText('bo@e2e.example').waitFor({ state: 'detached' });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: /^Sharing/ }).click();
    const shared = page.getByRole('list', { name: 'Folders you share' });
    await shared.getByText('cy@e2e.example (can view)').waitFor();
    expect(await shared.innerText()).not.toContain('bo@e2e.example');
  });

  it('the viewer’s window offers no write action, and the server refuses her restore', async () => {
    windows.cy = await openWindow(cy);
    const { page, address } = windows.cy;
    await page.getByRole('button', { name: /^Files/ }).click();
    await page.getByText('Shared with you · view only').waitFor();
    expect(await page.getByRole('button', { name: 'Share Team' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Open Team' }).click();
    await page.getByText('View only').waitFor();
    await page.getByRole('button', { name: 'History of plan.txt' }).click();
    const history = page.getByRole('complementary', { name: 'History of /Team/plan.txt' });
    const revisions = history.getByRole('list', { name: 'Revisions' }).getByRole('listitem');
    await waitUntil(async () => (await revisions.count()) === 3, { what: 'three revisions' });
    expect(await history.getByRole('button', { name: /^Restore/ }).count()).toBe(0);
    const listed = await callControl(address, 'GET', '/api/revisions?path=/Team/plan.txt');
    const oldest = (listed.body as { rev: string }[]).at(-1)?.rev;
    const refused = await callControl(address, 'POST', '/api/revisions/restore', {
      path: '/Team/plan.txt',
      rev: oldest,
    });
    expect(refused.status).toBe(403);
    expect((refused.body as { error: { code: string } }).error.code).toBe('forbidden');
    expect(await bed.readOnServer(ann, '/Team/plan.txt')).toBe(V1);
    await page.getByRole('button', { name: /^Sharing/ }).click();
    await page
      .getByRole('list', { name: 'Shared with you' })
      .getByText('from ann@e2e.example')
      .waitFor();
  });
});
