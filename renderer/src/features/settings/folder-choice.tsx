/**
 * Selective sync: which of the account's top-level folders this device keeps. Unticking one
 * removes its copy here (what has not synced yet stays) and leaves it on the server and the
 * other devices; ticking it again downloads it.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { EngineControl } from 'sync-engine/control';

/** Props of {@link FolderChoice}. */
export interface FolderChoiceProps {
  readonly control: EngineControl;
  /** The folders left out now (from the settings); undefined until they are read. */
  readonly excluded: readonly string[] | undefined;
  readonly busy: boolean;
  readonly onSave: (excluded: readonly string[]) => void;
}

export function FolderChoice(props: FolderChoiceProps): JSX.Element {
  const [folders, setFolders] = useState<readonly string[] | undefined>(undefined);
  const [left, setLeft] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    void props.control.listFolder('/').then(
      (entries) =>
        setFolders(entries.filter((entry) => entry.type === 'folder').map((entry) => entry.name)),
      () => setFolders([]),
    );
  }, []);
  useEffect(() => setLeft(new Set(props.excluded ?? [])), [props.excluded]);
  const ready = folders !== undefined && props.excluded !== undefined;
  // A folder left out that is not on the server (any more) stays left out, and listed.
  const names = [...new Set([...(folders ?? []), ...(props.excluded ?? [])])].sort((a, b) =>
    a.localeCompare(b),
  );
  const toggle = (name: string, kept: boolean) => {
    const next = new Set(left);
    if (kept) next.delete(name);
    else next.add(name);
    setLeft(next);
  };
  return (
    <form
      class="card"
      aria-label="Folders on this device"
      onSubmit={(event) => {
        event.preventDefault();
        props.onSave([...left]);
      }}
    >
      <h2>Folders on this device</h2>
      <p class="muted">
        Untick a folder to remove it from this device only: it stays on the server and your other
        devices, and nothing in it is downloaded here. Files in it that have not synced yet stay.
      </p>
      {!ready ? (
        <p class="muted">Reading your folders…</p>
      ) : names.length === 0 ? (
        <p class="muted">Your Ferry has no folders at its top level yet.</p>
      ) : (
        <ul class="folder-choice" aria-label="Top-level folders">
          {names.map((name) => (
            <li key={name}>
              <label>
                <input
                  type="checkbox"
                  checked={!left.has(name)}
                  disabled={props.busy}
                  onChange={(event) => toggle(name, event.currentTarget.checked)}
                />
                <span>{name}</span>
                {left.has(name) ? <span class="muted"> · not on this device</span> : null}
              </label>
            </li>
          ))}
        </ul>
      )}
      <div>
        <button class="button primary" type="submit" disabled={props.busy || !ready}>
          Save folder choice
        </button>
      </div>
    </form>
  );
}
