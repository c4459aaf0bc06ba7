// Renders Ferry's icons from SVG (app/assets/icon.svg and the tray states below) to the PNGs
// electron-builder and the tray need, in Debian's Chromium through playwright-core:
// app/assets/icons/<size>.png (16 … 1024; electron-builder derives .icns and .ico from the 1024
// one) and app/assets/tray/<state>.png (22 px) and <state>@2x.png (44 px). The PNGs are
// committed; run `node app/build/render-icons.mjs` after changing a drawing.
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const appIcon = readFileSync(`${root}app/assets/icon.svg`, 'utf8');

/** The tray's states (main/src/tray-model.ts TrayIcon): body colours and a badge glyph. */
const TRAY = {
  'up-to-date': { from: '#3b82f6', to: '#1d4ed8', badge: null },
  syncing: {
    from: '#3b82f6',
    to: '#1d4ed8',
    badge: {
      color: '#0ea5e9',
      glyph: 'M7 12a5 5 0 0 1 8.5-3.5M17 12a5 5 0 0 1-8.5 3.5M15.5 5.5v3h-3M8.5 18.5v-3h3',
    },
  },
  paused: { from: '#9ca3af', to: '#6b7280', badge: { color: '#6b7280', glyph: 'M10 8v8M14 8v8' } },
  offline: {
    from: '#9ca3af',
    to: '#6b7280',
    badge: { color: '#4b5563', glyph: 'M8 8l8 8M16 8l-8 8' },
  },
  error: {
    from: '#3b82f6',
    to: '#1d4ed8',
    badge: { color: '#dc2626', glyph: 'M12 7v6M12 16.5v.5' },
  },
  conflicts: {
    from: '#3b82f6',
    to: '#1d4ed8',
    badge: { color: '#ea580c', glyph: 'M8 9h8l-2.5-2.5M16 15H8l2.5 2.5' },
  },
};

function traySvg({ from, to, badge }) {
  const body = appIcon
    .replace('stop-color="#3b82f6"', `stop-color="${from}"`)
    .replace('stop-color="#1d4ed8"', `stop-color="${to}"`)
    .replace(/<\/svg>\s*$/, '');
  const mark =
    badge === null
      ? ''
      : `<g transform="translate(34 34) scale(1.25)"><circle cx="12" cy="12" r="11" fill="${badge.color}" stroke="#fff" stroke-width="2"/><path d="${badge.glyph}" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/></g>`;
  return `${body}${mark}</svg>`;
}

async function render(page, svg, size, file) {
  await page.setViewportSize({ width: size, height: size });
  const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  await page.setContent(
    `<html><body style="margin:0;background:transparent"><img src="${src}" width="${size}" height="${size}" style="display:block"></body></html>`,
  );
  await page.waitForFunction('document.images[0]?.complete === true');
  await page.screenshot({ path: file, omitBackground: true });
}

const browser = await chromium.launch({
  executablePath: process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage();
  mkdirSync(`${root}app/assets/icons`, { recursive: true });
  mkdirSync(`${root}app/assets/tray`, { recursive: true });
  for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
    await render(page, appIcon, size, `${root}app/assets/icons/${size}.png`);
  }
  for (const [state, look] of Object.entries(TRAY)) {
    await render(page, traySvg(look), 22, `${root}app/assets/tray/${state}.png`);
    await render(page, traySvg(look), 44, `${root}app/assets/tray/${state}@2x.png`);
  }
  console.log('ferry: rendered app/assets/icons and app/assets/tray');
} finally {
  await browser.close();
}
