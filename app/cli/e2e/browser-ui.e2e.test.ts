/**
 * The browser UI of a real `ferry sync --json --ui-port 0` in Debian's Chromium, with a second
 * device of the same user: the page opens at the printed address and drops the token from the
 * address bar; without the token it says how to get one; pause and resume from the window hold
 * and then deliver a file to the other device; three conflicts made on two devices are resolved
 * from the conflicts list, one each way, and checked on disk on both devices; the activity feed
 * lists what happened; files dropped on the window (and a folder picked) reach the other device
 * byte for byte. Screenshots of each screen in both themes go to docs/screenshots/.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, saveScreenshot } from './chromium.fixture.js';
import { startE2eBed, type E2eBed, type E2eDevice } from './e2e-bed.fixture.js';
import type { FerryEvent, RunningFerry } from './ferry-process.fixture.js';
import { seededBytes } from './seeded-content.fixture.js';
import { waitUntil } from './wait-until.fixture.js';

let bed: E2eBed;
let a: E2eDevice;
let b: E2eDevice;
let syncA: RunningFerry;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** A's UI address as `ferry sync` printed it, `#token=…` included. */
let address: URL;

const isIdle = (event: FerryEvent) => event.type === 'state' && event.state === 'idle';
const text = (device: E2eDevice, serverPath: string) => readFile(device.at(serverPath), 'utf8');

/**
 * Runs in the page: a drop carrying real files on the window, as a browser builds it when
 * files are dragged in from the desktop (dragenter, dragover, drop with one DataTransfer).
 */
const DROP_SCRIPT = `async ({ text, bytes }) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([text], 'dropped note.txt', { type: 'text/plain' }));
  transfer.items.add(new File([new Uint8Array(bytes)], 'photo.bin'));
  const root = document.querySelector('.drop-root');
  for (const type of ['dragenter', 'dragover', 'drop']) {
    root.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
  return 'dropped';
}`;

async function openScreen(
  name: 'Status' | 'Files' | 'Activity' | 'Conflicts' | 'Settings',
): Promise<void> {
  await page.getByRole('button', { name: new RegExp(`^${name}`) }).click();
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}

async function screenshots(name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await saveScreenshot(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await saveScreenshot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

/** A GET of the UI's page through node:http, with `headers`. */
function getPage(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const outgoing = request(
        { host: '127.0.0.1', port: Number(address.port), path, headers },
        (incoming) => {
          let body = '';
          incoming.setEncoding('utf8');
          incoming.on('data', (chunk: string) => (body += chunk));
          incoming.on('end', () =>
            resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    },
  );
}

beforeAll(async () => {
  bed = await startE2eBed();
  a = bed.device('A');
  b = bed.device('B');
  await a.signup('noor@e2e.example', 'Noor');
  await b.login('noor@e2e.example');
  syncA = a.startSync(['--ui-port', '0']);
  await syncA.waitForEvent(isIdle, 'A idle after its first round');
  await b.syncOnce();
  address = new URL(String(syncA.events.find((event) => event.type === 'control')?.url));
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await bed?.close();
});

describe('the browser UI of ferry sync --ui-port', () => {
  it('opens at the printed address, says the folder is up to date and hides the token', async () => {
    await page.goto(address.href);
    await page.getByTestId('status-headline').filter({ hasText: 'Up to date' }).waitFor();
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.getByText(a.folder).count()).toBe(1);
    await screenshots('status');
    // A reload keeps working: the token stayed in this tab's session storage.
    await page.reload();
    await page.getByTestId('status-headline').filter({ hasText: 'Up to date' }).waitFor();
  });

  it('serves the page with a strict policy, refuses other origins and asks for the token', async () => {
    const host = `127.0.0.1:${address.port}`;
    const served = await getPage('/', { host });
    expect(served.status).toBe(200);
    expect(served.headers['content-security-policy']).toContain("script-src 'self'");
    expect(served.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(served.body).toContain('<div id="app">');
    const foreign = await getPage('/api/status', {
      host,
      origin: 'http://evil.example',
      authorization: `Bearer ${new URLSearchParams(address.hash.slice(1)).get('token')}`,
    });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toEqual({
      error: { code: 'forbidden_origin', message: 'requests from http://evil.example are refused' },
    });
    const stranger = await context.browser()!.newContext();
    try {
      const bare = await stranger.newPage();
      await bare.goto(`${address.origin}/`);
      await bare.getByRole('alert').filter({ hasText: 'no valid access token' }).waitFor();
    } finally {
      await stranger.close();
    }
  });

  it('pauses and resumes: a file dropped while paused reaches B only after Resume', async () => {
    await openScreen('Status');
    await page.getByRole('button', { name: 'Pause syncing' }).click();
    await page.getByTestId('status-headline').filter({ hasText: 'Paused' }).waitFor();
    await writeFile(a.at('/while-paused.txt'), 'written while paused\n');
    // B syncs now and again after A's next rescan window: the file must not be on the server.
    await b.syncOnce();
    expect(await readdir(b.folder)).not.toContain('while-paused.txt');
    await page.getByRole('button', { name: 'Resume syncing' }).click();
    await page.getByTestId('status-headline').filter({ hasText: 'Up to date' }).waitFor();
    await waitUntil(
      async () => {
        await b.syncOnce();
        return (await text(b, '/while-paused.txt').catch(() => '')) === 'written while paused\n';
      },
      { what: 'while-paused.txt on B', timeoutMs: 30_000 },
    );
  });

  it('resolves conflicts made on two devices from the list, each way, checked on disk', async () => {
    const names = ['mine', 'theirs', 'both'] as const;
    for (const name of names) await writeFile(a.at(`/${name}.txt`), `${name}: original\n`);
    await waitUntil(
      async () => {
        await b.syncOnce();
        return (
          (await readdir(b.folder)).filter((n) => names.some((x) => n === `${x}.txt`)).length === 3
        );
      },
      { what: 'the three files on B', timeoutMs: 30_000 },
    );
    // A pauses, both edit, B uploads first: A's edits meet the server's on resume.
    await page.getByRole('button', { name: 'Pause syncing' }).click();
    await page.getByTestId('status-headline').filter({ hasText: 'Paused' }).waitFor();
    for (const name of names) {
      await writeFile(a.at(`/${name}.txt`), `${name}: edited on A\n`);
      await writeFile(b.at(`/${name}.txt`), `${name}: edited on B\n`);
    }
    await b.syncOnce();
    await page.getByRole('button', { name: 'Resume syncing' }).click();
    await openScreen('Conflicts');
    await waitUntil(async () => (await page.getByRole('article').count()) === 3, {
      what: 'three conflicts listed',
      timeoutMs: 30_000,
    });
    await screenshots('conflicts');
    // Both versions side by side: the path holds B's edit, the copy A's.
    await page.getByRole('button', { name: 'Compare: /both.txt' }).click();
    const compare = page.getByRole('complementary', { name: 'Compare /both.txt' });
    const theirs = compare.getByRole('region', { name: 'Theirs (kept at the path)' });
    const mine = compare.getByRole('region', { name: 'Yours (the conflicted copy)' });
    await theirs.getByText('18 bytes').waitFor();
    expect(await theirs.innerText()).toMatch(/Device\s+B · Noor/);
    expect(await mine.innerText()).toMatch(/both \(conflicted copy from A/);
    expect(await mine.innerText()).toMatch(/Device\s+A/);
    await screenshots('conflicts-compare');
    await compare.getByRole('button', { name: 'Close comparison' }).click();
    for (const name of names) {
      const keep = { mine: 'Keep mine', theirs: 'Keep theirs', both: 'Keep both' }[name];
      await page.getByRole('button', { name: `${keep}: /${name}.txt` }).click();
      await page
        .getByRole('article', { name: `Conflict: /${name}.txt` })
        .waitFor({ state: 'detached' });
    }
    await page.getByText('No conflicts.').waitFor();
    const copies = async (device: E2eDevice) =>
      (await readdir(device.folder)).filter((n) => n.includes('conflicted copy')).sort();
    await waitUntil(
      async () => {
        await b.syncOnce();
        return (
          (await text(b, '/mine.txt')) === 'mine: edited on A\n' && (await copies(b)).length === 1
        );
      },
      { what: 'the resolutions on B', timeoutMs: 30_000 },
    );
    for (const device of [a, b]) {
      expect(await text(device, '/mine.txt'), device.name).toBe('mine: edited on A\n');
      expect(await text(device, '/theirs.txt'), device.name).toBe('theirs: edited on B\n');
      expect(await text(device, '/both.txt'), device.name).toBe('both: edited on B\n');
      const [copy] = await copies(device);
      expect(copy, device.name).toMatch(/^both \(conflicted copy from A .*\)\.txt$/);
      expect(await text(device, `/${copy}`), device.name).toBe('both: edited on A\n');
    }
  });

  it('copies files and a folder dropped on the window into the folder, and B gets them', async () => {
    const binary = seededBytes('photo', 300_000);
    await openScreen('Status');
    // A drop carrying real files, as the browser builds it from the desktop.
    const files = { text: 'dropped on the window\n', bytes: [...binary] };
    expect(await page.evaluate(`(${DROP_SCRIPT})(${JSON.stringify(files)})`)).toBe('dropped');
    await page.getByRole('status', { name: 'Adding files' }).getByText('Added 2 files').waitFor();
    // A folder, through Files' "Add folder" picker, into the folder open there.
    const picked = path.join(bed.root, 'picked', 'Album');
    await mkdir(path.join(picked, '2026'), { recursive: true });
    await writeFile(path.join(picked, 'cover.txt'), 'the cover\n');
    await writeFile(path.join(picked, '2026', 'one.bin'), seededBytes('album', 70_000));
    await openScreen('Files');
    await page.locator('input[webkitdirectory]').setInputFiles(picked);
    await page.getByRole('status', { name: 'Adding files' }).getByText('Added 2 files').waitFor();
    await waitUntil(
      async () => {
        await b.syncOnce();
        const have = async (p: string) =>
          (await readFile(b.at(p)).catch(() => undefined)) !== undefined;
        return (await have('/photo.bin')) && (await have('/Album/2026/one.bin'));
      },
      { what: 'the dropped files on B', timeoutMs: 30_000 },
    );
    expect(await text(b, '/dropped note.txt')).toBe('dropped on the window\n');
    expect((await readFile(b.at('/photo.bin'))).equals(binary)).toBe(true);
    expect(await text(b, '/Album/cover.txt')).toBe('the cover\n');
    expect((await readFile(b.at('/Album/2026/one.bin'))).equals(seededBytes('album', 70_000))).toBe(
      true,
    );
  });

  it('changes bandwidth limits and ignore patterns from Settings; the engine applies both', async () => {
    await openScreen('Settings');
    await page.getByLabel('Upload limit (KB/s)').fill('500');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await page.getByRole('status').filter({ hasText: 'Bandwidth limits saved.' }).waitFor();
    await page.getByLabel('Upload limit (KB/s)').fill('fast');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await page.getByRole('alert').filter({ hasText: 'whole number of KB/s' }).waitFor();
    await page.getByLabel('Ignore patterns').fill('*.log\n');
    await page.getByRole('button', { name: 'Save patterns' }).click();
    await page.getByRole('status').filter({ hasText: 'Ignore patterns saved.' }).waitFor();
    expect(await text(a, '/.ferryignore')).toBe('*.log\n');
    const settings = await getPage('/api/settings', {
      host: `127.0.0.1:${address.port}`,
      authorization: `Bearer ${new URLSearchParams(address.hash.slice(1)).get('token')}`,
    });
    expect(JSON.parse(settings.body)).toEqual({
      limitUpBytesPerSecond: 500_000,
      limitDownBytesPerSecond: null,
      ignorePatterns: '*.log\n',
      excludedFolders: [],
    });
    await writeFile(a.at('/debug.log'), 'noise\n');
    await writeFile(a.at('/kept.txt'), 'kept\n');
    await waitUntil(
      async () => {
        await b.syncOnce();
        return (await text(b, '/kept.txt').catch(() => '')) === 'kept\n';
      },
      { what: 'kept.txt on B', timeoutMs: 30_000 },
    );
    expect(await readdir(b.folder)).not.toContain('debug.log');
  });

  it('keeps a top-level folder off this device from Settings, and brings it back', async () => {
    await openScreen('Settings');
    const folders = page.getByRole('list', { name: 'Top-level folders' });
    const album = folders.getByRole('checkbox', { name: 'Album' });
    await album.waitFor();
    expect(await album.isChecked()).toBe(true);
    await album.uncheck();
    await page.getByRole('button', { name: 'Save folder choice' }).click();
    await page.getByRole('status').filter({ hasText: 'Folder choice saved.' }).waitFor();
    await waitUntil(async () => !(await readdir(a.folder)).includes('Album'), {
      what: 'Album gone from A',
      timeoutMs: 30_000,
    });
    await folders.getByText('not on this device').waitFor();
    await screenshots('settings');
    // Still on the server and on B.
    await b.syncOnce();
    expect(await text(b, '/Album/cover.txt')).toBe('the cover\n');
    await album.check();
    await page.getByRole('button', { name: 'Save folder choice' }).click();
    await waitUntil(
      async () =>
        (await readFile(a.at('/Album/2026/one.bin')).catch(() => Buffer.alloc(0))).equals(
          seededBytes('album', 70_000),
        ),
      { what: 'Album back on A', timeoutMs: 30_000 },
    );
    expect(await text(a, '/Album/cover.txt')).toBe('the cover\n');
  });

  it('lists the account activity, newest first', async () => {
    await openScreen('Activity');
    const feed = page.getByRole('list', { name: 'Activity' });
    await feed.getByText('one.bin').first().waitFor();
    const first = await feed.getByRole('listitem').first().innerText();
    // kept.txt (and B's copy of .ferryignore, which syncs like any file) came last.
    expect(first).toMatch(/Noor added (kept\.txt|\.ferryignore)/);
    await screenshots('activity');
    await openScreen('Status');
    await page.getByTestId('status-headline').filter({ hasText: 'Up to date' }).waitFor();
    // The storage used, read again after the rounds that uploaded.
    await page.getByText(/^[1-9][\d.]* (KB|MB) of [\d.]+ GB used$/).waitFor();
    await screenshots('status');
  });
});

it('serves the same address to `ferry status`', async () => {
  const run = await a.ferryOk(['status']);
  expect(run.stdout).toContain(`open in a browser: ${address.href}`);
});
