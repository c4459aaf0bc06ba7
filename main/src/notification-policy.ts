/**
 * Which desktop notifications to show, from the account's activity feed: only what someone else
 * did (another person, not this user's other devices), only edits, deletes and shares (not every
 * added file), and batched: events that arrive together become one notification ("Ann edited 12
 * files in /Plans"). Clicking one shows the file, or the folder of many, in the file manager.
 * Pure: index.ts feeds it batches of activity and shows what it returns.
 */
import type { ActivityEvent } from 'sync-engine/protocol';

/** A notification to show. */
export interface DesktopNotification {
  readonly title: string;
  readonly body: string;
  /** The `/`-rooted path to reveal when it is clicked. */
  readonly revealPath: string;
}

/** Kinds worth interrupting someone for. */
const NOTIFIED = new Set<ActivityEvent['kind']>([
  'file_edited',
  'file_deleted',
  'folder_shared',
  'share_changed',
  'share_revoked',
]);

const VERB: Partial<Record<ActivityEvent['kind'], string>> = {
  file_edited: 'edited',
  file_deleted: 'deleted',
  folder_shared: 'shared',
  share_changed: 'changed sharing of',
  share_revoked: 'stopped sharing',
};

/** Most notifications one batch becomes; beyond that, one summary. */
const MAX_PER_BATCH = 3;

/**
 * The notifications for one batch of new activity, given the signed-in user's id. Groups by
 * person and kind; more than {@link MAX_PER_BATCH} groups collapse into one summary.
 */
export function notificationsFor(
  events: readonly ActivityEvent[],
  selfUserId: string,
): readonly DesktopNotification[] {
  const groups = new Map<string, ActivityEvent[]>();
  for (const event of events) {
    if (event.actorId === selfUserId || !NOTIFIED.has(event.kind)) continue;
    const key = `${event.actorId}\u0000${event.kind}`;
    groups.set(key, [...(groups.get(key) ?? []), event]);
  }
  const notes = [...groups.values()].map(describeGroup);
  if (notes.length <= MAX_PER_BATCH) return notes;
  const count = [...groups.values()].reduce((sum, group) => sum + group.length, 0);
  return [
    {
      title: 'Ferry',
      body: `${count} changes by ${new Set([...groups.values()].map((g) => g[0]?.actor)).size} people`,
      revealPath: '/',
    },
  ];
}

function describeGroup(group: readonly ActivityEvent[]): DesktopNotification {
  const first = group[0] as ActivityEvent;
  const verb = VERB[first.kind] ?? 'changed';
  if (group.length === 1) {
    return { title: first.actor, body: `${verb} ${nameOf(first.path)}`, revealPath: first.path };
  }
  const folder = commonFolder(group.map((event) => event.path));
  return {
    title: first.actor,
    body: `${verb} ${group.length} files${folder === '/' ? '' : ` in ${folder}`}`,
    revealPath: folder,
  };
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1) || '/';
}

/** The deepest folder holding every path (`/` at worst). */
export function commonFolder(paths: readonly string[]): string {
  const folders = paths.map((path) => path.split('/').filter(Boolean).slice(0, -1));
  const first = folders[0] ?? [];
  let depth = 0;
  while (depth < first.length && folders.every((parts) => parts[depth] === first[depth]))
    depth += 1;
  return `/${first.slice(0, depth).join('/')}`;
}
