/** How each kind of activity reads and looks in the feed. */
import type { ActivityEvent, ActivityKind } from 'sync-engine/control';
import type { IconName } from '../../ui/icons.js';

/** One entry of the feed, as the engine relays it from the server. */
export type FeedEntry = ActivityEvent;

type Kind = ActivityKind;

export const ACTIVITY_VERB: Record<Kind, string> = {
  file_added: 'added',
  file_edited: 'edited',
  file_deleted: 'deleted',
  file_moved: 'moved',
  file_restored: 'restored',
  folder_created: 'created the folder',
  folder_shared: 'shared',
  share_changed: 'changed sharing of',
  share_revoked: 'stopped sharing',
};

export const ACTIVITY_ICON: Record<Kind, IconName> = {
  file_added: 'upload',
  file_edited: 'file',
  file_deleted: 'trash',
  file_moved: 'move',
  file_restored: 'restore',
  folder_created: 'folder',
  folder_shared: 'share',
  share_changed: 'share',
  share_revoked: 'share',
};
