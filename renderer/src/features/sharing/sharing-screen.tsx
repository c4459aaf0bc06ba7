/** Every share at a glance: folders the user shares (and with whom) and folders shared with them. */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { EngineControl, ShareInfo, ShareList } from 'sync-engine/control';
import { baseName, formatRelativeTime } from '../../ui/format.js';
import { Icon } from '../../ui/icons.js';
import { useAction } from '../../ui/use-action.js';
import { ROLE_LABEL, ShareDialog } from './share-dialog.js';

/** Props of {@link SharingScreen}. */
export interface SharingScreenProps {
  readonly control: EngineControl;
  readonly nowMs: number;
}

/** Owned shares grouped by folder, in path order. */
function byFolder(shares: readonly ShareInfo[]): [string, ShareInfo[]][] {
  const groups = new Map<string, ShareInfo[]>();
  for (const share of shares) groups.set(share.path, [...(groups.get(share.path) ?? []), share]);
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

export function SharingScreen(props: SharingScreenProps): JSX.Element {
  const [shares, setShares] = useState<ShareList | undefined>(undefined);
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const reload = async (): Promise<void> => setShares(await props.control.listShares());
  const action = useAction(reload);
  useEffect(() => {
    reload().catch(() => setShares({ owned: [], received: [] }));
  }, [editing]);

  return (
    <section class="screen" aria-labelledby="sharing-title">
      <header class="screen-header">
        <h1 id="sharing-title">Sharing</h1>
        <p class="muted">
          Share a folder from Files; everyone you add gets it on all their devices.
        </p>
      </header>
      {action.error === undefined ? null : (
        <p class="notice error" role="alert">
          {action.error}
        </p>
      )}
      <div class="card">
        <h2>Folders you share</h2>
        {shares === undefined ? (
          <p class="muted">Loading…</p>
        ) : shares.owned.length === 0 ? (
          <p class="muted">You are not sharing any folder yet.</p>
        ) : (
          <ul class="plain-list" aria-label="Folders you share">
            {byFolder(shares.owned).map(([path, people]) => (
              <li key={path}>
                <span class="feed-icon kind-folder_shared">
                  <Icon name="share" />
                </span>
                <span class="grow ellipsis">
                  <strong>{baseName(path)}</strong>
                  <span class="muted">
                    {' '}
                    ·{' '}
                    {people
                      .map((p) => `${p.recipientEmail} (${ROLE_LABEL[p.role].toLowerCase()})`)
                      .join(', ')}
                  </span>
                </span>
                <button class="button subtle" onClick={() => setEditing(path)}>
                  Manage
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div class="card">
        <h2>Shared with you</h2>
        {shares === undefined ? null : shares.received.length === 0 ? (
          <p class="muted">Nobody has shared a folder with you yet.</p>
        ) : (
          <ul class="plain-list" aria-label="Shared with you">
            {shares.received.map((share) => (
              <li key={share.id}>
                <span class="feed-icon kind-folder_shared">
                  <Icon name="folder" />
                </span>
                <span class="grow ellipsis">
                  <strong>{baseName(share.path)}</strong>
                  <span class="muted">
                    {' '}
                    · from {share.ownerEmail} · {ROLE_LABEL[share.role]} ·{' '}
                    {formatRelativeTime(share.createdMs, props.nowMs)}
                  </span>
                </span>
                <button
                  class="button subtle"
                  disabled={action.busy}
                  aria-label={`Leave ${share.path}`}
                  onClick={() => action.run(() => props.control.revokeShare(share.id))}
                >
                  Leave
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {editing === undefined ? null : (
        <ShareDialog control={props.control} path={editing} onClose={() => setEditing(undefined)} />
      )}
    </section>
  );
}
