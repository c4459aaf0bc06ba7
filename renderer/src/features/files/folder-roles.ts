/**
 * What the user may do at a path: shared folders are mounted in the user's tree with a role,
 * and everything below a viewer's mount is read-only. Pure.
 */
import type { FolderEntry, ShareRole } from 'sync-engine/control';

/** Mount paths and roles seen so far while browsing. */
export type MountRoles = ReadonlyMap<string, ShareRole>;

/** `roles` plus the mounts among `entries`. */
export function withMounts(roles: MountRoles, entries: readonly FolderEntry[]): MountRoles {
  const next = new Map(roles);
  for (const entry of entries) {
    if (entry.type === 'folder' && entry.sharedRole !== null)
      next.set(entry.path, entry.sharedRole);
  }
  return next;
}

/** The role of the innermost mount holding `path`; `owner` outside every share. */
export function roleAt(roles: MountRoles, path: string): ShareRole | 'owner' {
  let best: { path: string; role: ShareRole } | undefined;
  for (const [mount, role] of roles) {
    const inside = path === mount || path.startsWith(`${mount}/`);
    if (inside && (best === undefined || mount.length > best.path.length))
      best = { path: mount, role };
  }
  return best?.role ?? 'owner';
}

/** True when the user may change things at `path` (restore, upload, share). */
export function canWriteAt(roles: MountRoles, path: string): boolean {
  return roleAt(roles, path) !== 'viewer';
}

/** The breadcrumb of a folder path: `/a/b` → `[['Ferry', '/'], ['a', '/a'], ['b', '/a/b']]`. */
export function crumbsOf(path: string): readonly (readonly [string, string])[] {
  const crumbs: (readonly [string, string])[] = [['Ferry', '/']];
  let at = '';
  for (const part of path.split('/').filter(Boolean)) {
    at += `/${part}`;
    crumbs.push([part, at]);
  }
  return crumbs;
}
