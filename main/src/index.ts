/**
 * The Electron main process, the desktop app's composition root: one instance, an engine child
 * (`ferry sync`, engine-child.ts), the tray (tray-model.ts), the window with the UI of dist/ui
 * and its IPC host (ipc-host.ts), desktop notifications (notification-policy.ts) and start at
 * login (login-item.ts). Every decision lives in those pure, tested modules; this file only
 * carries them out with Electron's APIs. It cannot run where the Electron binary is missing
 * (the tests' machines); it is type-checked against Electron's types.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { homedir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  Notification,
  nativeImage,
  shell,
  Tray,
} from 'electron';
import type { MenuItemConstructorOptions } from 'electron';
import type { ConflictInfo, EngineControl, EngineStatus } from 'sync-engine';
import { createFetchBridge } from 'sync-engine/control-client';
import { readDeviceConfig, resolveHome } from '../../app/config/device-home.js';
import { controlAddressOf, engineChildCommand } from './engine-child.js';
import { createIpcHandlers } from './ipc-host.js';
import { secondInstanceAction, opensWindowAtStart } from './instance-policy.js';
import { autostartLoginItem } from './autostart-login-item.js';
import { loginItemChange } from './login-item.js';
import { withStartAtLogin, type LoginItem } from './start-at-login-control.js';
import { notificationsFor } from './notification-policy.js';
import { trayModelOf, type TrayAction, type TrayMenuItem } from './tray-model.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UI_INDEX = path.join(ROOT, 'dist/ui/index.html');
const PRELOAD = path.join(ROOT, 'dist/preload/preload.cjs');
const TRAY_ICONS = path.join(ROOT, 'app/assets/tray');

interface Running {
  control: EngineControl;
  child: ChildProcess;
  folder: string;
  userId: string;
  status?: EngineStatus;
  conflicts: readonly ConflictInfo[];
}

let tray: Tray | undefined;
let window: BrowserWindow | undefined;

async function startEngine(): Promise<Running> {
  const home = resolveHome(undefined);
  const config = await readDeviceConfig(home);
  if (config === undefined)
    throw new Error(`no signed-in device in ${home}: run ferry login first`);
  const folder = config.folder ?? path.join(homedir(), 'Ferry');
  const command = engineChildCommand({
    execPath: process.execPath,
    ferryEntry: path.join(ROOT, 'app/bin/ferry.mjs'),
    home,
    folder,
    packaged: app.isPackaged,
  });
  const child = spawn(command.command, command.args, {
    env: { ...process.env, ...command.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const address = await new Promise<{ origin: string; token: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const found = controlAddressOf(line);
      if (found !== undefined) resolve(found);
    });
    child.once('exit', (code) =>
      reject(new Error(`the engine exited (${code}) before it started`)),
    );
  });
  const control = createFetchBridge({ baseUrl: address.origin, token: address.token });
  return { control, child, folder, userId: config.userId, conflicts: [] };
}

function openWindow(): void {
  if (window !== undefined) {
    window.show();
    window.focus();
    return;
  }
  window = new BrowserWindow({
    width: 1100,
    height: 720,
    title: 'Ferry',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  // The UI's footprint while closed is zero: a closed window is destroyed, not hidden.
  window.on('closed', () => (window = undefined));
  void window.loadFile(UI_INDEX);
}

function toMenu(items: readonly TrayMenuItem[], act: (action: TrayAction) => void) {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.type === 'separator') return { type: 'separator' };
    const action = item.action;
    return {
      label: item.label,
      enabled: item.enabled,
      ...(item.submenu === undefined ? {} : { submenu: toMenu(item.submenu, act) }),
      ...(action === undefined ? {} : { click: () => act(action) }),
    };
  });
}

function localPath(running: Running, serverPath: string): string {
  return path.join(running.folder, ...serverPath.split('/').filter(Boolean));
}

function act(running: Running, action: TrayAction): void {
  const { control } = running;
  switch (action.kind) {
    case 'open-folder':
      void shell.openPath(running.folder);
      return;
    case 'open-window':
      openWindow();
      return;
    case 'pause':
      void control.pause();
      return;
    case 'resume':
      void control.resume();
      return;
    case 'allow-mass-delete':
      void control.allowMassDelete();
      return;
    case 'resolve':
      void control.resolveConflict(action.path, action.keep);
      return;
    case 'show-both':
      shell.showItemInFolder(localPath(running, action.path));
      if (action.copyPath !== null) void shell.openPath(localPath(running, action.copyPath));
      void shell.openPath(localPath(running, action.path));
      return;
    case 'quit':
      app.quit();
      return;
  }
}

function renderTray(running: Running): void {
  const model = trayModelOf(running.status, running.conflicts);
  const icon = nativeImage.createFromPath(path.join(TRAY_ICONS, `${model.icon}.png`));
  tray ??= new Tray(icon);
  tray.setImage(icon);
  tray.setToolTip(model.tooltip);
  tray.setContextMenu(Menu.buildFromTemplate(toMenu(model.menu, (a) => act(running, a))));
}

/** Follows the engine's events: the tray after each batch, notifications after syncs. */
async function follow(running: Running): Promise<void> {
  let after = 0;
  let activityCursor: string | undefined;
  const first = await running.control.listActivity({ limit: 1000 });
  activityCursor = first.cursor;
  for (;;) {
    const batch = await running.control.waitForEvents(after, 30_000);
    after = batch.next;
    [running.status, running.conflicts] = await Promise.all([
      running.control.getStatus(),
      running.control.listConflicts(),
    ]);
    renderTray(running);
    if (!batch.events.some((entry) => entry.event.type === 'synced')) continue;
    const fresh = await running.control.listActivity({ cursor: activityCursor, limit: 1000 });
    activityCursor = fresh.cursor;
    for (const note of notificationsFor(fresh.events, running.userId)) {
      const shown = new Notification({ title: note.title, body: note.body });
      shown.on('click', () => shell.showItemInFolder(localPath(running, note.revealPath)));
      shown.show();
    }
  }
}

/** The platform's login item: Electron's on macOS and Windows, an autostart file on Linux. */
function loginItem(): LoginItem {
  const execPath = process.env.APPIMAGE ?? process.execPath;
  const configHome = process.env.XDG_CONFIG_HOME ?? path.join(homedir(), '.config');
  if (process.platform === 'linux') return autostartLoginItem({ configHome, execPath });
  return {
    isEnabled: async () => app.getLoginItemSettings().openAtLogin,
    setEnabled: async (enabled) => {
      const change = loginItemChange({ platform: process.platform, enabled, execPath, configHome });
      if (change.kind === 'electron-login-item')
        app.setLoginItemSettings({ ...change.settings, args: [...change.settings.args] });
    },
  };
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    if (secondInstanceAction(argv, window !== undefined) !== 'ignore') openWindow();
  });
  // The tray keeps Ferry running with every window closed.
  app.on('window-all-closed', () => undefined);
  void app.whenReady().then(async () => {
    const running = await startEngine();
    app.on('before-quit', () => running.child.kill('SIGINT'));
    const handlers = createIpcHandlers(withStartAtLogin(running.control, loginItem()), (error) =>
      console.error(error),
    );
    for (const [channel, handle] of handlers) {
      ipcMain.handle(channel, (event, payload: unknown) => {
        // Only our own window's page may call the engine.
        if (!event.senderFrame?.url.startsWith('file://')) {
          return { ok: false, error: { code: 'forbidden_origin', message: 'not Ferry’s window' } };
        }
        return handle(payload, new AbortController().signal);
      });
    }
    renderTray(running);
    if (opensWindowAtStart(process.argv)) openWindow();
    await follow(running);
  });
}
