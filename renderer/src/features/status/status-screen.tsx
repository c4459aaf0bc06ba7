/** The status screen: what Ferry is doing, progress, the account, problems and recent files. */
import type { JSX } from 'preact';
import type { EngineControl } from 'sync-engine/control';
import type { EngineSnapshot, RecentTransfer } from '../../engine-store.js';
import { baseName, placeOf, formatBytes, formatRate, formatRelativeTime } from '../../ui/format.js';
import { Icon, type IconName } from '../../ui/icons.js';
import { describeStatus, type StatusTone } from './describe-status.js';
import { useAction } from '../../ui/use-action.js';

const TONE_ICON: Record<StatusTone, IconName> = {
  ok: 'check',
  busy: 'sync',
  paused: 'pause',
  offline: 'offline',
  attention: 'alert',
};

const ACTION_ICON: Record<RecentTransfer['event']['action'], IconName> = {
  upload: 'upload',
  download: 'download',
  delete_local: 'trash',
  delete_remote: 'trash',
  move_local: 'move',
  move_remote: 'move',
  mkdir_local: 'folder',
  mkdir_remote: 'folder',
};

const ACTION_VERB: Record<RecentTransfer['event']['action'], string> = {
  upload: 'Uploaded',
  download: 'Downloaded',
  delete_local: 'Deleted here',
  delete_remote: 'Deleted on the server',
  move_local: 'Moved here',
  move_remote: 'Moved on the server',
  mkdir_local: 'Folder created here',
  mkdir_remote: 'Folder created on the server',
};

/** Props of {@link StatusScreen}. */
export interface StatusScreenProps {
  readonly snapshot: EngineSnapshot;
  readonly control: EngineControl;
  readonly refresh: () => Promise<void>;
  readonly nowMs: number;
}

export function StatusScreen(props: StatusScreenProps): JSX.Element {
  const { status, conflicts, recent } = props.snapshot;
  const action = useAction(props.refresh);
  if (status === undefined) return <p class="empty">Connecting to Ferry…</p>;
  const summary = describeStatus(status, conflicts.length);
  const { progress, account } = status;
  const total = progress.filesDone + progress.filesPending;
  const share = total === 0 ? 0 : progress.filesDone / total;
  const rates = [formatRate(progress.upBytesPerSecond), formatRate(progress.downBytesPerSecond)];
  return (
    <section class="screen" aria-labelledby="status-title">
      <header class={`status-hero tone-${summary.tone}`}>
        <span class="status-badge">
          <Icon name={TONE_ICON[summary.tone]} size={28} />
        </span>
        <div class="status-text">
          <h1 id="status-title" data-testid="status-headline">
            {summary.headline}
          </h1>
          <p>{summary.detail}</p>
          {status.lastSyncedMs !== null && summary.tone === 'ok' ? (
            <p class="muted">Last synced {formatRelativeTime(status.lastSyncedMs, props.nowMs)}</p>
          ) : null}
        </div>
        <div class="status-actions">
          {status.paused ? (
            <button
              class="button primary"
              disabled={action.busy}
              onClick={() => action.run(() => props.control.resume())}
            >
              <Icon name="play" /> Resume syncing
            </button>
          ) : (
            <button
              class="button"
              disabled={action.busy}
              onClick={() => action.run(() => props.control.pause())}
            >
              <Icon name="pause" /> Pause syncing
            </button>
          )}
        </div>
      </header>
      {action.error === undefined ? null : (
        <p class="notice error" role="alert">
          {action.error}
        </p>
      )}
      {summary.tone === 'busy' && progress.filesPending > 0 ? (
        <div class="card">
          <div
            class="progress"
            role="progressbar"
            aria-label="Sync progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(share * 100)}
          >
            <span style={{ width: `${Math.max(2, share * 100)}%` }} />
          </div>
          <p class="muted">
            {progress.filesDone.toLocaleString('en')} of {total.toLocaleString('en')} files
            {rates.filter(Boolean).length > 0 ? ` · ${rates.filter(Boolean).join(' up, ')}` : ''}
          </p>
        </div>
      ) : null}
      {status.heldDeletes === null ? null : (
        <div class="card warning" role="region" aria-label="Held deletions">
          <h2>
            {status.heldDeletes.count.toLocaleString('en')} files were deleted on another device
          </h2>
          <p class="muted">
            Ferry held these deletions because there are so many. For example:{' '}
            {status.heldDeletes.paths.slice(0, 3).join(', ')}
          </p>
          <button
            class="button danger"
            disabled={action.busy}
            onClick={() => action.run(() => props.control.allowMassDelete())}
          >
            Delete them here too
          </button>
        </div>
      )}
      <div class="card-grid">
        <div class="card">
          <h2>Folder</h2>
          <p class="mono" title={status.folder}>
            {status.folder}
          </p>
          <p class="muted">
            {status.deviceName} · {status.email}
          </p>
        </div>
        <div class="card">
          <h2>Storage</h2>
          {account === null ? (
            <p class="muted">Not known yet</p>
          ) : (
            <>
              <div class="meter" aria-hidden="true">
                <span
                  style={{
                    width: `${Math.min(100, (account.usedBytes / Math.max(1, account.quotaBytes)) * 100)}%`,
                  }}
                />
              </div>
              <p>
                {formatBytes(account.usedBytes)} of {formatBytes(account.quotaBytes)} used
              </p>
            </>
          )}
          <p class="muted">
            {formatBytes(progress.bytesUp)} sent, {formatBytes(progress.bytesDown)} received
          </p>
        </div>
      </div>
      {status.problems.length === 0 ? null : (
        <div class="card" role="region" aria-label="Problems">
          <h2>Needs your attention</h2>
          <ul class="plain-list">
            {status.problems.map((problem) => (
              <li key={`${problem.code}:${problem.path ?? ''}`} class="problem">
                <Icon name="alert" />
                <span>
                  {problem.message}
                  {problem.path === undefined ? null : <span class="mono"> {problem.path}</span>}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="card">
        <h2>Recent on this device</h2>
        {recent.length === 0 ? (
          <p class="muted">Nothing has synced since Ferry started.</p>
        ) : (
          <ul class="plain-list recent" aria-label="Recent on this device">
            {recent.slice(0, 8).map(({ seq, timeMs, event }) => (
              <li key={seq}>
                <Icon name={ACTION_ICON[event.action]} />
                <span class="grow">
                  <strong>{baseName(event.path)}</strong>
                  <span class="muted">
                    {' '}
                    {[ACTION_VERB[event.action], placeOf(event.path)].filter(Boolean).join(' · ')}
                  </span>
                </span>
                <span class="muted">{formatRelativeTime(timeMs, props.nowMs)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
