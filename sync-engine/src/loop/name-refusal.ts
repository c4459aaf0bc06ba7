/**
 * Which failures mean "this device's file system will not take the name" (issue 9): a name
 * that syncs between Linux devices (`a:b?.txt`, `CON.txt`, `trailing. `, a 200-byte name) but
 * that Windows, macOS or an encrypted home refuses. No retry fixes that, only another name, so
 * the loop reports it as `name_refused` and tries again rarely or once the name has changed.
 * Pure: no I/O.
 */
import type { Operation } from '../plan/index.js';
import { nonPortableReason } from '../scan/portable-names.js';

/**
 * The operations that put a name from the server on this disk (a conflicted copy's name is made
 * here, from characters every system takes).
 */
const LOCAL_WRITES = new Set<Operation['kind']>(['download', 'mkdir_local', 'move_local']);
/** What a refused name fails with: Windows (EINVAL), macOS (EILSEQ: not UTF-8), any (too long). */
const REFUSED_CODES = new Set(['EINVAL', 'EILSEQ', 'ENAMETOOLONG']);

/**
 * Why the file system refused `path` (the path the operation creates), as a sentence to show,
 * or undefined when `error` is not a refused name. ENOENT counts only for a path with a name
 * Windows refuses: Node on Windows reports ERROR_INVALID_NAME as ENOENT (libuv), and elsewhere
 * ENOENT is a folder that went away.
 */
export function nameRefusalOf(
  kind: Operation['kind'],
  path: string,
  error: unknown,
): string | undefined {
  if (!LOCAL_WRITES.has(kind)) return undefined;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return undefined;
  const segments = path.split('/').filter((segment) => segment !== '');
  const nonPortable = segments.find((segment) => nonPortableReason(segment) !== undefined);
  if (code === 'ENOENT' && nonPortable !== undefined) {
    return `this file system refuses the name "${nonPortable}" (${code})`;
  }
  if (!REFUSED_CODES.has(code)) return undefined;
  if (code === 'ENAMETOOLONG') return `the name is too long for this file system (${code})`;
  return `this file system refuses the name "${nonPortable ?? segments.at(-1) ?? path}" (${code})`;
}
