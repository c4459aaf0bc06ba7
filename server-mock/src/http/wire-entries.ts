/**
 * Records → wire shapes, with namespace paths mapped into the caller's view.
 */
import type { EntryMetadata, FileMetadata, RemotePath, Rev } from 'sync-engine/protocol';
import { UserView } from '../access/user-view.js';
import type { EntryRecord } from '../metadata/records.js';

/** A file record as FileMetadata at its path in the caller's view. */
export function toFileMetadata(entry: EntryRecord, mountPath: RemotePath): FileMetadata {
  return {
    type: 'file',
    path: UserView.toUserPath(mountPath, entry.path),
    fileId: entry.fileId,
    namespace: entry.namespace,
    rev: entry.rev as Rev,
    size: entry.size,
    contentHash: entry.contentHash ?? '',
    modified: entry.modifiedMs ?? entry.updatedMs,
    status: entry.status,
  };
}

/** A file or folder record at its path in the caller's view. */
export function toEntryMetadata(entry: EntryRecord, mountPath: RemotePath): EntryMetadata {
  if (!entry.isDir) return toFileMetadata(entry, mountPath);
  return {
    type: 'folder',
    path: UserView.toUserPath(mountPath, entry.path),
    fileId: entry.fileId,
    namespace: entry.namespace,
    ...(entry.mount ? { mount: { namespace: entry.mount.namespace, role: entry.mount.role } } : {}),
  };
}
