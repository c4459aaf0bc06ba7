/**
 * The conflicts list (SPEC "Conflicts"): each conflict names the file, where the local version
 * was saved and why, and offers the three resolutions. Virtualised: 1,000 conflicts scroll as
 * lightly as ten.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { ConflictInfo, ConflictKeep, EngineControl } from 'sync-engine/control';
import { baseName, placeOf, formatRelativeTime } from '../../ui/format.js';
import { Icon } from '../../ui/icons.js';
import { useAction } from '../../ui/use-action.js';
import { VirtualList } from '../../ui/virtual-list.js';
import { ComparePanel } from './compare-panel.js';
import { describeConflictReason } from './conflict-reasons.js';

/** Props of {@link ConflictsScreen}. */
export interface ConflictsScreenProps {
  readonly conflicts: readonly ConflictInfo[];
  readonly control: EngineControl;
  readonly refresh: () => Promise<void>;
  readonly nowMs: number;
}

const CHOICES: readonly { keep: ConflictKeep; label: string; hint: string }[] = [
  { keep: 'mine', label: 'Keep mine', hint: 'Put this device’s version back at the path' },
  { keep: 'theirs', label: 'Keep theirs', hint: 'Keep the other version, drop the copy' },
  { keep: 'both', label: 'Keep both', hint: 'Keep both files as they are' },
];

export function ConflictsScreen(props: ConflictsScreenProps): JSX.Element {
  const action = useAction(props.refresh);
  const [comparing, setComparing] = useState<string | undefined>(undefined);
  const resolve = (path: string, keep: ConflictKeep) =>
    action.run(async () => {
      await props.control.resolveConflict(path, keep);
      if (comparing === path) setComparing(undefined);
    });
  return (
    <section class="screen fill" aria-labelledby="conflicts-title">
      <header class="screen-header">
        <h1 id="conflicts-title">Conflicts</h1>
        <p class="muted">
          A file changed in two places before they could sync. Ferry kept both versions; choose
          which stays.
        </p>
      </header>
      {action.error === undefined ? null : (
        <p class="notice error" role="alert">
          {action.error}
        </p>
      )}
      {props.conflicts.length === 0 ? (
        <div class="empty-state">
          <span class="status-badge tone-ok">
            <Icon name="check" size={28} />
          </span>
          <p>No conflicts. Every file has one version.</p>
        </div>
      ) : (
        <div class="split">
          <VirtualList
            items={props.conflicts}
            rowHeight={96}
            label="Conflicts"
            rowKey={(conflict) => conflict.id}
            renderRow={(conflict) => (
              <article
                class={`conflict-row${comparing === conflict.path ? ' selected' : ''}`}
                aria-label={`Conflict: ${conflict.path}`}
              >
                <span class="feed-icon kind-conflict">
                  <Icon name="conflict" />
                </span>
                <div class="grow ellipsis">
                  <h2 class="ellipsis" title={conflict.path}>
                    {baseName(conflict.path)}
                    <span class="muted"> {placeOf(conflict.path)}</span>
                  </h2>
                  <p class="muted ellipsis">
                    {describeConflictReason(conflict.reason)} ·{' '}
                    {formatRelativeTime(conflict.detectedMs, props.nowMs)}
                  </p>
                  {conflict.copyPath === null ? null : (
                    <p class="muted ellipsis" title={conflict.copyPath}>
                      Your version: {baseName(conflict.copyPath)}
                    </p>
                  )}
                </div>
                <div class="choice-group" role="group" aria-label={`Resolve ${conflict.path}`}>
                  <button
                    class="button subtle"
                    aria-label={`Compare: ${conflict.path}`}
                    onClick={() => setComparing(conflict.path)}
                  >
                    Compare
                  </button>
                  {/* With the side-by-side open, the panel offers the choices: rows keep room for names. */}
                  {comparing !== undefined
                    ? null
                    : CHOICES.map((choice) => (
                        <button
                          key={choice.keep}
                          class={choice.keep === 'both' ? 'button' : 'button subtle'}
                          title={choice.hint}
                          disabled={action.busy}
                          aria-label={`${choice.label}: ${conflict.path}`}
                          onClick={() => resolve(conflict.path, choice.keep)}
                        >
                          {choice.label}
                        </button>
                      ))}
                </div>
              </article>
            )}
          />
          {comparing === undefined ? null : (
            <ComparePanel
              control={props.control}
              path={comparing}
              nowMs={props.nowMs}
              busy={action.busy}
              onResolve={(keep) => void resolve(comparing, keep)}
              onClose={() => setComparing(undefined)}
            />
          )}
        </div>
      )}
    </section>
  );
}
