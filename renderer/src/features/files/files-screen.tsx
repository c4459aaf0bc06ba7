/**
 * The file browser: the account's folders as the server has them (shares mounted where the
 * user put them), each file's history beside the list, and sharing from a folder's row.
 * Inside a folder shared with the user as viewer nothing offers to change anything.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { EngineControl, FolderEntry } from 'sync-engine/control';
import { formatBytes, formatRelativeTime } from '../../ui/format.js';
import { Icon } from '../../ui/icons.js';
import { VirtualList } from '../../ui/virtual-list.js';
import { AddButtons } from '../drop/drop-zone.js';
import type { DroppedFile } from '../drop/dropped-files.js';
import { ShareDialog } from '../sharing/share-dialog.js';
import { canWriteAt, crumbsOf, roleAt, withMounts, type MountRoles } from './folder-roles.js';
import { HistoryPanel } from './history-panel.js';

/** Props of {@link FilesScreen}. */
export interface FilesScreenProps {
  readonly control: EngineControl;
  /** The folder shown; drops on the window go there too. */
  readonly folder: string;
  readonly onOpenFolder: (path: string, canWrite: boolean) => void;
  readonly onAddFiles: (files: DroppedFile[]) => void;
  /** Bumped when something synced, so the listing is read again. */
  readonly version: number;
  readonly nowMs: number;
}

/** Lets the browser save what `url` answers (a one-time zip address of this origin). */
function followDownload(url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = '';
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}

export function FilesScreen(props: FilesScreenProps): JSX.Element {
  const { folder } = props;
  const [entries, setEntries] = useState<readonly FolderEntry[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [roles, setRoles] = useState<MountRoles>(new Map());
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [sharing, setSharing] = useState<string | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    props.control.listFolder(folder).then(
      (list) => {
        if (cancelled) return;
        setEntries(list);
        setRoles((old) => withMounts(old, list));
        setError(undefined);
      },
      (failure: unknown) => {
        if (cancelled) return;
        setEntries([]);
        setError(failure instanceof Error ? failure.message : String(failure));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [folder, props.version]);

  const open = (path: string): void => {
    props.onOpenFolder(path, canWriteAt(roles, path));
    setSelected(undefined);
    setEntries(undefined);
  };
  const role = roleAt(roles, folder);

  return (
    <section class="screen fill wide" aria-labelledby="files-title">
      <header class="screen-header row">
        <div class="grow">
          <h1 id="files-title">Files</h1>
          <nav class="crumbs" aria-label="Folder">
            {crumbsOf(folder).map(([name, path], index, all) => (
              <span key={path}>
                {index === all.length - 1 ? (
                  <span aria-current="location">{name}</span>
                ) : (
                  <button class="link" onClick={() => open(path)}>
                    {name}
                  </button>
                )}
                {index === all.length - 1 ? null : <span class="muted"> / </span>}
              </span>
            ))}
            {role === 'owner' ? null : (
              <span class="tag">{role === 'viewer' ? 'View only' : 'Can edit'}</span>
            )}
          </nav>
        </div>
        <div class="add-buttons">
          <button
            class="button"
            onClick={() =>
              void props.control.createZipDownload(folder).then(
                ({ url }) => followDownload(url),
                (failure: unknown) =>
                  setError(failure instanceof Error ? failure.message : String(failure)),
              )
            }
          >
            <Icon name="download" /> Download zip
          </button>
          {role === 'viewer' ? null : <AddButtons onPick={props.onAddFiles} />}
        </div>
      </header>
      {error === undefined ? null : (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      <div class="split">
        {entries === undefined ? (
          <p class="empty grow">Loading…</p>
        ) : entries.length === 0 && error === undefined ? (
          <p class="empty grow">This folder is empty.</p>
        ) : (
          <VirtualList
            items={entries}
            rowHeight={52}
            label="Files"
            rowKey={(entry) => entry.path}
            renderRow={(entry) => (
              <div
                class={`file-row${selected === entry.path ? ' selected' : ''}`}
                data-path={entry.path}
              >
                <button
                  class="file-open"
                  aria-label={
                    entry.type === 'folder' ? `Open ${entry.name}` : `History of ${entry.name}`
                  }
                  onClick={() =>
                    entry.type === 'folder' ? open(entry.path) : setSelected(entry.path)
                  }
                >
                  <span class={`feed-icon ${entry.type === 'folder' ? 'kind-folder' : ''}`}>
                    <Icon name={entry.sharedRole === null ? entry.type : 'share'} />
                  </span>
                  <span class="grow ellipsis">
                    <span class="file-name ellipsis">{entry.name}</span>
                    <span class="muted ellipsis">
                      {entry.type === 'folder'
                        ? entry.sharedRole === null
                          ? 'Folder'
                          : `Shared with you · ${entry.sharedRole === 'viewer' ? 'view only' : 'can edit'}`
                        : `${formatBytes(entry.sizeBytes ?? 0)} · ${formatRelativeTime(entry.modifiedMs ?? 0, props.nowMs)}`}
                    </span>
                  </span>
                </button>
                {entry.type === 'folder' &&
                entry.sharedRole === null &&
                canWriteAt(roles, entry.path) ? (
                  <button
                    class="button subtle"
                    aria-label={`Share ${entry.name}`}
                    onClick={() => setSharing(entry.path)}
                  >
                    <Icon name="share" /> Share
                  </button>
                ) : null}
              </div>
            )}
          />
        )}
        {selected === undefined ? null : (
          <HistoryPanel
            control={props.control}
            path={selected}
            canWrite={canWriteAt(roles, selected)}
            nowMs={props.nowMs}
            onClose={() => setSelected(undefined)}
          />
        )}
      </div>
      {sharing === undefined ? null : (
        <ShareDialog control={props.control} path={sharing} onClose={() => setSharing(undefined)} />
      )}
    </section>
  );
}
