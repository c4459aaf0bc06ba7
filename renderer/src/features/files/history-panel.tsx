/** A file's revisions, newest first, each restorable where the user may write. */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { EngineControl, FileRevision } from 'sync-engine/control';
import { baseName, formatBytes, formatClockTime, formatRelativeTime } from '../../ui/format.js';
import { Icon } from '../../ui/icons.js';
import { useAction } from '../../ui/use-action.js';

/** Props of {@link HistoryPanel}. */
export interface HistoryPanelProps {
  readonly control: EngineControl;
  readonly path: string;
  readonly canWrite: boolean;
  readonly nowMs: number;
  readonly onClose: () => void;
}

export function HistoryPanel(props: HistoryPanelProps): JSX.Element {
  const [revisions, setRevisions] = useState<readonly FileRevision[] | undefined>(undefined);
  const [version, setVersion] = useState(0);
  const [restored, setRestored] = useState<string | undefined>(undefined);
  const load = async (): Promise<void> => setVersion((v) => v + 1);
  const action = useAction(load);

  useEffect(() => {
    let cancelled = false;
    props.control.listRevisions(props.path).then(
      (list) => !cancelled && setRevisions(list),
      () => !cancelled && setRevisions([]),
    );
    return () => {
      cancelled = true;
    };
  }, [props.path, version]);

  return (
    <aside class="side-panel" aria-label={`History of ${props.path}`}>
      <header class="side-header">
        <div class="grow ellipsis">
          <h2 class="ellipsis">{baseName(props.path)}</h2>
          <p class="muted">Version history</p>
        </div>
        <button class="icon-button" aria-label="Close history" onClick={props.onClose}>
          ×
        </button>
      </header>
      {action.error === undefined ? null : (
        <p class="notice error" role="alert">
          {action.error}
        </p>
      )}
      {restored === undefined ? null : (
        <p class="notice ok" role="status">
          Restored. The file is back as the newest version on every device.
        </p>
      )}
      {revisions === undefined ? (
        <p class="muted">Loading…</p>
      ) : (
        <ol class="revision-list" aria-label="Revisions">
          {revisions.map((revision, index) => (
            <li key={revision.rev} class="revision">
              <span class={`revision-dot${index === 0 ? ' current' : ''}`} aria-hidden="true" />
              <div class="grow">
                <p>
                  <strong>{formatClockTime(revision.committedMs, props.nowMs)}</strong>
                  {index === 0 && !revision.ofDeletedFile ? <span class="tag">Current</span> : null}
                  {revision.ofDeletedFile ? <span class="tag">Deleted file</span> : null}
                </p>
                <p class="muted">
                  {formatBytes(revision.sizeBytes)} · {revision.author}
                  {revision.deviceName === null ? '' : ` on ${revision.deviceName}`} ·{' '}
                  {formatRelativeTime(revision.committedMs, props.nowMs)}
                </p>
              </div>
              {index === 0 && !revision.ofDeletedFile ? null : props.canWrite ? (
                <button
                  class="button subtle"
                  disabled={action.busy}
                  aria-label={`Restore the version of ${formatClockTime(revision.committedMs, props.nowMs)}`}
                  onClick={() =>
                    action.run(async () => {
                      const result = await props.control.restoreRevision(props.path, revision.rev);
                      setRestored(result.rev);
                    })
                  }
                >
                  <Icon name="restore" /> Restore
                </button>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
