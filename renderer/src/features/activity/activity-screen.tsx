/**
 * The activity feed: who added, edited, moved, deleted or shared what, across the account and
 * its shares, newest first. Read page by page from the engine (which asks the server) and
 * continued from the last cursor when something syncs, so a long feed is read once.
 */
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { EngineControl } from 'sync-engine/control';
import { baseName, placeOf, formatRelativeTime } from '../../ui/format.js';
import { Icon } from '../../ui/icons.js';
import { VirtualList } from '../../ui/virtual-list.js';
import { ACTIVITY_ICON, ACTIVITY_VERB, type FeedEntry } from './activity-kinds.js';

/** Entries kept in the window; older ones fall off the end. */
const FEED_KEPT = 10_000;
const PAGE = 1000;

/** Props of {@link ActivityScreen}. */
export interface ActivityScreenProps {
  readonly control: EngineControl;
  /** Bumped by the store when something synced. */
  readonly version: number;
  readonly nowMs: number;
}

export function ActivityScreen(props: ActivityScreenProps): JSX.Element {
  const [entries, setEntries] = useState<readonly FeedEntry[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const cursor = useRef<string | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const fresh: FeedEntry[] = [];
        for (;;) {
          const page = await props.control.listActivity({
            ...(cursor.current === undefined ? {} : { cursor: cursor.current }),
            limit: PAGE,
          });
          if (cancelled) return;
          fresh.push(...page.events);
          cursor.current = page.cursor;
          if (!page.hasMore) break;
        }
        fresh.reverse();
        setEntries((old) => [...fresh, ...(old ?? [])].slice(0, FEED_KEPT));
        setError(undefined);
      } catch (failure) {
        if (!cancelled) setError(failure instanceof Error ? failure.message : String(failure));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [props.version]);

  return (
    <section class="screen fill" aria-labelledby="activity-title">
      <header class="screen-header">
        <h1 id="activity-title">Activity</h1>
        <p class="muted">Changes to your files and shared folders, from every device</p>
      </header>
      {error === undefined ? null : (
        <p class="notice error" role="alert">
          {error}
        </p>
      )}
      {entries === undefined ? (
        <p class="empty">Loading activity…</p>
      ) : entries.length === 0 ? (
        <p class="empty">No activity yet. Drop a file into your Ferry folder to begin.</p>
      ) : (
        <VirtualList
          items={entries}
          rowHeight={56}
          label="Activity"
          rowKey={(entry) => entry.id}
          renderRow={(entry) => (
            <div class="feed-row">
              <span class={`feed-icon kind-${entry.kind}`}>
                <Icon name={ACTIVITY_ICON[entry.kind]} />
              </span>
              <span class="grow ellipsis">
                <span class="feed-line">
                  <strong>{entry.actor}</strong> {ACTIVITY_VERB[entry.kind]}{' '}
                  <strong title={entry.path}>{baseName(entry.path)}</strong>
                </span>
                <span class="muted ellipsis">
                  {[
                    entry.fromPath === undefined ? placeOf(entry.path) : `from ${entry.fromPath}`,
                    entry.deviceName === null ? '' : `on ${entry.deviceName}`,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
              </span>
              <time class="muted" dateTime={new Date(entry.time).toISOString()}>
                {formatRelativeTime(entry.time, props.nowMs)}
              </time>
            </div>
          )}
        />
      )}
    </section>
  );
}
