/** Both versions of one conflict side by side (size, time, device), with the resolutions. */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type {
  ConflictKeep,
  ConflictVersions,
  EngineControl,
  VersionSide,
} from 'sync-engine/control';
import { baseName, formatBytes, formatClockTime, formatRelativeTime } from '../../ui/format.js';

/** Props of {@link ComparePanel}. */
export interface ComparePanelProps {
  readonly control: EngineControl;
  readonly path: string;
  readonly nowMs: number;
  readonly busy: boolean;
  readonly onResolve: (keep: ConflictKeep) => void;
  readonly onClose: () => void;
}

function Side(props: { title: string; side: VersionSide | null; nowMs: number }): JSX.Element {
  const { side } = props;
  return (
    <section class="version-side" aria-label={props.title}>
      <h3>{props.title}</h3>
      {side === null ? (
        <p class="muted">Not on disk any more</p>
      ) : (
        <dl>
          <dt>File</dt>
          <dd class="ellipsis" title={side.path}>
            {baseName(side.path)}
          </dd>
          <dt>Size</dt>
          <dd>{formatBytes(side.sizeBytes)}</dd>
          <dt>Changed</dt>
          <dd>
            {formatClockTime(side.modifiedMs, props.nowMs)} (
            {formatRelativeTime(side.modifiedMs, props.nowMs)})
          </dd>
          <dt>Device</dt>
          <dd>
            {side.deviceName ?? 'unknown'}
            {side.author === null ? '' : ` · ${side.author}`}
          </dd>
        </dl>
      )}
    </section>
  );
}

export function ComparePanel(props: ComparePanelProps): JSX.Element {
  const [versions, setVersions] = useState<ConflictVersions | undefined>(undefined);
  useEffect(() => {
    let cancelled = false;
    props.control.describeConflict(props.path).then(
      (found) => !cancelled && setVersions(found),
      () => !cancelled && setVersions(undefined),
    );
    return () => {
      cancelled = true;
    };
  }, [props.path]);
  return (
    <aside class="side-panel" aria-label={`Compare ${props.path}`}>
      <header class="side-header">
        <div class="grow ellipsis">
          <h2 class="ellipsis">{baseName(props.path)}</h2>
          <p class="muted">Two versions</p>
        </div>
        <button class="icon-button" aria-label="Close comparison" onClick={props.onClose}>
          ×
        </button>
      </header>
      {versions === undefined ? (
        <p class="muted">Loading…</p>
      ) : (
        <div class="versions">
          <Side title="Theirs (kept at the path)" side={versions.theirs} nowMs={props.nowMs} />
          <Side title="Yours (the conflicted copy)" side={versions.mine} nowMs={props.nowMs} />
        </div>
      )}
      <div class="choice-group wrap">
        <button class="button" disabled={props.busy} onClick={() => props.onResolve('mine')}>
          Keep mine
        </button>
        <button class="button" disabled={props.busy} onClick={() => props.onResolve('theirs')}>
          Keep theirs
        </button>
        <button class="button" disabled={props.busy} onClick={() => props.onResolve('both')}>
          Keep both
        </button>
      </div>
    </aside>
  );
}
