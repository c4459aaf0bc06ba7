/**
 * The window: a sidebar of screens and the screen chosen. Receives one EngineControl and passes
 * it down; never reaches for a global bridge.
 */
import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { EngineControl } from 'sync-engine/control';
import { createEngineStore, type EngineSnapshot } from './engine-store.js';
import { ActivityScreen } from './features/activity/activity-screen.js';
import { ConflictsScreen } from './features/conflicts/conflicts-screen.js';
import { DropZone, type DropTarget } from './features/drop/drop-zone.js';
import { useImport } from './features/drop/use-import.js';
import { FilesScreen } from './features/files/files-screen.js';
import { FirstRunScreen } from './features/first-run/first-run-screen.js';
import { SettingsScreen } from './features/settings/settings-screen.js';
import { SharingScreen } from './features/sharing/sharing-screen.js';
import { describeStatus } from './features/status/describe-status.js';
import { StatusScreen } from './features/status/status-screen.js';
import { Icon, type IconName } from './ui/icons.js';

type ScreenName = 'status' | 'files' | 'activity' | 'conflicts' | 'sharing' | 'settings';

const SCREENS: readonly { name: ScreenName; label: string; icon: IconName }[] = [
  { name: 'status', label: 'Status', icon: 'home' },
  { name: 'files', label: 'Files', icon: 'folder' },
  { name: 'activity', label: 'Activity', icon: 'activity' },
  { name: 'conflicts', label: 'Conflicts', icon: 'conflict' },
  { name: 'sharing', label: 'Sharing', icon: 'share' },
  { name: 'settings', label: 'Settings', icon: 'settings' },
];

/** Re-renders every 30 s so "5 minutes ago" stays true. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function useSnapshot(control: EngineControl) {
  const store = useMemo(() => createEngineStore(control), [control]);
  const [snapshot, setSnapshot] = useState<EngineSnapshot>(store.get());
  useEffect(() => {
    const unsubscribe = store.subscribe(() => setSnapshot(store.get()));
    return () => {
      unsubscribe();
      store.close();
    };
  }, [store]);
  return { snapshot, refresh: store.refresh };
}

export function App(props: { control: EngineControl; initialScreen?: ScreenName }): JSX.Element {
  const { snapshot, refresh } = useSnapshot(props.control);
  const [screen, setScreen] = useState<ScreenName>(props.initialScreen ?? 'status');
  const nowMs = useNow();
  const importer = useImport(props.control);
  const [dropTarget, setDropTarget] = useState<DropTarget>({ path: '/', canWrite: true });
  // Drops go to the folder open in Files, and to the top from any other screen.
  const target = screen === 'files' ? dropTarget : { path: '/', canWrite: true };
  const { status, conflicts } = snapshot;
  const summary = status === undefined ? undefined : describeStatus(status, conflicts.length);

  if (snapshot.connection === 'setup') {
    return <FirstRunScreen control={props.control} onDone={refresh} />;
  }
  return (
    <DropZone importer={importer} target={target}>
      <div class="shell">
        <nav class="sidebar" aria-label="Ferry">
          <div class="brand">
            <img src="icon.svg" alt="" width={28} height={28} />
            <span>Ferry</span>
          </div>
          <ul class="nav-list">
            {SCREENS.map((item) => (
              <li key={item.name}>
                <button
                  class="nav-item"
                  aria-current={screen === item.name ? 'page' : undefined}
                  onClick={() => setScreen(item.name)}
                >
                  <Icon name={item.icon} />
                  <span class="grow">{item.label}</span>
                  {item.name === 'conflicts' && conflicts.length > 0 ? (
                    <span class="count" aria-label={`${conflicts.length} conflicts`}>
                      {conflicts.length > 999 ? '999+' : conflicts.length}
                    </span>
                  ) : null}
                </button>
              </li>
            ))}
          </ul>
          <div class="sidebar-footer" aria-live="polite">
            {snapshot.connection === 'lost' ? (
              <span class="pill tone-offline">Reconnecting to the engine…</span>
            ) : snapshot.connection === 'denied' ? (
              <span class="pill tone-attention">Open the address Ferry printed</span>
            ) : summary === undefined ? null : (
              <span class={`pill tone-${summary.tone}`} data-testid="state-pill">
                {summary.headline}
              </span>
            )}
          </div>
        </nav>
        <main class="content">
          {snapshot.connection === 'denied' ? (
            <p class="notice error" role="alert">
              This page has no valid access token. Open the address `ferry sync --ui-port` or `ferry
              status` printed (it ends in #token=…).
            </p>
          ) : screen === 'status' ? (
            <StatusScreen
              snapshot={snapshot}
              control={props.control}
              refresh={refresh}
              nowMs={nowMs}
            />
          ) : screen === 'activity' ? (
            <ActivityScreen
              control={props.control}
              version={snapshot.activityVersion}
              nowMs={nowMs}
            />
          ) : screen === 'files' ? (
            <FilesScreen
              control={props.control}
              version={snapshot.activityVersion + (importer.progress?.filesDone ?? 0)}
              nowMs={nowMs}
              folder={dropTarget.path}
              onOpenFolder={(path, canWrite) => setDropTarget({ path, canWrite })}
              onAddFiles={(files) => void importer.start(dropTarget.path, files)}
            />
          ) : screen === 'settings' ? (
            <SettingsScreen control={props.control} status={status} refresh={refresh} />
          ) : screen === 'sharing' ? (
            <SharingScreen control={props.control} nowMs={nowMs} />
          ) : (
            <ConflictsScreen
              conflicts={conflicts}
              control={props.control}
              refresh={refresh}
              nowMs={nowMs}
            />
          )}
        </main>
      </div>
    </DropZone>
  );
}
