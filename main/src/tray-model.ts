/**
 * The tray icon, tooltip and menu as pure functions of the engine's state (SPEC "Who uses it":
 * up to date, syncing with progress, paused, offline, error, conflicts). index.ts turns the
 * model into an Electron Tray and Menu; the tests check every state without Electron.
 */
import type { ConflictInfo, ConflictKeep, EngineStatus } from 'sync-engine';

/** Which icon the tray shows (one image per state under app/assets/tray/). */
export type TrayIcon = 'up-to-date' | 'syncing' | 'paused' | 'offline' | 'error' | 'conflicts';

/** What a menu item does when clicked; index.ts carries it out. */
export type TrayAction =
  | { readonly kind: 'open-folder' }
  | { readonly kind: 'open-window' }
  | { readonly kind: 'pause' }
  | { readonly kind: 'resume' }
  | { readonly kind: 'allow-mass-delete' }
  | { readonly kind: 'resolve'; readonly path: string; readonly keep: ConflictKeep }
  | { readonly kind: 'show-both'; readonly path: string; readonly copyPath: string | null }
  | { readonly kind: 'quit' };

/** One line of the menu. */
export type TrayMenuItem =
  | { readonly type: 'separator' }
  | {
      readonly type: 'item';
      readonly label: string;
      readonly enabled: boolean;
      readonly action?: TrayAction;
      readonly submenu?: readonly TrayMenuItem[];
    };

/** Everything the tray shows. */
export interface TrayModel {
  readonly icon: TrayIcon;
  readonly tooltip: string;
  readonly menu: readonly TrayMenuItem[];
}

/** Conflicts listed in the submenu; the rest are in the window. */
const CONFLICTS_LISTED = 10;

/** The icon for `status`; conflicts show only when nothing more urgent does. */
export function trayIconOf(status: EngineStatus | undefined, conflictCount: number): TrayIcon {
  if (status === undefined) return 'offline';
  switch (status.state) {
    case 'error':
    case 'held':
      return 'error';
    case 'offline':
    case 'stopped':
      return 'offline';
    case 'paused':
      return 'paused';
    case 'starting':
    case 'scanning':
    case 'syncing':
      return 'syncing';
    case 'idle':
      return conflictCount > 0 ? 'conflicts' : 'up-to-date';
  }
}

/** `Ferry — Syncing 12 files (3.4 MB)`, `Ferry — Up to date`, … */
export function trayTooltipOf(status: EngineStatus | undefined, conflictCount: number): string {
  if (status === undefined) return 'Ferry — starting the sync engine';
  const { filesPending, bytesPending } = status.progress;
  const what = (() => {
    switch (trayIconOf(status, conflictCount)) {
      case 'up-to-date':
        return 'Up to date';
      case 'conflicts':
        return `${conflictCount} ${conflictCount === 1 ? 'conflict' : 'conflicts'}`;
      case 'paused':
        return 'Paused';
      case 'offline':
        return status.state === 'stopped' ? 'Stopped' : 'Offline, retrying';
      case 'error':
        return status.state === 'held'
          ? `${status.heldDeletes?.count ?? 0} deletions wait for you`
          : (status.message ?? 'Syncing stopped');
      case 'syncing':
        return filesPending === 0
          ? 'Syncing'
          : `Syncing ${filesPending} ${filesPending === 1 ? 'file' : 'files'} (${megabytes(bytesPending)})`;
    }
  })();
  return `Ferry — ${what}`;
}

function megabytes(bytes: number): string {
  return bytes < 100_000 ? `${Math.ceil(bytes / 1000)} KB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The tray's whole model. */
export function trayModelOf(
  status: EngineStatus | undefined,
  conflicts: readonly ConflictInfo[],
): TrayModel {
  const menu: TrayMenuItem[] = [
    { type: 'item', label: trayTooltipOf(status, conflicts.length).slice(8), enabled: false },
    { type: 'separator' },
    {
      type: 'item',
      label: 'Open Ferry folder',
      enabled: status !== undefined,
      action: { kind: 'open-folder' },
    },
    { type: 'item', label: 'Open Ferry', enabled: true, action: { kind: 'open-window' } },
    status?.paused === true
      ? { type: 'item', label: 'Resume syncing', enabled: true, action: { kind: 'resume' } }
      : {
          type: 'item',
          label: 'Pause syncing',
          enabled: status !== undefined,
          action: { kind: 'pause' },
        },
  ];
  if (status !== undefined && status.heldDeletes !== null) {
    menu.push({
      type: 'item',
      label: `Delete ${status.heldDeletes.count} files here too`,
      enabled: true,
      action: { kind: 'allow-mass-delete' },
    });
  }
  if (conflicts.length > 0) {
    menu.push({ type: 'separator' }, conflictsSubmenu(conflicts));
  }
  menu.push(
    { type: 'separator' },
    { type: 'item', label: 'Quit Ferry', enabled: true, action: { kind: 'quit' } },
  );
  return {
    icon: trayIconOf(status, conflicts.length),
    tooltip: trayTooltipOf(status, conflicts.length),
    menu,
  };
}

function conflictsSubmenu(conflicts: readonly ConflictInfo[]): TrayMenuItem {
  const listed: TrayMenuItem[] = conflicts.slice(0, CONFLICTS_LISTED).map((conflict) => ({
    type: 'item',
    label: conflict.path,
    enabled: true,
    submenu: [
      {
        type: 'item',
        label: 'Keep mine',
        enabled: true,
        action: { kind: 'resolve', path: conflict.path, keep: 'mine' },
      },
      {
        type: 'item',
        label: 'Keep theirs',
        enabled: true,
        action: { kind: 'resolve', path: conflict.path, keep: 'theirs' },
      },
      {
        type: 'item',
        label: 'Keep both',
        enabled: true,
        action: { kind: 'resolve', path: conflict.path, keep: 'both' },
      },
      { type: 'separator' },
      {
        type: 'item',
        label: 'Show both',
        enabled: true,
        action: { kind: 'show-both', path: conflict.path, copyPath: conflict.copyPath },
      },
    ],
  }));
  if (conflicts.length > CONFLICTS_LISTED) {
    listed.push(
      { type: 'separator' },
      {
        type: 'item',
        label: `${conflicts.length - CONFLICTS_LISTED} more in the Ferry window…`,
        enabled: true,
        action: { kind: 'open-window' },
      },
    );
  }
  return { type: 'item', label: `Conflicts (${conflicts.length})`, enabled: true, submenu: listed };
}
