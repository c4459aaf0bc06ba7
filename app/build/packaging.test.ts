/**
 * What can be checked of the packaging without Electron's binary (which this machine cannot
 * download): electron-builder.yml parses, names an app id, a product name and the platforms'
 * targets, and every file, folder and icon it (and package.json's "main") names exists after
 * `npm run build`; the tray has an icon for every state main/src/tray-model.ts can show.
 */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const config = parse(readFileSync(`${root}electron-builder.yml`, 'utf8')) as {
  appId: string;
  productName: string;
  files: string[];
  asarUnpack: string[];
  mac: { icon: string; target: string[] };
  linux: { icon: string; target: string[] };
  win: { icon: string; target: string[] };
};
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
};
const exists = (relative: string) => {
  try {
    statSync(`${root}${relative}`);
    return true;
  } catch {
    return false;
  }
};

describe('the desktop packaging', () => {
  it('names the app and each platform’s targets', () => {
    expect(config.appId).toBe('dev.ferry.desktop');
    expect(config.productName).toBe('Ferry');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(pkg.scripts.dist).toContain('electron-builder');
  });

  it('names only files that the build made or the repository holds', () => {
    expect(exists(pkg.main), pkg.main).toBe(true);
    for (const pattern of [...config.files, ...config.asarUnpack]) {
      if (pattern.startsWith('!')) continue;
      const base = pattern.replace(/\/\*\*$/, '');
      expect(exists(base), base).toBe(true);
    }
    for (const icon of [config.mac.icon, config.linux.icon, config.win.icon]) {
      expect(exists(icon), icon).toBe(true);
    }
    expect(exists('dist/preload/preload.cjs')).toBe(true);
    expect(exists('dist/ui/index.html')).toBe(true);
  });

  it('has app icons at every size and a tray icon per state, at 1x and 2x', () => {
    for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) {
      expect(exists(`app/assets/icons/${size}.png`), `${size}`).toBe(true);
    }
    for (const state of ['up-to-date', 'syncing', 'paused', 'offline', 'error', 'conflicts']) {
      expect(exists(`app/assets/tray/${state}.png`), state).toBe(true);
      expect(exists(`app/assets/tray/${state}@2x.png`), state).toBe(true);
    }
    // The tray's states, as tray-model.ts names them.
    const model = readFileSync(`${root}main/src/tray-model.ts`, 'utf8');
    const states = /export type TrayIcon = ([^;]+);/.exec(model)?.[1]?.match(/'([a-z-]+)'/g);
    expect(states?.map((s) => s.slice(1, -1)).sort()).toEqual([
      'conflicts',
      'error',
      'offline',
      'paused',
      'syncing',
      'up-to-date',
    ]);
  });
});
