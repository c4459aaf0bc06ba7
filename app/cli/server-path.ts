/**
 * PATH arguments (`ferry history PATH`, `share`, `restore`, `unshare`): a server path such as
 * `/docs/a.txt`, or a path inside the device's synced folder (absolute, or relative to the
 * current directory) that maps to one. The rule, since a POSIX absolute path could be either:
 *
 * 1. A path inside the synced folder maps to the server path below the folder's root.
 * 2. Else a path starting with `/` is a server path, unless its first segment exists on this
 *    machine (`/home/…`, `/tmp/…`, `/Users/…`): then it is a local path outside the folder.
 * 3. Anything else (relative, `C:\…`) is a local path outside the folder.
 *
 * Outside the folder is a usage error. Results are NFC and pass the protocol's `parsePath`.
 * A server folder whose name shadows a local top-level directory can still be named relative
 * to the synced folder (`cd ~/Ferry && ferry history home/notes.txt`).
 */
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { parsePath, type RemotePath } from 'sync-engine/protocol';
import { UsageError } from './cli-errors.js';

export interface PathContext {
  /** The synced folder from device.json (absolute), or null before the first `ferry sync`. */
  readonly folder: string | null;
  /** What relative paths resolve against. */
  readonly cwd: string;
}

/** `target` with symlinks resolved as far as it exists (the rest appended unchanged). */
async function canonical(target: string): Promise<string> {
  const rest: string[] = [];
  let existing = target;
  for (;;) {
    try {
      return path.join(await realpath(existing), ...rest);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return target;
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

/** `local` relative to `folder` as a server path, or undefined when it is outside. */
function relativeServerPath(folder: string, local: string): string | undefined {
  const relative = path.relative(folder, local);
  if (relative === '') return '/';
  // Another drive on Windows gives an absolute path; `..x` is a name inside, `..` is not.
  if (path.isAbsolute(relative)) return undefined;
  const segments = relative.split(path.sep);
  if (segments[0] === '..') return undefined;
  return `/${segments.join('/')}`;
}

/** Inside the folder, compared as given and with symlinks resolved (macOS's /tmp, /var). */
async function mapInsideFolder(folder: string, local: string): Promise<string | undefined> {
  const direct = relativeServerPath(folder, local);
  if (direct !== undefined) return direct;
  return relativeServerPath(await canonical(folder), await canonical(local));
}

async function existsLocally(target: string): Promise<boolean> {
  try {
    await lstat(target);
    return true;
  } catch {
    return false;
  }
}

/** True when a `/…` argument names this machine's file system rather than the server's. */
async function looksLocal(argument: string): Promise<boolean> {
  // On Windows, `/docs` is not a local absolute path anyone types.
  if (process.platform === 'win32') return false;
  const first = argument.split('/').find((segment) => segment !== '');
  return first !== undefined && (await existsLocally(`/${first}`));
}

function validServerPath(argument: string, candidate: string): RemotePath {
  const trimmed = candidate.length > 1 ? candidate.replace(/\/+$/, '') : candidate;
  const result = parsePath(trimmed);
  if (!result.ok) throw new UsageError(`${argument}: ${result.message}`);
  return result.path;
}

function outsideFolder(argument: string, folder: string | null): UsageError {
  return new UsageError(
    folder === null
      ? `${argument} is a local path, and this device has no synced folder yet: give a server path such as /docs/a.txt`
      : `${argument} is outside the synced folder ${folder}: give a path inside it or a server path such as /docs/a.txt`,
  );
}

/**
 * The server path a PATH argument names (see the module comment for the rule).
 * @throws UsageError for an empty path, a local path outside the synced folder, or a path the
 *   protocol refuses (control characters, `..` segments, too long).
 */
export async function toServerPath(argument: string, context: PathContext): Promise<RemotePath> {
  const given = argument.normalize('NFC');
  if (given === '') throw new UsageError('the path must not be empty');
  const { folder } = context;
  const local = path.resolve(context.cwd, given);
  if (folder !== null) {
    const mapped = await mapInsideFolder(folder, local);
    if (mapped !== undefined) return validServerPath(argument, mapped.normalize('NFC'));
  }
  if (given.startsWith('/') && !(await looksLocal(given))) return validServerPath(argument, given);
  throw outsideFolder(argument, folder);
}
