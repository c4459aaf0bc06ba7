/**
 * Both sides of a conflict for the window's side-by-side (EngineControl.describeConflict): the
 * version at the path (theirs: the server's, with who committed it and from which device) and
 * the conflicted copy (mine: this device's), each with its size and modification time as they
 * are on disk now. The server is asked for the path's newest revision only; when it cannot be
 * reached the side-by-side still shows what the disk says.
 */
import type { ConflictInfo, ConflictVersions, VersionSide } from './control/index.js';
import type { FileSystem } from './ports.js';
import type { ListRevisionsResponse } from './protocol/index.js';

/** What describing a conflict needs. */
export interface ConflictVersionsOptions {
  readonly fs: Pick<FileSystem, 'stat'>;
  readonly listRevisions: (path: string) => Promise<ListRevisionsResponse>;
  /** This device's name: the conflicted copy holds its version. */
  readonly deviceName: string;
}

export async function describeConflictVersions(
  conflict: ConflictInfo,
  options: ConflictVersionsOptions,
): Promise<ConflictVersions> {
  const side = async (path: string | null): Promise<VersionSide | null> => {
    if (path === null) return null;
    const stat = await options.fs.stat(path);
    if (stat === undefined || stat.kind !== 'file') return null;
    return {
      path,
      sizeBytes: stat.sizeBytes,
      modifiedMs: Math.floor(stat.mtimeMs),
      author: null,
      deviceName: null,
    };
  };
  const [theirs, mine] = await Promise.all([side(conflict.path), side(conflict.copyPath)]);
  const newest = await options
    .listRevisions(conflict.path)
    .then((history) => history.revisions[0])
    .catch(() => undefined);
  return {
    conflict,
    theirs:
      theirs === null
        ? null
        : { ...theirs, author: newest?.author ?? null, deviceName: newest?.deviceName ?? null },
    mine: mine === null ? null : { ...mine, deviceName: options.deviceName },
  };
}
