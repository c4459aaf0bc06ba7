/**
 * Debian's Chromium driven by playwright-core, for the browser UI's tests (DEVELOPERS.md: never
 * `npx playwright install`; `.ci/run` installs the `chromium` package). Screenshots go to
 * docs/screenshots/, which the README links.
 */
import { access, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium, failing with what to install when it is missing. */
export async function launchChromium(): Promise<Browser> {
  await access(CHROMIUM).catch(() => {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set FERRY_CHROMIUM)`);
  });
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/** Saves the page as docs/screenshots/NAME.png. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, animations: 'disabled' });
}
