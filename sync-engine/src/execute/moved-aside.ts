/**
 * Replacing or removing a file the trees know, without a window in which the user's edit is
 * lost: the file is first renamed to `.ferry/tmp/aside-<itemId>` (one atomic step; an editor
 * that saves over the path from then on creates a new file there) and checked there, where no
 * one saves. Changed, it goes back (or, its path taken again meanwhile, beside it as a
 * conflicted copy); unchanged, it is removed once the new version is in place. A crash in
 * between leaves the file aside: `recoverMovedAside` puts it back at start-up, before the
 * temporary folder is cleaned.
 *
 * What remains: bytes written through a handle the user's program opened before the move and
 * still holds go to the file aside; they are kept (as a conflicted copy) when they land before
 * the aside is removed, and are lost only when written after it.
 */
import type { Clock, FileSystem } from '../ports.js';
import { hasOneSpelling } from '../protocol/index.js';
import type { ClientState, ItemId, LocalItem } from '../state/index.js';
import { crashPoint } from './crash-points.js';
import { isUnchanged, parentOf, TEMP_FOLDER, type ExecuteContext } from './execute-context.js';
import { freeCopyPath } from './set-aside.js';

const ASIDE_PREFIX = 'aside-';

type AsideContext = Pick<ExecuteContext, 'fs' | 'clock' | 'deviceName' | 'signal'>;

function asidePath(itemId: ItemId): string {
  return `${TEMP_FOLDER}/${ASIDE_PREFIX}${itemId}`;
}

const isCode = (error: unknown, code: string) =>
  (error as NodeJS.ErrnoException | undefined)?.code === code;

/** Renames the file at `path` aside; false when nothing is at `path`. */
async function moveAside(fs: FileSystem, path: string, aside: string): Promise<boolean> {
  const moveOut = async () => {
    try {
      await fs.rename(path, aside);
      return true;
    } catch (error) {
      if (isCode(error, 'ENOENT')) return false;
      throw error;
    }
  };
  if (await moveOut()) return true;
  // ENOENT: the file is gone, or the temporary folder is not there yet (made once, then kept).
  if ((await fs.stat(path)) === undefined) return false;
  await fs.mkdir(TEMP_FOLDER);
  return moveOut();
}

/**
 * `path` with its name as the disk spells it. Once the file is aside, nothing at the path says
 * that its name was written in NFD by another program: put in place by the tree's (NFC) path,
 * the new version would change the user's spelling. A name in ASCII has one spelling; the exact
 * name wins over another spelling, as in the disk adapter.
 */
async function spelledOnDisk(context: AsideContext, path: string): Promise<string> {
  const parent = parentOf(path);
  const name = path.slice(parent.length + 1);
  if (hasOneSpelling(name)) return path;
  let entries;
  try {
    entries = await context.fs.readDir(parent === '' ? '/' : parent, context.signal);
  } catch (error) {
    if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return path;
    throw error;
  }
  if (entries.some((entry) => entry.name === name)) return path;
  const spelled = entries.find((entry) => entry.name.normalize('NFC') === name.normalize('NFC'));
  return spelled === undefined ? path : `${parent}/${spelled.name}`;
}

/**
 * Puts a file set aside back at `path` (its folder made again if the user removed it), or
 * beside it as a conflicted copy when something is at `path` now, or, when its folder cannot
 * take it (the user put a file there, say), as a conflicted copy at the folder's top. Answers
 * where it went; throws only when even that failed (the file then stays aside, never deleted
 * by a removal that could not finish).
 */
async function putBack(context: AsideContext, aside: string, path: string): Promise<string> {
  const { fs } = context;
  const besideIt = async (where: string) => {
    const copy = await freeCopyPath(context, where);
    await fs.renameNoReplace(aside, copy);
    return copy;
  };
  try {
    try {
      await fs.renameNoReplace(aside, path);
      return path;
    } catch (error) {
      if (isCode(error, 'EEXIST')) return await besideIt(path);
      if (!isCode(error, 'ENOENT') || parentOf(path) === '') throw error;
      await fs.mkdir(parentOf(path));
      await fs.renameNoReplace(aside, path);
      return path;
    }
  } catch (error) {
    const atTop = `/${path.slice(path.lastIndexOf('/') + 1)}`;
    if (atTop === path) throw error;
    return besideIt(atTop);
  }
}

/** Runs `step` with the file aside; if it throws, the file goes back before the error goes on. */
async function asideDuring<T>(
  context: AsideContext,
  aside: string,
  path: string,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    await putBack(context, aside, path).catch(() => undefined);
    throw error;
  }
}

/**
 * Removes a file set aside if it is still as `local` describes it; else keeps it as a copy.
 * (No abort signal on these steps: stopped between them, the file would stay hidden aside.)
 */
async function dropAside(context: AsideContext, local: LocalItem, aside: string): Promise<void> {
  const { fs } = context;
  const stat = await fs.stat(aside);
  if (stat === undefined) return;
  // The same inode as at the path: a put-back cut between its link and its unlink.
  const atPath = await fs.stat(local.path).catch(() => undefined);
  if (isUnchanged(local, stat) || atPath?.inode === stat.inode) {
    await fs.removeFile(aside);
  } else {
    await fs.renameNoReplace(aside, await freeCopyPath(context, local.path));
  }
}

/**
 * Removes the file at the local row's path if it is still the one the row describes; a file
 * edited, moved or saved over the path since the scan, even between a check and the removal, is
 * never deleted. False when nothing was removed.
 */
export async function removeIfUnchanged(context: AsideContext, local: LocalItem): Promise<boolean> {
  const aside = asidePath(local.itemId);
  const spelled = await spelledOnDisk(context, local.path);
  if (!(await moveAside(context.fs, spelled, aside))) return false;
  return asideDuring(context, aside, spelled, async () => {
    if (isUnchanged(local, await context.fs.stat(aside))) {
      await context.fs.removeFile(aside);
      return true;
    }
    await putBack(context, aside, spelled);
    return false;
  });
}

/**
 * Renames `replacement` (a flushed temporary file) over the file at the local row's path if
 * that file is still the one the row describes. False, `replacement` left where it is, when it
 * was not: the file was edited or saved over since the last check (it stays, or goes back), or
 * the user saved a new file at the path while the old one was aside (it stays).
 */
export async function replaceIfUnchanged(
  context: AsideContext,
  local: LocalItem,
  replacement: string,
): Promise<boolean> {
  const { fs } = context;
  const aside = asidePath(local.itemId);
  const target = await spelledOnDisk(context, local.path);
  if (!(await moveAside(fs, target, aside))) return false;
  const placed = await asideDuring(context, aside, target, async () => {
    if (!isUnchanged(local, await fs.stat(aside))) {
      await putBack(context, aside, target);
      return undefined;
    }
    crashPoint('download:set-aside');
    try {
      await fs.renameNoReplace(replacement, target);
      return true;
    } catch (error) {
      // The user's new file holds the path; the old version aside is the synced one.
      if (isCode(error, 'EEXIST')) return false;
      throw error;
    }
  });
  if (placed === undefined) return false;
  await dropAside(context, local, aside);
  return placed;
}

/**
 * After a crash: every file left aside goes back to its path when that is free (the replacement
 * or removal never happened, and the next plan does it again), is removed when its path holds
 * the new version and it is unchanged, and is kept beside it as a conflicted copy when it was
 * changed. Call before the temporary folder is cleaned.
 */
export async function recoverMovedAside(
  fs: FileSystem,
  state: ClientState,
  options: { readonly clock: Clock; readonly deviceName: string; readonly signal: AbortSignal },
): Promise<void> {
  const context: AsideContext = { fs, ...options };
  let entries;
  try {
    entries = await fs.readDir(TEMP_FOLDER, options.signal);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    throw error;
  }
  for (const entry of entries) {
    if (entry.kind !== 'file' || !entry.name.startsWith(ASIDE_PREFIX)) continue;
    const local = state.items.local.get(entry.name.slice(ASIDE_PREFIX.length) as ItemId);
    // Rows go only after their file is no longer aside: one without a row is a finished removal.
    if (local === undefined) continue;
    const aside = `${TEMP_FOLDER}/${entry.name}`;
    const atPath = await fs.stat(local.path).catch(() => 'not a folder' as const);
    if (atPath === undefined || atPath === 'not a folder') {
      await putBack(context, aside, local.path);
    } else {
      await dropAside(context, local, aside);
    }
  }
}
