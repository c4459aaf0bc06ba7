/**
 * Settings: the account and its storage, the folder, pause, bandwidth limits, the folder's
 * ignore patterns, the top-level folders kept on this device, and start at login (answered by
 * the desktop app, which owns the login item; the browser UI explains what to do instead).
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { EngineControl, EngineSettings, EngineStatus } from 'sync-engine/control';
import { formatBytes } from '../../ui/format.js';
import { useAction } from '../../ui/use-action.js';
import { fieldToLimit, limitToField } from './bandwidth-field.js';
import { FolderChoice } from './folder-choice.js';

/** Props of {@link SettingsScreen}. */
export interface SettingsScreenProps {
  readonly control: EngineControl;
  readonly status: EngineStatus | undefined;
  readonly refresh: () => Promise<void>;
}

/** One bandwidth limit's field: KB/s, empty for none. */
function LimitField(props: {
  id: string;
  label: string;
  value: string;
  disabled: boolean;
  onInput: (value: string) => void;
}): JSX.Element {
  return (
    <div class="field grow">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        inputMode="numeric"
        placeholder="No limit"
        disabled={props.disabled}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
    </div>
  );
}

export function SettingsScreen(props: SettingsScreenProps): JSX.Element {
  const [settings, setSettings] = useState<EngineSettings | undefined>(undefined);
  const [up, setUp] = useState('');
  const [down, setDown] = useState('');
  const [ignore, setIgnore] = useState('');
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const action = useAction(props.refresh);
  // The fields stay disabled until the settings are read: typing into them earlier would be
  // overwritten by the answer (and Save would send what was read, not what was typed).
  const show = (next: EngineSettings) => {
    setSettings(next);
    setUp(limitToField(next.limitUpBytesPerSecond));
    setDown(limitToField(next.limitDownBytesPerSecond));
    setIgnore(next.ignorePatterns);
  };
  useEffect(() => {
    void props.control.getSettings().then(show, () => undefined);
  }, []);
  const { status } = props;
  const save = (what: string, change: () => Partial<EngineSettings> | string) =>
    action.run(async () => {
      setSaved(undefined);
      const made = change();
      if (typeof made === 'string') throw new Error(made);
      show(await props.control.updateSettings(made));
      setSaved(what);
    });

  return (
    <section class="screen" aria-labelledby="settings-title">
      <header class="screen-header">
        <h1 id="settings-title">Settings</h1>
      </header>
      {action.error === undefined ? null : (
        <p class="notice error" role="alert">
          {action.error}
        </p>
      )}
      {saved === undefined ? null : (
        <p class="notice ok" role="status">
          {saved} saved.
        </p>
      )}
      <div class="card-grid">
        <div class="card" role="region" aria-label="Account">
          <h2>Account</h2>
          <p>{status?.email}</p>
          <p class="muted">
            This device: {status?.deviceName} · {status?.serverUrl}
          </p>
          {status === undefined || status.account === null ? null : (
            <>
              <div class="meter" aria-hidden="true">
                <span
                  style={{
                    width: `${Math.min(100, (status.account.usedBytes / Math.max(1, status.account.quotaBytes)) * 100)}%`,
                  }}
                />
              </div>
              <p class="muted">
                {formatBytes(status.account.usedBytes)} of {formatBytes(status.account.quotaBytes)}{' '}
                used
              </p>
            </>
          )}
        </div>
        <div class="card" role="region" aria-label="Folder">
          <h2>Folder</h2>
          <p class="mono">{status?.folder}</p>
          <div>
            <button
              class="button"
              disabled={action.busy || status === undefined}
              onClick={() =>
                action.run(() => (status?.paused ? props.control.resume() : props.control.pause()))
              }
            >
              {status?.paused ? 'Resume syncing' : 'Pause syncing'}
            </button>
          </div>
        </div>
      </div>
      <form
        class="card"
        aria-label="Bandwidth"
        onSubmit={(event) => {
          event.preventDefault();
          void save('Bandwidth limits', () => {
            const limitUp = fieldToLimit(up);
            const limitDown = fieldToLimit(down);
            if (limitUp === undefined || limitDown === undefined) {
              return 'A limit is a whole number of KB/s, or empty for none.';
            }
            return { limitUpBytesPerSecond: limitUp, limitDownBytesPerSecond: limitDown };
          });
        }}
      >
        <h2>Bandwidth</h2>
        <div class="share-form">
          <LimitField
            id="limit-up"
            label="Upload limit (KB/s)"
            value={up}
            disabled={settings === undefined}
            onInput={setUp}
          />
          <LimitField
            id="limit-down"
            label="Download limit (KB/s)"
            value={down}
            disabled={settings === undefined}
            onInput={setDown}
          />
          <button
            class="button primary"
            type="submit"
            disabled={action.busy || settings === undefined}
          >
            Save limits
          </button>
        </div>
      </form>
      <form
        class="card"
        aria-label="Ignored files"
        onSubmit={(event) => {
          event.preventDefault();
          void save('Ignore patterns', () => ({ ignorePatterns: ignore }));
        }}
      >
        <h2>Ignored files</h2>
        <p class="muted">
          One pattern a line, as in .gitignore. Temporary files (~$*, *.tmp, .DS_Store, Thumbs.db)
          are always ignored. The patterns are kept in .ferryignore, which syncs to your other
          devices.
        </p>
        <p class="muted">
          Ignoring a file that already synced stops syncing it; it is deleted nowhere.
        </p>
        <label for="ignore-patterns" class="visually-hidden">
          Ignore patterns
        </label>
        <textarea
          id="ignore-patterns"
          class="mono"
          rows={5}
          spellcheck={false}
          disabled={settings === undefined}
          placeholder={'*.log\nnode_modules/'}
          value={ignore}
          onInput={(event) => setIgnore(event.currentTarget.value)}
        />
        <div>
          <button
            class="button primary"
            type="submit"
            disabled={action.busy || settings === undefined}
          >
            Save patterns
          </button>
        </div>
      </form>
      <FolderChoice
        control={props.control}
        excluded={settings?.excludedFolders}
        busy={action.busy}
        onSave={(excluded) => void save('Folder choice', () => ({ excludedFolders: excluded }))}
      />
      <div class="card" role="region" aria-label="Start at login">
        <h2>Start at login</h2>
        {settings?.startAtLogin === undefined ? (
          <p class="muted">
            The desktop app can start Ferry when you log in (this setting, in its window). In a
            browser, run <span class="mono">ferry sync</span> from your session’s startup instead.
          </p>
        ) : (
          <label class="checkbox-row">
            <input
              type="checkbox"
              checked={settings.startAtLogin}
              disabled={action.busy}
              onChange={(event) => {
                const startAtLogin = event.currentTarget.checked;
                void save('Start at login', () => ({ startAtLogin }));
              }}
            />
            <span>Start Ferry when I log in</span>
          </label>
        )}
      </div>
    </section>
  );
}
