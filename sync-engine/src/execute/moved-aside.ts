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
 * the new version would change the user's spelling. A name in ASCII has one spelling.
 */
async function spelledOnDisk(context: AsideContext, path: string): Promise<string> {
  const parent = parentOf(path);
  const name = path.slice(parent.length + 1);
  if (/^[\u0020-\u007e]*$/.test(name)) return path;
  const entries = await context.fs.readDir(parent === '' ? '/' : parent, context.signal);
  const spelled = entries.find((entry) => entry.name.normalize('NFC') === name.normalize('NFC'));
  return spelled === undefined ? path : `${parent}/${spelled.name}`;
}

/**
 * Puts a file set aside back at `path` (its folder made again if the user removed it), or
 * beside it as a conflicted copy when something is at `path` now. Answers where it went.
 */
async function putBack(context: AsideContext, aside: string, path: string): Promise<string> {
  const { fs } = context;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await fs.renameNoReplace(aside, path);
      return path;
    } catch (error) {
      if (isCode(error, 'ENOENT') && attempt === 0 && parentOf(path) !== '') {
        await fs.mkdir(parentOf(path));
        continue;
      }
      if (!isCode(error, 'EEXIST')) throw error;
      const copy = await freeCopyPath(context, path);
      await fs.rename(aside, copy);
      return copy;
    }
  }
}

/** Removes a file set aside if it is still as `local` describes it; else keeps it as a copy. */
async function dropAside(context: AsideContext, local: LocalItem, aside: string): Promise<void> {
  if (isUnchanged(local, await context.fs.stat(aside, context.signal))) {
    await context.fs.removeFile(aside);
  } else {
    await context.fs.rename(aside, await freeCopyPath(context, local.path));
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
  if (isUnchanged(local, await context.fs.stat(aside, context.signal))) {
    await context.fs.removeFile(aside);
    return true;
  }
  await putBack(context, aside, spelled);
  return false;
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
  if (!isUnchanged(local, await fs.stat(aside, context.signal))) {
    await putBack(context, aside, target);
    return false;
  }
  crashPoint('download:set-aside');
  try {
    await fs.renameNoReplace(replacement, target);
  } catch (error) {
    if (isCode(error, 'EEXIST')) {
      // The user's new file holds the path; the old version aside is the synced one.
      await dropAside(context, local, aside);
      return false;
    }
    await putBack(context, aside, target);
    throw error;
  }
  await dropAside(context, local, aside);
  return true;
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
    if ((await fs.stat(local.path, options.signal)) === undefined) {
      await putBack(context, aside, local.path);
    } else {
      await dropAside(context, local, aside);
    }
  }
}
